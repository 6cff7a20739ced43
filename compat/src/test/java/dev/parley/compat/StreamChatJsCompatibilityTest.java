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
    private static final int EXPECTED_SCENARIOS = 51;

    /** Surefire runs tests in the module folder and also passes it as {@code basedir}. */
    private static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static final Path JS_DIR = MODULE_DIR.resolve("js");
    private static final Path LOG_FILE = MODULE_DIR.resolve("target").resolve("js-compat.log");
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        assumeTrue(onPath("node").isPresent(),
                "node is not on the PATH: the stream-chat JS compatibility suite is skipped (install Node.js 20+)");
        server = TestServer.start();
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
            installDependenciesIfStale(log);

            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_BASE_URL", server.baseUrl());
            env.put("PARLEY_API_KEY", server.apiKey());
            env.put("PARLEY_API_SECRET", server.apiSecret());
            // stream-chat leaves a 15 s timer behind each connect; force-exit ends node when the tests end.
            List<String> node = List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "test/");
            Run run = run(node, env, Duration.ofMinutes(4), log);

            assertThat(run.exitCode()).as("exit code of node --test (output in %s)", LOG_FILE).isZero();
            Summary summary = Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed scenarios").isZero();
            assertThat(summary.cancelled()).as("cancelled scenarios").isZero();
            assertThat(summary.passed()).as("passed scenarios").isGreaterThanOrEqualTo(EXPECTED_SCENARIOS);
        }
    }

    /** {@code npm ci} when node_modules is missing or older than package-lock.json. */
    private static void installDependenciesIfStale(PrintWriter log) throws Exception {
        Path lock = JS_DIR.resolve("package-lock.json");
        // npm writes this copy of the lockfile on every install, so its age is the install's age.
        Path installed = JS_DIR.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        assertThat(onPath(WINDOWS ? "npm.cmd" : "npm"))
                .as("npm is not on the PATH, but %s needs installing", JS_DIR.resolve("node_modules"))
                .isPresent();
        Run install = run(List.of(WINDOWS ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund"), Map.of(),
                Duration.ofMinutes(3), log);
        assertThat(install.exitCode()).as("exit code of npm ci (output in %s)", LOG_FILE).isZero();
    }

    /**
     * Runs a command in compat/js, copying each output line to standard output and the log as it comes,
     * and kills it (with its children) when it outlives {@code limit} or the test is interrupted.
     */
    private static Run run(List<String> command, Map<String, String> env, Duration limit, PrintWriter log)
            throws Exception {
        log.println("$ " + String.join(" ", command));
        System.out.println("[js-compat] $ " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command).directory(JS_DIR.toFile()).redirectErrorStream(true);
        // These make stream-chat ignore baseURL (PROTOCOL.md §1.1); colours would garble the log.
        builder.environment().remove("STREAM_LOCAL_TEST_RUN");
        builder.environment().remove("STREAM_LOCAL_TEST_HOST");
        builder.environment().remove("FORCE_COLOR");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    System.out.println("[js-compat] " + line);
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

    /** The totals node's spec reporter prints last: {@code ℹ pass 18}, {@code ℹ fail 0}, ... */
    private record Summary(int passed, int failed, int cancelled) {
        private static final Pattern TOTAL = Pattern.compile("^\\S*\\s*(tests|pass|fail|cancelled) (\\d+)\\s*$");

        static Summary parse(List<String> lines) {
            Map<String, Integer> totals = new HashMap<>();
            for (String line : lines) {
                Matcher m = TOTAL.matcher(line.strip());
                if (m.matches()) {
                    totals.put(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            assertThat(totals)
                    .as("node's summary (tests/pass/fail/cancelled) in its output")
                    .containsKeys("tests", "pass", "fail", "cancelled");
            return new Summary(totals.get("pass"), totals.get("fail"), totals.get("cancelled"));
        }
    }
}
