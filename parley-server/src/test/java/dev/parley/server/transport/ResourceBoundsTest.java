package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Json;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What hostile connections can hold of the server: idle and slowloris HTTP connections, many connections from
 * one address, and a WebSocket client that pings without reading. Each is measured on the running server
 * (its open files, its queued bytes) and bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResourceBoundsTest {
    private static final Duration HEAD = Duration.ofMillis(500);
    private static final Duration BODY = Duration.ofMillis(500);
    private static final Duration KEEP_ALIVE = Duration.ofMillis(1500);

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(b -> b.requestHeadTimeout(HEAD)
            .requestBodyTimeout(BODY)
            .requestBodyMinRate(1024)
            .keepAliveTimeout(KEEP_ALIVE));

    private static final String PREFLIGHT = "OPTIONS /channels HTTP/1.1\r\nHost: x\r\n\r\n";

    /** File descriptors this process holds now: sockets of both the server and the test. */
    private static long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeAll(List<RawHttp> conns) {
        conns.forEach(RawHttp::close);
    }

    @Test
    void connectionsThatNeverSendAByteAreClosedWithoutAnAnswerAtTheHeadTimeoutAndGiveTheirFilesBack() {
        int n = 200;
        long before = openFiles();
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                idle.add(RawHttp.open(server.port()));
            }
            long start = System.nanoTime();
            for (RawHttp c : idle) {
                assertThat(c.readToEnd()).as("bytes sent to an idle connection").isEmpty();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HEAD.multipliedBy(20));

            // the server's ends are closed: what is left open is the test's own sockets (and a little slack
            // for files the JVM opens meanwhile), where the server's would double it
            await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= before + n + 50);
            try (RawHttp fresh = RawHttp.open(server.port())) {
                assertThat(fresh.send(PREFLIGHT).read().status()).isEqualTo(204);
            }
        } finally {
            closeAll(idle);
        }
    }

    @Test
    void slowlorisConnectionsSendingOneHeaderByteAtATimeAreAnswered408AndClosed() throws Exception {
        int n = 20;
        byte[] head = ("GET /channels HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(400) + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        List<RawHttp> slow = new ArrayList<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < n; i++) {
                slow.add(RawHttp.open(server.port()));
            }
            AtomicLong sent = new AtomicLong();
            drip.scheduleAtFixedRate(
                    () -> {
                        int i = (int) sent.getAndIncrement();
                        if (i < head.length) {
                            for (RawHttp c : slow) {
                                try {
                                    c.socket().getOutputStream().write(head[i]);
                                } catch (IOException closed) {
                                    // the server gave up on this one
                                }
                            }
                        }
                    },
                    0,
                    20,
                    TimeUnit.MILLISECONDS);

            for (RawHttp c : slow) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(408);
                assertThat(r.json().path("code").asInt()).isEqualTo(23);
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                c.readToEnd();
            }
            assertThat(sent.get())
                    .as("header bytes dripped before every connection was cut")
                    .isLessThan(head.length);
        } finally {
            drip.shutdownNow();
            closeAll(slow);
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedWithoutAnAnswerAfterTheKeepAliveTimeout() {
        try (RawHttp http = RawHttp.open(server.port())) {
            assertThat(http.send(PREFLIGHT).read().status()).isEqualTo(204);
            long answered = System.nanoTime();

            assertThat(http.readToEnd()).isEmpty();

            // not the head timeout, which is shorter: no byte of a next request came
            assertThat(Duration.ofNanos(System.nanoTime() - answered))
                    .isGreaterThanOrEqualTo(KEEP_ALIVE.minusMillis(100));
        }
    }

    @Test
    void aBodyThatStopsArrivingIsAnswered408() {
        try (RawHttp http = RawHttp.open(server.port())) {
            http.send(
                    "POST /channels HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":");

            RawHttp.Response r = http.read();

            assertThat(r.status()).isEqualTo(408);
            assertThat(r.json().path("code").asInt()).isEqualTo(23);
            http.readToEnd();
        }
    }

    @Test
    void anOpenWebSocketIsNotClosedByTheHttpTimeouts() {
        try (WsProbe ws = WsProbe.connect(server, "wes", server.userToken("wes"), Json.object())) {
            ws.next("health.check");

            await().during(KEEP_ALIVE.plus(HEAD).multipliedBy(2))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !ws.isClosed());
        }
    }

    @Test
    void pastTheCapPerAddressNewConnectionsAreClosedAtOnceWhileOtherAddressesAreServed() {
        int cap = 20;
        int attempts = 150;
        try (TestServer capped = TestServer.start(b -> b.maxConnectionsPerAddress(cap)
                .requestHeadTimeout(Duration.ofSeconds(60))
                .keepAliveTimeout(Duration.ofSeconds(60)))) {
            InetAddress crowd = loopback(2);
            long before = openFiles();
            List<RawHttp> held = new ArrayList<>();
            try {
                for (int i = 0; i < attempts; i++) {
                    held.add(RawHttp.open(capped.port(), crowd));
                }
                // each connection is admitted on its own event loop, so which ones come first is not fixed
                List<RawHttp> admitted = new ArrayList<>();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    admitted.clear();
                    held.stream().filter(c -> !c.closedByServer(1)).forEach(admitted::add);
                    return admitted.size() == cap;
                });
                // the server holds the admitted ones only; the test holds all of its own
                await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= before + attempts + cap + 50);
                for (RawHttp c : admitted) {
                    assertThat(c.send(PREFLIGHT).read().status()).isEqualTo(204);
                }
                try (RawHttp other = RawHttp.open(capped.port(), loopback(3))) {
                    assertThat(other.send(PREFLIGHT).read().status()).isEqualTo(204);
                }

                admitted.getFirst().close();
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    try (RawHttp again = RawHttp.open(capped.port(), crowd)) {
                        return !again.send(PREFLIGHT).closedByServer(200);
                    }
                });
            } finally {
                closeAll(held);
            }
        }
    }

    @Test
    void anAnonymousSocketThatPingsWithoutReadingIsCutAsASlowConsumerAndItsQueueStaysBounded() throws Exception {
        int highWater = 64 * 1024;
        try (TestServer small = TestServer.start(b -> b.outboundHighWaterBytes(highWater));
                RawHttp http = RawHttp.open(small.port(), null, 4096)) {
            RawWebSocket.upgrade(http, small, null);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> small.server().node().registry().all().size() == 1);
            WsSession session = (WsSession)
                    small.server().node().registry().all().iterator().next();
            byte[] ping = RawWebSocket.frame(RawWebSocket.PING, true, new byte[125]);
            byte[] burst = new byte[ping.length * 500];
            for (int i = 0; i < 500; i++) {
                System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread flood = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = http.socket().getOutputStream();
                    while (!stop.get()) {
                        out.write(burst);
                    }
                } catch (IOException closed) {
                    // the server cut the socket, or the test closed it
                }
            });
            try {
                AtomicLong maxQueued = new AtomicLong();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            maxQueued.accumulateAndGet(session.outboundQueueBytes(), Math::max);
                            return session.isClosing() || maxQueued.get() > 64L * highWater;
                        });

                assertThat(maxQueued.get()).as("bytes queued on the socket").isLessThanOrEqualTo(highWater + 8192L);
                assertThat(session.isClosing()).as("cut").isTrue();
                assertThat(session.channel().config().isAutoRead())
                        .as("the server still reads the socket")
                        .isFalse();
                assertThat(small.server().node().metrics().scrape())
                        .contains("parley_slow_consumer_disconnects_total 1.0");
                stop.set(true);
                http.readToEnd(); // the 1013 close frame may be lost: a socket closed with unread pings is reset
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> small.server().node().registry().all().isEmpty());
            } finally {
                stop.set(true);
                http.close();
                flood.join(10_000);
            }
        }
    }
}
