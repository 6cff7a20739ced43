package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** The build's PostgreSQL run skips this package, so a server test here would silently run on one store only. */
class NoServerInStoreTestsTest {
    @Test
    void aTestOfTheStorePackageCannotStartAServer() {
        assertThatThrownBy(TestServer::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(NoServerInStoreTestsTest.class.getName())
                .hasMessageContaining("do not run on PostgreSQL");
        assertThatThrownBy(ServerExtension::embedded).isInstanceOf(IllegalStateException.class);
    }
}
