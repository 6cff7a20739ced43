package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Runs node and npm for the compatibility tests in one folder: installs the locked dependencies when they
 * are stale, runs a command with its output copied line by line to standard output (the build log) and a
 * log file, and reads the totals of node's spec reporter. Not thread-safe; one per test.
 */
final class NodeRunner {
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private final Path dir;
    private final String prefix;
    private final PrintWriter log;
    private final Path logFile;

    /**
     * @param dir the folder with package.json, where commands run
     * @param prefix put before each line copied to standard output, e.g. {@code [react-browser]}
     * @param log receives every command and output line
     * @param logFile where {@code log} writes, named in failure messages
     */
    NodeRunner(Path dir, String prefix, PrintWriter log, Path logFile) {
        this.dir = dir;
        this.prefix = prefix;
        this.log = log;
        this.logFile = logFile;
    }

    /** The executable on the PATH, if there is one (on Windows {@code node} finds {@code node.exe}). */
    static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(Pattern.quote(File.pathSeparator))) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, WINDOWS && !executable.contains(".") ? executable + ".exe" : executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code npm ci} when node_modules is missing or older than package-lock.json. */
    void installIfStale(Duration limit) throws Exception {
        Path lock = dir.resolve("package-lock.json");
        // npm writes this copy of the lockfile on every install, so its age is the install's age.
        Path installed = dir.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        String npm = WINDOWS ? "npm.cmd" : "npm";
        assertThat(onPath(npm))
                .as("npm is not on the PATH, but %s needs installing", dir.resolve("node_modules"))
                .isPresent();
        Run install = run(List.of(npm, "ci", "--no-audit", "--no-fund"), Map.of(), limit);
        assertThat(install.exitCode())
                .as("exit code of npm ci (output in %s)", logFile)
                .isZero();
    }

    /**
     * Runs {@code command} in the folder with {@code env} added, and kills it (with its children, browsers
     * among them) when it outlives {@code limit} or the test is interrupted.
     */
    Run run(List<String> command, Map<String, String> env, Duration limit) throws Exception {
        log.println("$ " + String.join(" ", command));
        System.out.println(prefix + " $ " + String.join(" ", command));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        // These make stream-chat ignore baseURL (PROTOCOL.md §1.1); colours would garble the log.
        builder.environment().remove("STREAM_LOCAL_TEST_RUN");
        builder.environment().remove("STREAM_LOCAL_TEST_HOST");
        builder.environment().remove("FORCE_COLOR");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    System.out.println(prefix + " " + line);
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
            assertThat(finished)
                    .as("%s finished within %s (output in %s)", command, limit, logFile)
                    .isTrue();
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

    /** A finished command: its exit code and output lines. */
    record Run(int exitCode, List<String> lines) {}

    /** The totals node's spec reporter prints last: {@code ℹ pass 2}, {@code ℹ skipped 0}, ... */
    record Summary(int passed, int failed, int cancelled, int skipped) {
        private static final Pattern TOTAL =
                Pattern.compile("^\\S*\\s*(tests|pass|fail|cancelled|skipped) (\\d+)\\s*$");

        /** Fails the test when a total is missing, as when node died before reporting. */
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
