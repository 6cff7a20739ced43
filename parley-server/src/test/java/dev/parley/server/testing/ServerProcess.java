package dev.parley.server.testing;

import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Jwt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Parley server in a JVM of its own ({@code Main serve} on the test's class path), for tests that must
 * kill the process itself: {@link #kill()} is {@code kill -9} (SIGKILL on Linux), so nothing of the
 * server's shutdown runs. Its standard output and error are appended to one log file, which a failing
 * start quotes.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Parley is ready at http://localhost:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Thread reaper;
    private final List<String> cmd;
    private final Path log;

    private ServerProcess(Process process, int port, Thread reaper, List<String> cmd, Path log) {
        this.process = process;
        this.port = port;
        this.reaper = reaper;
        this.cmd = cmd;
        this.log = log;
    }

    /**
     * Starts {@code serve} on a free port of 127.0.0.1 with the test key and secret, waits until it is ready
     * and returns it.
     *
     * @param dataDir the server's data folder (its embedded store, unless {@code databaseUrl} is given)
     * @param databaseUrl a PostgreSQL URL, or null for the embedded store
     * @param log the file the server's output is appended to
     * @param extraFlags more flags of {@code serve}, after the test's own
     */
    public static ServerProcess start(Path dataDir, String databaseUrl, Path log, String... extraFlags) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.parley.server.app.Main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--api-key",
                TestServer.API_KEY,
                "--api-secret",
                TestServer.API_SECRET,
                "--disable-metrics"));
        if (databaseUrl != null) {
            cmd.add("--database-url");
            cmd.add(databaseUrl);
        }
        cmd.addAll(List.of(extraFlags));
        return launch(cmd, log);
    }

    /**
     * Stops the server as {@link #close} does when it still runs, then starts the same command again on the
     * same port (a rolling restart behind a proxy that names the port). Returns the new process once ready.
     */
    public ServerProcess restart() {
        close();
        List<String> again = new ArrayList<>(cmd);
        again.set(again.indexOf("--port") + 1, String.valueOf(port));
        return launch(again, log);
    }

    private static ServerProcess launch(List<String> cmd, Path log) {
        Path dataDir = Path.of(cmd.get(cmd.indexOf("--data-dir") + 1));
        long offset;
        Process p;
        try {
            Files.createDirectories(dataDir);
            offset = Files.exists(log) ? Files.size(log) : 0;
            p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        // A test JVM that exits while its server runs would leave it holding the data and a port.
        Thread reaper = new Thread(p::destroyForcibly, "server-process-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        AtomicInteger port = new AtomicInteger();
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            "the server exited with " + p.exitValue() + ":\n" + tail(log, offset));
                }
                Matcher m = READY.matcher(tail(log, offset));
                if (m.find()) {
                    port.set(Integer.parseInt(m.group(1)));
                    return true;
                }
                return false;
            });
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
        return new ServerProcess(p, port.get(), reaper, List.copyOf(cmd), log);
    }

    private static String tail(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    public int port() {
        return port;
    }

    /** The server's process id, for reading its {@code /proc} entries. */
    public long pid() {
        return process.pid();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A client with the server token of the test secret. */
    public RestClient admin() {
        return RestClient.of(baseUrl(), TestServer.API_KEY, Jwt.serverToken(TestServer.API_SECRET));
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the server gets no chance to flush, close or answer. Returns once it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitGone();
    }

    /** Stops the server the way an operator does (SIGTERM), or kills it when it does not stop in 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        waitGone();
    }

    private void waitGone() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server process " + process.pid() + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server process to end", e);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already: the hook runs and finds the process gone
        }
    }
}
