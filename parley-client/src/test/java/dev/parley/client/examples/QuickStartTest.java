package dev.parley.client.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's Java example runs against a real server and leaves no socket open. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuickStartTest {

    @Test
    void readmeExampleConnectsUpdatesAndDisconnects() {
        try (TestServer server = TestServer.start()) {
            String out = QuickStart.run(server.baseUrl(), server.apiKey(), server.userToken("alice"));
            assertThat(out).matches("connected as alice on [0-9a-f-]{36}, open sockets in this JVM: [1-9][0-9]*");
            assertThat(server.server()
                            .node()
                            .store()
                            .findUser("alice")
                            .orElseThrow()
                            .custom())
                    .containsKeys("name", "status");
            // the client's close handshake can finish a moment before the server forgets the connection
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.server().node().registry().connectionCount("alice") == 0);
        }
    }
}
