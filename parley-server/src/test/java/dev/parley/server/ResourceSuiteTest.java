package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.testing.ServerProcess;
import dev.parley.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What hostile clients cost a real server process, measured from outside it: its resident memory and its
 * open files (from {@code /proc}), while idle connections, slowloris heads, a ping flood that never reads,
 * stalled unauthenticated uploads and an oversized body each try to hold the server's resources. Every
 * phase must end with the hostile connections cut by the server, its open files back near where they
 * started, its memory within a bound far below what the same clients made it hold before the bounds
 * existed, and plain requests still answered.
 *
 * <p>The server runs with short deadlines (2 s for a request head and for keep-alive, 3 s for a body) so
 * that the suite is quick; the production defaults are longer, the mechanism the same. The per-address cap
 * is off, as every client here comes from 127.0.0.1 (it has its own test).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ResourceSuiteTest {
    /** Memory the server may add over its warmed-up baseline during all phases (before: +1 GB for one ping flood). */
    private static final long RSS_GROWTH_BOUND_KIB = 160 * 1024;

    /** Open files the server may keep over its baseline once a phase's connections are cut. */
    private static final int FD_SLACK = 40;

    @TempDir
    Path dir;

    private ServerProcess server;
    private String schema;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong peakRssKib = new AtomicLong();
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() {
        schema = "postgresql".equals(TestServer.STORE)
                ? "parley_res_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                : null;
        server = ServerProcess.start(
                dir.resolve("data"),
                schema == null ? null : TestServer.postgresUrl(schema),
                dir.resolve("server.log"),
                "--request-head-timeout",
                "2s",
                "--keep-alive-timeout",
                "2s",
                "--request-body-timeout",
                "3s",
                "--request-body-min-rate",
                "0",
                "--upload-stall-timeout",
                "3s",
                "--max-connections-per-address",
                "0",
                "--max-ws-frames-per-minute",
                "0");
    }

    @AfterEach
    void stop() {
        sockets.forEach(ResourceSuiteTest::closeQuietly);
        clients.shutdownNow();
        timer.shutdownNow();
        server.close();
        if (schema != null) {
            TestServer.dropSchema(schema);
        }
    }

    @Test
    void hostileClientsAreCutAndTheServersMemoryAndOpenFilesStayBounded() throws Exception {
        for (int i = 0; i < 200; i++) {
            assertThat(server.admin().get("/hi").status()).isEqualTo(200);
        }
        long baseRss = rssKib();
        int baseFds = openFiles();
        timer.scheduleAtFixedRate(() -> peakRssKib.accumulateAndGet(rssKib(), Math::max), 0, 50, TimeUnit.MILLISECONDS);

        // 1. Connections that never send a byte: closed at the head deadline.
        int idle = 2_000;
        for (int i = 0; i < idle; i++) {
            sockets.add(connect());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> openFiles() >= baseFds + idle / 2);
        int idlePeak = openFiles();
        assertFilesBackNear(baseFds, "idle connections");
        assertThat(countClosed(sockets))
                .as("idle connections the server closed")
                .isEqualTo(idle);
        closeAll();

        // 2. Slowloris: one byte of a request head every 200 ms; each gets 408 at the head deadline.
        int slow = 200;
        List<Future<String>> slowAnswers = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            Socket s = connect();
            sockets.add(s);
            slowAnswers.add(clients.submit(() -> readAnswer(s, Duration.ofSeconds(10))));
            byte[] head = "GET /hi HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            AtomicLong sent = new AtomicLong();
            timer.scheduleAtFixedRate(
                    () -> {
                        int at = (int) sent.getAndIncrement();
                        if (at < head.length && !s.isClosed()) {
                            try {
                                s.getOutputStream().write(head[at]);
                            } catch (IOException e) {
                                sent.set(head.length); // cut by the server: stop feeding it
                            }
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);
        }
        int timedOut = 0;
        for (Future<String> f : slowAnswers) {
            timedOut += f.get(15, TimeUnit.SECONDS).startsWith("HTTP/1.1 408") ? 1 : 0;
        }
        assertThat(timedOut).as("slowloris connections answered 408").isEqualTo(slow);
        assertFilesBackNear(baseFds, "slowloris connections");
        closeAll();

        // 3. A ping flood that never reads: cut at the outbound bound, and the server stops reading it.
        int flooders = 4;
        List<Future<Long>> floods = new ArrayList<>();
        for (int i = 0; i < flooders; i++) {
            Socket s = upgrade("flood-" + i);
            sockets.add(s);
            floods.add(clients.submit(() -> pingUntilCut(s, 400_000)));
        }
        for (Future<Long> f : floods) {
            assertThat(f.get(60, TimeUnit.SECONDS))
                    .as("pings sent before the server cut the socket")
                    .isLessThan(400_000L);
        }
        assertFilesBackNear(baseFds, "ping floods");
        closeAll();

        // 4. Stalled uploads without a token: refused from the head, no body byte held.
        int uploads = 24;
        List<Future<String>> refusals = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
            Socket s = connect();
            sockets.add(s);
            boolean expect = i % 2 == 0;
            refusals.add(clients.submit(() -> stalledUpload(s, expect)));
        }
        for (Future<String> f : refusals) {
            assertThat(f.get(30, TimeUnit.SECONDS))
                    .as("answer to a stalled upload without a token")
                    .startsWith("HTTP/1.1 401");
        }
        assertFilesBackNear(baseFds, "stalled uploads");
        closeAll();

        // 5. A body over the limit on an ordinary route: 413 at once, the rest dropped.
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /users?api_key=" + TestServer.API_KEY + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readAnswer(s, Duration.ofSeconds(10))).startsWith("HTTP/1.1 413");
        }

        long growth = peakRssKib.get() - baseRss;
        System.out.printf(
                "resource suite on %s: RSS %d MiB at rest, peak +%d MiB; open files %d at rest, %d with %d idle"
                        + " connections, back to %d; %d/%d slowloris answered 408; %d ping floods and %d stalled uploads cut%n",
                TestServer.STORE,
                baseRss / 1024,
                growth / 1024,
                baseFds,
                idlePeak,
                idle,
                openFiles(),
                timedOut,
                slow,
                flooders,
                uploads);
        assertThat(growth).as("peak RSS growth in KiB over %d KiB", baseRss).isLessThan(RSS_GROWTH_BOUND_KIB);
        assertThat(server.admin().get("/hi").status()).isEqualTo(200);
    }

    private void assertFilesBackNear(int baseFds, String what) {
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(openFiles())
                        .as("server's open files after %s", what)
                        .isLessThanOrEqualTo(baseFds + FD_SLACK));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        return s;
    }

    /** A WebSocket of a fresh user, upgraded and past its {@code health.check}. */
    private Socket upgrade(String user) throws IOException {
        String json = java.net.URLEncoder.encode(
                "{\"user_id\":\"" + user + "\",\"user_details\":{\"id\":\"" + user + "\"}}", StandardCharsets.UTF_8);
        String token = dev.parley.protocol.Jwt.userToken(TestServer.API_SECRET, user, null, null);
        Socket s = connect();
        s.getOutputStream()
                .write(("GET /connect?json=" + json + "&api_key=" + TestServer.API_KEY + "&authorization="
                                + token + "&stream-auth-type=jwt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        String head = readAnswer(s, Duration.ofSeconds(10));
        assertThat(head).startsWith("HTTP/1.1 101");
        return s;
    }

    /** Sends masked pings of 125 bytes without reading, until the server cuts the socket or {@code max} went out. */
    private static long pingUntilCut(Socket s, int max) {
        byte[] frame = new byte[2 + 4 + 125];
        frame[0] = (byte) 0x89;
        frame[1] = (byte) (0x80 | 125);
        long sent = 0;
        try {
            OutputStream out = s.getOutputStream();
            byte[] batch = new byte[frame.length * 64];
            for (int i = 0; i < 64; i++) {
                System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
            }
            while (sent < max) {
                out.write(batch);
                sent += 64;
            }
        } catch (IOException e) {
            // the server closed the socket: the flood is over
        }
        return sent;
    }

    /** An upload of a declared 20 MB without a token: with {@code Expect}, waits; without, sends 2 MiB of it. */
    private String stalledUpload(Socket s, boolean expect) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("POST /channels/messaging/stall/file?api_key=" + TestServer.API_KEY + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 20000000\r\n"
                        + (expect ? "Expect: 100-continue\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        if (!expect) {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 32; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // refused and closed while sending: the answer is read below
            }
        }
        out.flush();
        return readAnswer(s, Duration.ofSeconds(10));
    }

    /** What the server sends first (its status line and head), "EOF" when it closes first, "silence" on none. */
    private static String readAnswer(Socket s, Duration wait) {
        try {
            s.setSoTimeout((int) wait.toMillis());
            InputStream in = s.getInputStream();
            byte[] buf = new byte[512];
            int n = in.read(buf);
            return n < 0 ? "EOF" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "silence";
        } catch (IOException e) {
            return "EOF";
        }
    }

    /** How many of {@code all} the server has closed, read with a short wait each (they were cut already). */
    private static long countClosed(List<Socket> all) {
        return all.stream()
                .filter(s -> readAnswer(s, Duration.ofSeconds(2)).equals("EOF"))
                .count();
    }

    private void closeAll() {
        sockets.forEach(ResourceSuiteTest::closeQuietly);
        sockets.clear();
    }

    private int openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(server.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(server.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0;
        } catch (IOException e) {
            return 0; // the process is gone; the checks after the phase say so
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a socket the server cut already
        }
    }
}
