package dev.parley.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Redis server of a test's own on a free port ({@code redis-server} from the PATH), never the machine's shared
 * one: tests may stop it. Keeps nothing on disk. Close it to stop it.
 */
public final class LocalRedis implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private Process process;

    private LocalRedis(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Starts {@code redis-server} on a free port and waits until it answers {@code PING}. */
    public static LocalRedis start() {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path dir = Files.createTempDirectory("parley-redis-");
            LocalRedis r = new LocalRedis(port, dir, launch(port, dir));
            r.awaitPing();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    private static Process launch(int port, Path dir) throws IOException {
        return new ProcessBuilder(List.of(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (as a crash would: no shutdown command). */
    public void stop() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts it again on the same port, empty. */
    public void restart() {
        try {
            process = launch(port, dir);
            awaitPing();
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart redis-server: " + e.getMessage(), e);
        }
    }

    private void awaitPing() {
        org.awaitility.Awaitility.await("redis-server on port " + port + " answers PING")
                .atMost(START)
                .pollInterval(Duration.ofMillis(50))
                .until(this::pings);
    }

    private boolean pings() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited with " + process.exitValue());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = in.readNBytes(7);
            return new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
