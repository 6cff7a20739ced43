package dev.parley.client.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's channels example runs against a real server, and the README shows it as it is. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelsExampleTest {

    @Test
    void readmeChannelsExampleWatchesSendsRepliesReactsAndReads() {
        try (TestServer server = TestServer.start()) {
            String out = ChannelsExample.run(server.baseUrl(), server.apiKey(), server.userToken("maria"));
            assertThat(out).isEqualTo("replies 1, reactions 1, unread 0, channels 1");
        }
    }

    @Test
    void theReadmeShowsTheExampleAsCompiled() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/parley/client/examples/ChannelsExample.java"));
        String readme = Files.readString(Path.of("README.md"));
        String start = "// README channels example: start\n";
        String body = source.substring(
                source.indexOf(start) + start.length(), source.indexOf("            // README channels example: end"));
        String unindented = body.lines()
                .map(l -> l.length() >= 12 ? l.substring(12) : l.strip())
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(readme).contains(unindented);
    }
}
