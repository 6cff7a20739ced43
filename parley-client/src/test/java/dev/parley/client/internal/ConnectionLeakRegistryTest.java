package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.LogCapture;
import dev.parley.client.OpenConnection;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class ConnectionLeakRegistryTest {
    final ConnectionLeakRegistry registry = new ConnectionLeakRegistry();
    final Instant now = Instant.parse("2026-03-02T09:00:00Z");

    OpenConnection socket(String user, String id, String site) {
        return new OpenConnection("http://h:1", "key", user, id, user + "--x", now, site);
    }

    @Test
    void aSecondSocketForTheSameUserWarnsWithBothCallSites() {
        try (LogCapture log = new LogCapture()) {
            registry.opened(socket("maria", "c1", "\tat App.render(App.java:10)\n"), log.logger());
            assertThat(log.warnings()).isEmpty();
            registry.opened(socket("maria", "c2", "\tat App.render(App.java:20)\n"), log.logger());
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("2 sockets are now open for user 'maria'")
                    .contains("App.java:10")
                    .contains("App.java:20");
        }
    }

    @Test
    void socketsOfDifferentUsersOrAfterACloseStaySilent() {
        try (LogCapture log = new LogCapture()) {
            registry.opened(socket("maria", "c1", "a"), log.logger());
            registry.opened(socket("leo", "c2", "b"), log.logger());
            registry.closed("http://h:1", "key", "maria", "c1");
            registry.opened(socket("maria", "c3", "c"), log.logger());
            assertThat(log.warnings()).isEmpty();
            assertThat(registry.snapshot())
                    .extracting(OpenConnection::connectionId)
                    .containsExactlyInAnyOrder("c2", "c3");
        }
    }

    @Test
    void theCallSiteStartsAtTheAppsFrame() {
        assertThat(ConnectionLeakRegistry.callSite())
                .startsWith("\tat " + getClass().getName());
    }
}
