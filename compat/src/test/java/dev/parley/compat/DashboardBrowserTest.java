package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path JS_DIR = MODULE_DIR.resolve("js");
    private static final Path LOG_FILE = MODULE_DIR.resolve("target").resolve("dashboard-browser.log");
    private static final Path SCREENSHOT = MODULE_DIR.resolve("target").resolve("dashboard.png");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PARLEY_CHROMIUM", "/usr/bin/chromium"));

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM
                + ": the dashboard browser test is skipped (apt-get install -y chromium, or set PARLEY_CHROMIUM)");
        assumeTrue(onPath("node"), "node is not on the PATH: the dashboard browser test is skipped (install Node.js 20+)");
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
            installIfStale(log);
            Map<String, String> env = Map.of(
                    "PARLEY_BASE_URL", server.baseUrl(),
                    "PARLEY_API_KEY", server.apiKey(),
                    "PARLEY_API_SECRET", server.apiSecret(),
                    "PARLEY_CHROMIUM", CHROMIUM.toString(),
                    "PARLEY_SCREENSHOT", SCREENSHOT.toString());
            int exit = run(List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "browser/"), env, log);
            assertThat(exit).as("exit code of node --test browser/ (output in %s)", LOG_FILE).isZero();
        }
        assertThat(SCREENSHOT).exists();
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }

    /** {@code npm ci} when node_modules is missing or older than package-lock.json. */
    private static void installIfStale(PrintWriter log) throws Exception {
        Path lock = JS_DIR.resolve("package-lock.json");
        Path installed = JS_DIR.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        assertThat(run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"), log))
                .as("exit code of npm ci (output in %s)", LOG_FILE).isZero();
    }

    private static int run(List<String> command, Map<String, String> env, PrintWriter log) throws Exception {
        log.println("$ " + String.join(" ", command));
        ProcessBuilder b = new ProcessBuilder(command).directory(JS_DIR.toFile()).redirectErrorStream(true);
        b.environment().remove("STREAM_LOCAL_TEST_RUN");
        b.environment().remove("STREAM_LOCAL_TEST_HOST");
        b.environment().put("NO_COLOR", "1");
        b.environment().putAll(env);
        Process p = b.start();
        List<String> lines = new ArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[dashboard] " + line);
                    log.println(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                log.println("[reading output failed: " + e + "]");
            }
        });
        try {
            assertThat(p.waitFor(Duration.ofMinutes(4).toMillis(), TimeUnit.MILLISECONDS)).as("%s finished", command).isTrue();
            pump.join(Duration.ofSeconds(10));
            return p.exitValue();
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private static boolean onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }
}
