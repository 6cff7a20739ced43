package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.bench.floor.FloorServer;
import dev.parley.bench.load.Dialect;
import dev.parley.bench.load.Generator;
import dev.parley.bench.load.LoadClient;
import dev.parley.bench.load.Plan;
import dev.parley.bench.load.Result;
import dev.parley.bench.load.WorkerTask;
import dev.parley.bench.load.Workload;
import dev.parley.protocol.Jwt;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tiny run of each workload that can run today, in-process: correctness only (every connect answered,
 * every channel watched, every message delivered and warm-up messages not counted), never speed. Every
 * workload against Parley; the floor once, for the message variant of slow readers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SmokeBenchTest {
    private static final List<String> SOURCES = List.of("127.0.0.2", "127.0.0.3");

    private static Generator generator(Dialect d, int port, Plan plan) {
        return new Generator(
                d, "127.0.0.1", port, SOURCES, TestServer.API_KEY, 1, 1, c -> plan.slow(index(c.userId())));
    }

    private static int index(String userId) {
        return Integer.parseInt(userId.substring(userId.lastIndexOf('-') + 1));
    }

    @Test
    void idleUsersAllConnectWatchTheirOwnChannelAndStayOpenWithHeartbeats() {
        Plan plan = new Plan(Workload.W1, "smoke1", 0, 200, 0, 100, 10, 0, 2, 1000, 0, true);
        try (TestServer server = TestServer.start();
                Generator gen = generator(new Dialect.Stream(server.apiKey()), server.port(), plan);
                WorkerTask task = new WorkerTask(gen, plan, server.apiSecret())) {
            task.setup();
            task.run();
            Result r = task.result();
            assertThat(r.errors()).isEmpty();
            assertThat(r.connectsOk()).isEqualTo(200);
            assertThat(r.connectsFailed()).isZero();
            assertThat(r.watched()).isEqualTo(200);
            assertThat(r.open()).isEqualTo(200);
            assertThat(server.server().node().registry().all()).hasSize(200);
            ChannelHub hub = server.server().node().watchers();
            assertThat(IntStream.range(0, 200).filter(i -> hub.isWatching(plan.userId(i), "messaging:smoke1-u" + i)))
                    .hasSize(200);
        }
    }

    @Test
    void connectStormAnswersEveryConnectOfNewUsers() {
        Plan plan = new Plan(Workload.W2, "smoke2", 0, 400, 200, 50, 10, 0, 3, 1000);
        try (TestServer server = TestServer.start();
                Generator gen = generator(new Dialect.Stream(server.apiKey()), server.port(), plan);
                WorkerTask task = new WorkerTask(gen, plan, server.apiSecret())) {
            task.run();
            Result r = task.result();
            assertThat(r.errors()).isEmpty();
            assertThat(r.connectsFailed()).isZero();
            assertThat(r.connectsOk())
                    .isGreaterThan(0)
                    .isEqualTo(r.connectLatency().count());
            assertThat(server.server().node().users().find("smoke2-0")).isPresent();
        }
    }

    @Test
    void everyWatcherOfOneChannelReceivesEveryMessage() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertDelivered(server.port(), new Plan(Workload.W3, "smoke3", 0, 200, 0, 100, 10, 0, 1, 1000), 20, 200);
        }
    }

    @Test
    void everyMemberOfSmallChannelsReceivesItsChannelsMessages() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertDelivered(server.port(), new Plan(Workload.W4, "smoke4", 0, 200, 0, 100, 10, 0, 1, 1000), 20, 10);
        }
    }

    @Test
    void warmUpMessagesOfTheCoordinatorReachNoCount() throws Exception {
        Options o = Options.parse(
                new String[] {"w3", "--users", "200", "--msg-rate", "20", "--seconds", "1", "--warmup", "1"});
        Plan plan = new Plan(Workload.W3, "smoke7", 0, 200, 0, 100, 10, 0, 1, 1000, o.warmup(), false);
        Dialect d = new Dialect.Stream(TestServer.API_KEY);
        try (TestServer server = TestServer.start();
                Generator gen = generator(d, server.port(), plan);
                WorkerTask task = new WorkerTask(gen, plan, server.apiSecret())) {
            task.setup();
            assertThat(task.result().watched()).isEqualTo(200);
            long warm = Bench.sendMessages(
                    o,
                    d,
                    server.port(),
                    TestServer.API_KEY,
                    TestServer.API_SECRET,
                    plan.prefix(),
                    TimeUnit.SECONDS.toNanos(o.warmup()),
                    true);
            long sent = Bench.sendMessages(
                    o,
                    d,
                    server.port(),
                    TestServer.API_KEY,
                    TestServer.API_SECRET,
                    plan.prefix(),
                    Bench.measuredSendNanos(o),
                    false);
            assertThat(warm).isPositive();
            assertThat(sent).isPositive();
            // a channel's messages reach each socket in order: the warm-up ones have been read once these are
            long expected = sent * 200;
            await().atMost(Duration.ofSeconds(20)).until(() -> gen.delivered.sum() >= expected);
            assertThat(gen.delivered.sum()).isEqualTo(expected);
            assertThat(gen.deliveryLatency.count()).isEqualTo(expected);
        }
    }

    @Test
    void theFloorDeliversToEveryReaderWhileSomeStopReading() throws Exception {
        try (FloorServer floor = new FloorServer("127.0.0.1", 0)) {
            assertDelivered(floor.port(), new Plan(Workload.W3, "smoke5", 0, 200, 0, 100, 10, 0.05, 1, 1000), 20, 190);
        }
    }

    @Test
    void aSlowConsumerIsCutWithin30SecondsWhileOthersKeepTheirHeartbeats() {
        Plan plan = new Plan(Workload.W5, "smoke6", 0, 100, 0, 100, 10, 0.01, 1, 5_000);
        // a 16 KiB bound instead of 1 MiB, so that the backlog reaches it within seconds under leak detection
        try (TestServer server = TestServer.start(b -> b.outboundHighWaterBytes(16 * 1024));
                Generator gen = new Generator(
                        new Dialect.Stream(server.apiKey()),
                        "127.0.0.1",
                        server.port(),
                        SOURCES,
                        server.apiKey(),
                        1,
                        1,
                        c -> plan.slow(index(c.userId())),
                        4096);
                WorkerTask task = new WorkerTask(gen, plan, server.apiSecret())) {
            task.setup();
            task.startFlood();
            await().atMost(Duration.ofSeconds(40)).until(() -> gen.cutLatency.count() == 1);
            Result r = task.result();
            assertThat(r.slowUsers()).isEqualTo(1);
            assertThat(r.cutLatency().quantile(1.0)).isLessThan(30_000_000);
            assertThat(r.open()).isEqualTo(99);
            assertThat(r.heartbeatRtt().count()).isGreaterThan(0);
        }
    }

    /** Sends {@code messages} over the plan's channels; each must reach {@code readersPerMessage} sockets. */
    private static void assertDelivered(int port, Plan plan, int messages, int readersPerMessage) throws Exception {
        try (Generator gen = generator(new Dialect.Stream(TestServer.API_KEY), port, plan);
                WorkerTask task = new WorkerTask(gen, plan, TestServer.API_SECRET);
                Generator senderGen = new Generator(
                        new Dialect.Stream(TestServer.API_KEY),
                        "127.0.0.1",
                        port,
                        List.of("127.0.0.4"),
                        TestServer.API_KEY,
                        0,
                        1,
                        c -> false)) {
            task.setup();
            assertThat(task.result().connectsOk()).isEqualTo(plan.to() - plan.from());
            LoadClient sender = senderGen
                    .connect("sender", Jwt.userToken(TestServer.API_SECRET, "sender", null, null))
                    .get(10, TimeUnit.SECONDS);
            int groups = (plan.to() - plan.from()) / plan.groupSize();
            for (int i = 0; i < messages; i++) {
                int member = plan.workload() == Workload.W4 ? (i % groups) * plan.groupSize() : 0;
                String[] ch = plan.channelOf(member);
                String uid = plan.userId(member);
                senderGen.send(sender, uid, task.token(uid), ch[0], ch[1]).get(10, TimeUnit.SECONDS);
            }
            long expected = (long) messages * readersPerMessage;
            await().atMost(Duration.ofSeconds(20)).until(() -> gen.delivered.sum() >= expected);
            assertThat(gen.delivered.sum()).isEqualTo(expected);
            assertThat(gen.deliveryLatency.count()).isEqualTo(expected);
        }
    }
}
