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
 * The operator dashboard ({@code /dashboard}) in headless Chromium, driven by {@code compat/js/browser/} with
 * {@code playwright-core}: three sockets of one user and one of another, and the page must flag the first
 * with 3. Saves a screenshot as {@code compat/target/dashboard.png}.
 *
 * <p>Needs {@code node} and a Chromium at {@code /usr/bin/chromium} (or {@code PARLEY_CHROMIUM}); without
 * either the test is skipped with a message, never passed. No browser is ever downloaded.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {
    private static final Path MODULE_DIR =
            Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path JS_DIR = MODULE_DIR.resolve("js");
    private static final Path LOG_FILE = MODULE_DIR.resolve("target").resolve("dashboard-browser.log");
    private static final Path SCREENSHOT = MODULE_DIR.resolve("target").resolve("dashboard.png");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PARLEY_CHROMIUM", "/usr/bin/chromium"));

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "no Chromium at " + CHROMIUM
                        + ": the dashboard browser test is skipped (apt-get install -y chromium, or set PARLEY_CHROMIUM)");
        assumeTrue(
                NodeRunner.onPath("node").isPresent(),
                "node is not on the PATH: the dashboard browser test is skipped (install Node.js 20+)");
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void dashboardFlagsTheUserWithThreeSocketsInHeadlessChromium() throws Exception {
        Files.createDirectories(LOG_FILE.getParent());
        Files.deleteIfExists(SCREENSHOT);
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOG_FILE, StandardCharsets.UTF_8), true)) {
            NodeRunner node = new NodeRunner(JS_DIR, "[dashboard]", log, LOG_FILE);
            node.installIfStale(Duration.ofMinutes(3));
            Map<String, String> env = Map.of(
                    "PARLEY_BASE_URL", server.baseUrl(),
                    "PARLEY_API_KEY", server.apiKey(),
                    "PARLEY_API_SECRET", server.apiSecret(),
                    "PARLEY_CHROMIUM", CHROMIUM.toString(),
                    "PARLEY_SCREENSHOT", SCREENSHOT.toString());
            NodeRunner.Run run = node.run(
                    List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "browser/"),
                    env,
                    Duration.ofMinutes(4));
            assertThat(run.exitCode())
                    .as("exit code of node --test browser/ (output in %s)", LOG_FILE)
                    .isZero();
            NodeRunner.Summary summary = NodeRunner.Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed browser tests").isZero();
            assertThat(summary.passed()).as("passed browser tests").isGreaterThanOrEqualTo(1);
        }
        assertThat(SCREENSHOT).exists();
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }
}
