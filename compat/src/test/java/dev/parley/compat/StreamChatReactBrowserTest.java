package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's React UI kit ({@code stream-chat-react}, in the demo app under {@code compat/react-demo/}) in
 * headless Chromium against a real Parley server: two users sign in in two browser contexts and chat.
 *
 * <p>Needs {@code node} (20.19 or later) on the PATH and Chromium at {@code /usr/bin/chromium}; without
 * either the test is skipped, never passed. Installs the locked npm dependencies when {@code node_modules}
 * is missing or older than the lockfile; the node test builds the app once with Vite and serves it.
 * Output goes to the build log and to {@code target/react-browser.log}; screenshots to
 * {@code target/react-*.png}.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StreamChatReactBrowserTest {
    /** Tests node reports as passed: the sign-in and the chat scenario. */
    private static final int EXPECTED_PASSED = 2;

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** Surefire runs tests in the module folder and also passes it as {@code basedir}. */
    private static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static final Path DEMO_DIR = MODULE_DIR.resolve("react-demo");
    private static final Path TARGET = MODULE_DIR.resolve("target");
    private static final Path LOG_FILE = TARGET.resolve("react-browser.log");
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(onPath("node").isPresent(),
                "node is not on the PATH: the stream-chat-react browser test is skipped (install Node.js 20.19+)");
        assumeTrue(Files.isExecutable(CHROMIUM),
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
            installDependenciesIfStale(log);

            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_BASE_URL", server.baseUrl());
            env.put("PARLEY_API_KEY", server.apiKey());
            env.put("PARLEY_REACT_OUTPUT", TARGET.toString());
            env.put("PARLEY_CHROMIUM", CHROMIUM.toString());
            List<String> node = List.of("node", "--test", "--test-force-exit", "--test-reporter=spec",
                    "test/react-ui.test.mjs");
            Run run = run(node, env, Duration.ofMinutes(5), log);

            assertThat(run.exitCode()).as("exit code of node --test (output in %s)", LOG_FILE).isZero();
            Summary summary = Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed browser tests").isZero();
            assertThat(summary.cancelled()).as("cancelled browser tests").isZero();
            assertThat(summary.skipped()).as("skipped browser tests").isZero();
            assertThat(summary.passed()).as("passed browser tests").isGreaterThanOrEqualTo(EXPECTED_PASSED);
        }
    }

    /** {@code npm ci} when node_modules is missing or older than package-lock.json. */
    private static void installDependenciesIfStale(PrintWriter log) throws Exception {
        Path lock = DEMO_DIR.resolve("package-lock.json");
        // npm writes this copy of the lockfile on every install, so its age is the install's age.
        Path installed = DEMO_DIR.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        assertThat(onPath(WINDOWS ? "npm.cmd" : "npm"))
                .as("npm is not on the PATH, but %s needs installing", DEMO_DIR.resolve("node_modules"))
                .isPresent();
        Run install = run(List.of(WINDOWS ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund"), Map.of(),
                Duration.ofMinutes(4), log);
        assertThat(install.exitCode()).as("exit code of npm ci (output in %s)", LOG_FILE).isZero();
    }

    /**
     * Runs a command in compat/react-demo, copying each output line to standard output and the log as it
     * comes, and kills it (with its children, Chromium among them) when it outlives {@code limit} or the
     * test is interrupted.
     */
    private static Run run(List<String> command, Map<String, String> env, Duration limit, PrintWriter log)
            throws Exception {
        log.println("$ " + String.join(" ", command));
        System.out.println("[react-browser] $ " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command).directory(DEMO_DIR.toFile()).redirectErrorStream(true);
        builder.environment().remove("FORCE_COLOR");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    System.out.println("[react-browser] " + line);
                    log.println(line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                log.println("[reading output failed: " + e + "]");
            }
        });
        try {
            boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(finished).as("%s finished within %s", command, limit).isTrue();
            pump.join(Duration.ofSeconds(10));
            synchronized (lines) {
                return new Run(process.exitValue(), List.copyOf(lines));
            }
        } finally {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, WINDOWS && !executable.contains(".") ? executable + ".exe" : executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private record Run(int exitCode, List<String> lines) {}

    /** The totals node's spec reporter prints last: {@code ℹ pass 3}, {@code ℹ skipped 0}, ... */
    private record Summary(int passed, int failed, int cancelled, int skipped) {
        private static final Pattern TOTAL =
                Pattern.compile("^\\S*\\s*(tests|pass|fail|cancelled|skipped) (\\d+)\\s*$");

        static Summary parse(List<String> lines) {
            Map<String, Integer> totals = new HashMap<>();
            for (String line : lines) {
                Matcher m = TOTAL.matcher(line.strip());
                if (m.matches()) {
                    totals.put(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            assertThat(totals)
                    .as("node's summary (tests/pass/fail/cancelled/skipped) in its output")
                    .containsKeys("tests", "pass", "fail", "cancelled", "skipped");
            return new Summary(totals.get("pass"), totals.get("fail"), totals.get("cancelled"), totals.get("skipped"));
        }
    }
}
