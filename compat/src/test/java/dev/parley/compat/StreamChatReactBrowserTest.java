package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.server.testing.TestServer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's React UI kit ({@code stream-chat-react}, in the demo app under {@code compat/react-demo/}) in
 * headless Chromium against a real Parley server: two users sign in in two browser contexts; one starts
 * a chat and writes, the other replies in a thread, the first reacts, and both pages must show it all;
 * the second sees the first's typing indicator come and go, and an unread badge on that chat while he
 * has another one open, gone once he opens it.
 *
 * <p>Needs {@code node} (20.19 or later) on the PATH and Chromium at {@code /usr/bin/chromium}; without
 * either the test is skipped, never passed. Installs the locked npm dependencies when {@code node_modules}
 * is missing or older than the lockfile; the node test builds the app once with Vite and serves it.
 * Output goes to the build log and to {@code target/react-browser.log}; screenshots to
 * {@code target/react-*.png}.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StreamChatReactBrowserTest {
    /** Tests node reports as passed: sign-in, chat, typing indicator, unread badge. */
    private static final int EXPECTED_PASSED = 7;

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** Surefire runs tests in the module folder and also passes it as {@code basedir}. */
    private static final Path MODULE_DIR =
            Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static final Path DEMO_DIR = MODULE_DIR.resolve("react-demo");
    private static final Path TARGET = MODULE_DIR.resolve("target");
    private static final Path LOG_FILE = TARGET.resolve("react-browser.log");

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(
                NodeRunner.onPath("node").isPresent(),
                "node is not on the PATH: the stream-chat-react browser test is skipped (install Node.js 20.19+)");
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                CHROMIUM + " is missing: the stream-chat-react browser test is skipped (apt-get install chromium)");
        // The demo signs in with devToken(user), as a developer trying it would.
        server = TestServer.start(b -> b.disableAuthChecks(true));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoUsersChatThroughStreamChatReactInChromium() throws Exception {
        Files.createDirectories(TARGET);
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOG_FILE, StandardCharsets.UTF_8), true)) {
            NodeRunner node = new NodeRunner(DEMO_DIR, "[react-browser]", log, LOG_FILE);
            node.installIfStale(Duration.ofMinutes(4));

            Map<String, String> env = Map.of(
                    "PARLEY_BASE_URL", server.baseUrl(),
                    "PARLEY_API_KEY", server.apiKey(),
                    "PARLEY_API_SECRET", server.apiSecret(),
                    "PARLEY_REACT_OUTPUT", TARGET.toString(),
                    "PARLEY_CHROMIUM", CHROMIUM.toString());
            NodeRunner.Run run = node.run(
                    List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "test/react-ui.test.mjs"),
                    env,
                    Duration.ofMinutes(5));

            assertThat(run.exitCode())
                    .as("exit code of node --test (output in %s)", LOG_FILE)
                    .isZero();
            NodeRunner.Summary summary = NodeRunner.Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed browser tests").isZero();
            assertThat(summary.cancelled()).as("cancelled browser tests").isZero();
            assertThat(summary.skipped()).as("skipped browser tests").isZero();
            assertThat(summary.passed()).as("passed browser tests").isGreaterThanOrEqualTo(EXPECTED_PASSED);
        }
    }
}
