package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.server.testing.TestServer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs Stream's official JS SDK ({@code stream-chat}, pinned in {@code compat/js/package.json}) against a
 * real Parley server: every node scenario under {@code compat/js/test/} must pass.
 *
 * <p>Needs {@code node} (20 or later) on the PATH; without it the test is skipped, never passed. Installs
 * the locked npm dependencies when {@code node_modules} is missing or older than the lockfile. Node's
 * output goes to standard output (the build log) and to {@code target/js-compat.log}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamChatJsCompatibilityTest {
    /**
     * Scenarios in compat/js/test/ today. Fewer passing means scenarios went missing (a file that fails
     * to load counts as one failed test, not as its scenarios), so raise this when adding some.
     */
    private static final int EXPECTED_SCENARIOS = 118;

    /** Surefire runs tests in the module folder and also passes it as {@code basedir}. */
    private static final Path MODULE_DIR =
            Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static final Path JS_DIR = MODULE_DIR.resolve("js");
    private static final Path LOG_FILE = MODULE_DIR.resolve("target").resolve("js-compat.log");

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(
                NodeRunner.onPath("node").isPresent(),
                "node is not on the PATH: the stream-chat JS compatibility suite is skipped (install Node.js 20+)");
        // The link preview scenarios serve their pages on 127.0.0.1, which previews may fetch only with this flag.
        server = TestServer.start(b -> b.linkPreviewPrivateHosts(true));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyStreamChatJsScenarioPassesAgainstParley() throws Exception {
        Files.createDirectories(LOG_FILE.getParent());
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOG_FILE, StandardCharsets.UTF_8), true)) {
            NodeRunner node = new NodeRunner(JS_DIR, "[js-compat]", log, LOG_FILE);
            node.installIfStale(Duration.ofMinutes(3));

            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_BASE_URL", server.baseUrl());
            env.put("PARLEY_API_KEY", server.apiKey());
            env.put("PARLEY_API_SECRET", server.apiSecret());
            // stream-chat leaves a 15 s timer behind each connect; force-exit ends node when the tests end.
            NodeRunner.Run run = node.run(
                    List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "test/"),
                    env,
                    Duration.ofMinutes(4));

            assertThat(run.exitCode())
                    .as("exit code of node --test (output in %s)", LOG_FILE)
                    .isZero();
            NodeRunner.Summary summary = NodeRunner.Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed scenarios").isZero();
            assertThat(summary.cancelled()).as("cancelled scenarios").isZero();
            assertThat(summary.passed()).as("passed scenarios").isGreaterThanOrEqualTo(EXPECTED_SCENARIOS);
        }
    }
}
