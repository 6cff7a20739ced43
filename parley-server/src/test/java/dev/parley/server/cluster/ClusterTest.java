package dev.parley.server.cluster;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.IntegrationTest;
import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.TwoNodes;
import dev.parley.server.testing.WebhookReceiver;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes on one PostgreSQL schema and a Redis of the test's own (docs/PROTOCOL.md §8.5): events published on
 * one node reach the connections of the other, each exactly once, and what one node changes the other sees.
 */
@IntegrationTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterTest {
    static TwoNodes cluster;
    static LocalRedis redis;
    static String schema;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void startCluster() {
        cluster = TwoNodes.start("parley_cluster_");
        redis = cluster.redis();
        schema = cluster.schema();
        a = cluster.a();
        b = cluster.b();
    }

    @org.junit.jupiter.api.AfterEach
    void noRedisCallFailed() {
        assertThat(clusterOf(a).failures())
                .as("failed Redis calls on node a (its log names them)")
                .isZero();
        assertThat(clusterOf(b).failures())
                .as("failed Redis calls on node b (its log names them)")
                .isZero();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Connects {@code user} to {@code node} and watches {@code channel}; returns the socket after its health check. */
    static Watching watch(TestServer node, String user, String channel) {
        WsProbe ws = WsProbe.connect(node, user, node.userToken(user), Json.object());
        String conn = ws.next("health.check").path("connection_id").asText();
        RestClient rest = RestClient.user(node, user).withConnectionId(conn);
        assertThat(rest.post("/channels/messaging/" + channel + "/query", json("watch", true, "state", true))
                        .status())
                .isEqualTo(200);
        return new Watching(ws, rest);
    }

    record Watching(WsProbe ws, RestClient rest) implements AutoCloseable {
        @Override
        public void close() {
            ws.close();
        }
    }

    static String channelOf(String... members) {
        String id = uid("room");
        ObjectNode[] users = new ObjectNode[members.length];
        for (int i = 0; i < members.length; i++) {
            users[i] = json("id", members[i], "name", members[i]);
        }
        assertThat(Seed.users(a, users).status()).isEqualTo(200);
        assertThat(Seed.messaging(a, members[0], id, members).status()).isEqualTo(200);
        return id;
    }

    @Test
    void aMessageSentOnOneNodeReachesWatchersOnBothNodesOnceWithTheirOwnUnreadCounts() {
        String ann = uid("ann");
        String bob = uid("bob");
        String cat = uid("cat");
        String id = channelOf(ann, bob, cat);
        try (Watching annOnA = watch(a, ann, id);
                Watching bobOnB = watch(b, bob, id);
                Watching catOnA = watch(a, cat, id)) {
            RestClient.Response sent = bobOnB.rest()
                    .post("/channels/messaging/" + id + "/message", json("message", json("text", "across")));
            ObjectNode toAnn = annOnA.ws().next("message.new");
            ObjectNode toCat = catOnA.ws().next("message.new");
            ObjectNode toBob = bobOnB.ws().next("message.new");
            // A second one, published after the first, must be the next message.new each socket sees: no duplicate.
            RestClient.Response back =
                    annOnA.rest().post("/channels/messaging/" + id + "/message", json("message", json("text", "back")));

            assertThat(sent.status()).isEqualTo(200);
            assertThat(back.status()).as("%s", back).isEqualTo(200);
            assertThat(toAnn.path("message").path("text").asText()).isEqualTo("across");
            assertThat(toAnn.path("unread_count").asInt()).isEqualTo(1);
            assertThat(toAnn.path("total_unread_count").asInt()).isEqualTo(1);
            assertThat(toCat.path("message").path("id").asText())
                    .isEqualTo(toAnn.path("message").path("id").asText());
            assertThat(toBob.path("unread_count").asInt()).isZero();
            assertThat(annOnA.ws()
                            .next("message.new")
                            .path("message")
                            .path("text")
                            .asText())
                    .isEqualTo("back");
            ObjectNode backToBob = bobOnB.ws().next("message.new");
            assertThat(backToBob.path("message").path("text").asText()).isEqualTo("back");
            assertThat(backToBob.path("unread_count").asInt())
                    .as("bob's count on node b after ann's reply on node a")
                    .isEqualTo(1);
        }
    }

    @Test
    void twoNodesSendingToOneChannelAtOnceKeepItsSequenceGaplessAndLoseNothing() throws Exception {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        int each = 25;
        try (Watching annOnA = watch(a, ann, id)) {
            RestClient annRest = RestClient.user(a, ann);
            RestClient bobRest = RestClient.user(b, bob);
            var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < each; i++) {
                int n = i;
                statuses.add(pool.submit(() -> annRest.post(
                                "/channels/messaging/" + id + "/message", json("message", json("text", "a" + n)))
                        .status()));
                statuses.add(pool.submit(() -> bobRest.post(
                                "/channels/messaging/" + id + "/message", json("message", json("text", "b" + n)))
                        .status()));
            }
            java.util.Set<Long> seqs = new java.util.TreeSet<>();
            java.util.Set<String> texts = new java.util.HashSet<>();
            java.util.SortedMap<Long, Instant> times = new java.util.TreeMap<>();
            for (int i = 0; i < 2 * each; i++) {
                ObjectNode e = annOnA.ws().next("message.new");
                seqs.add(e.path("channel_seq").asLong());
                texts.add(e.path("message").path("text").asText());
                times.put(
                        e.path("channel_seq").asLong(),
                        Timestamps.parse(e.path("message").path("created_at").asText(), "created_at"));
            }
            pool.shutdown();
            List<Integer> codes = new java.util.ArrayList<>();
            for (var f : statuses) {
                codes.add(f.get());
            }

            assertThat(codes).containsOnly(200);
            assertThat(texts).hasSize(2 * each);
            assertThat(seqs).hasSize(2 * each);
            long first = seqs.iterator().next();
            assertThat(((java.util.TreeSet<Long>) seqs).last() - first + 1)
                    .as("the sequence numbers of %s are one unbroken run", seqs)
                    .isEqualTo(2 * each);
            assertThat(List.copyOf(times.values()))
                    .as("creation times in sequence order")
                    .isSortedAccordingTo(java.util.Comparator.naturalOrder())
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void aNodeWhoseClockIsBehindStillStampsItsMessageAfterTheChannelsLatest() {
        String ann = uid("ann");
        String id = channelOf(ann);
        java.time.Clock behind = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(-2));
        try (TestServer late = TestServer.start(
                behind,
                c -> c.databaseUrl(TestServer.postgresUrl(schema))
                        .redisUrl(redis.url())
                        .nodeId("node-late"))) {
            // silent: the channel's last_message_at stays where it was, only the messages show the latest time
            ObjectNode first = RestClient.user(a, ann)
                    .post(
                            "/channels/messaging/" + id + "/message",
                            json("message", json("text", "on time", "silent", true)))
                    .json();
            ObjectNode second = RestClient.user(late, ann)
                    .post("/channels/messaging/" + id + "/message", json("message", json("text", "late clock")))
                    .json();

            Instant t1 =
                    Timestamps.parse(first.path("message").path("created_at").asText(), "created_at");
            Instant t2 =
                    Timestamps.parse(second.path("message").path("created_at").asText(), "created_at");
            assertThat(t2)
                    .as("the late node's message is stamped after the first")
                    .isAfter(t1);
            ObjectNode page = RestClient.user(a, ann)
                    .post("/channels/messaging/" + id + "/query", json("state", true))
                    .json();
            assertThat(page.path("messages").findValuesAsText("text")).containsExactly("on time", "late clock");
        }
    }

    /** Subscribes {@code watcher}'s socket on {@code node} to the presence of {@code user}. */
    static void followPresence(TestServer node, String watcher, String conn, String user) {
        RestClient.Response r = RestClient.user(node, watcher)
                .withConnectionId(conn)
                .getPayload("/users", json("filter_conditions", json("id", user), "presence", true));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    static boolean onlineInStore(TestServer node, String user) {
        return RestClient.server(node)
                .getPayload("/users", json("filter_conditions", json("id", user)))
                .body()
                .path("users")
                .path(0)
                .path("online")
                .asBoolean();
    }

    @Test
    void aUserWithSocketsOnTwoNodesIsOnlineUntilItsLastSocketAnywhereCloses() {
        String hal = uid("hal");
        String ivy = uid("ivy");
        assertThat(Seed.users(a, json("id", hal), json("id", ivy)).status()).isEqualTo(200);
        try (WsProbe halOnA = WsProbe.connect(a, hal, a.userToken(hal), Json.object())) {
            String conn = halOnA.next("health.check").path("connection_id").asText();
            followPresence(a, hal, conn, ivy);
            WsProbe ivyOnA = WsProbe.connect(a, ivy, a.userToken(ivy), Json.object());
            ivyOnA.next("health.check");
            ObjectNode online = halOnA.next("user.presence.changed");
            WsProbe ivyOnB = WsProbe.connect(b, ivy, b.userToken(ivy), Json.object());
            ivyOnB.next("health.check");
            assertThat(clusterOf(a).registry().connectionCount(ivy)).isEqualTo(2);

            ivyOnA.close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> clusterOf(b).registry().connectionCount(ivy) == 1);
            boolean stillOnline = onlineInStore(b, ivy);
            ivyOnB.close();
            ObjectNode offline = halOnA.next("user.presence.changed");

            assertThat(online.at("/user/online").asBoolean()).isTrue();
            assertThat(stillOnline)
                    .as("online while the socket on node b is open")
                    .isTrue();
            assertThat(offline.at("/user/id").asText()).isEqualTo(ivy);
            assertThat(offline.at("/user/online").asBoolean())
                    .as("the first presence change after the first socket closed is the last socket's")
                    .isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> !onlineInStore(a, ivy));
        }
    }

    @Test
    void theSocketsOfAKilledNodeLeaveTheClusterAndTheirUsersGoOfflineAndStopWatching() throws Exception {
        String gus = uid("gus");
        String ann = uid("ann");
        String id = channelOf(ann, gus);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("parley-node-c-");
        try (Watching annOnA = watch(a, ann, id);
                dev.parley.server.testing.ServerProcess c = dev.parley.server.testing.ServerProcess.start(
                        dir,
                        TestServer.postgresUrl(schema),
                        dir.resolve("node-c.log"),
                        "--redis-url",
                        redis.url(),
                        "--node-id",
                        "node-c");
                dev.parley.server.testing.RawWebSocket ws = dev.parley.server.testing.RawWebSocket.open(
                        c.port(), connectQuery(gus, a.userToken(gus)), 10_000)) {
            assertThat(ws.status()).isEqualTo(101);
            String hello = ws.nextData().text();
            assertThat(hello).contains("health.check");
            String conn =
                    Json.parse(hello, "health.check").path("connection_id").asText();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> clusterOf(a).registry().connectionCount(gus) == 1);
            assertThat(clusterOf(a).registry().liveNodes()).contains("node-c");
            assertThat(onlineInStore(a, gus)).isTrue();
            assertThat(RestClient.user(a, gus)
                            .withConnectionId(conn)
                            .post("/channels/messaging/" + id + "/query", json("watch", true))
                            .status())
                    .as("gus's socket on node c watches, through node a")
                    .isEqualTo(200);
            annOnA.ws().next("user.watching.start");

            c.kill();

            ObjectNode stop = annOnA.ws()
                    .poll("user.watching.stop", Duration.ofSeconds(25))
                    .orElseThrow(() -> new AssertionError("no user.watching.stop within 25 s of the kill"));
            assertThat(stop.path("user").path("id").asText()).isEqualTo(gus);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> clusterOf(a).registry().connectionCount(gus) == 0 && !onlineInStore(a, gus));
            assertThat(clusterOf(a).registry().liveNodes()).doesNotContain("node-c");
        }
    }

    /** The path and query of a user's socket, as the JS SDK sends them. */
    static String connectQuery(String user, String token) {
        String json = Json.write(json("user_id", user, "user_details", json("id", user)));
        return "/connect?api_key=" + TestServer.API_KEY + "&stream-auth-type=jwt&authorization=" + token + "&json="
                + java.net.URLEncoder.encode(json, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aWatchAndAPresenceQueryThatReachAnotherNodeThanTheSocketSubscribeIt() {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        try (WsProbe annOnA = WsProbe.connect(a, ann, a.userToken(ann), Json.object())) {
            String conn = annOnA.next("health.check").path("connection_id").asText();
            RestClient viaB = RestClient.user(b, ann).withConnectionId(conn);

            RestClient.Response watched =
                    viaB.post("/channels/messaging/" + id + "/query", json("watch", true, "state", true));
            assertThat(watched.status()).isEqualTo(200);
            assertThat(viaB.getPayload("/users", json("filter_conditions", json("id", bob), "presence", true))
                            .status())
                    .isEqualTo(200);
            RestClient.user(b, bob)
                    .post("/channels/messaging/" + id + "/message", json("message", json("text", "via b")));
            ObjectNode got = annOnA.next("message.new");
            WsProbe bobOnB = WsProbe.connect(b, bob, b.userToken(bob), Json.object());
            bobOnB.next("health.check");
            ObjectNode online = annOnA.next("user.presence.changed");
            bobOnB.close();

            assertThat(got.path("message").path("text").asText()).isEqualTo("via b");
            assertThat(online.at("/user/id").asText()).isEqualTo(bob);
            assertThat(clusterOf(a).subscribedTo("c:messaging:" + id)).isTrue();
            assertThat(clusterOf(b).subscribedTo("c:messaging:" + id))
                    .as("node b holds no watcher of the channel")
                    .isFalse();
        }
    }

    @Test
    void theOperatorSeesAUserWithASocketOnEachNodeFromEitherNodeAndClosesOneFromTheOther() {
        String jon = uid("jon");
        assertThat(Seed.users(a, json("id", jon)).status()).isEqualTo(200);
        try (WsProbe onA = WsProbe.connect(a, jon, a.userToken(jon), Json.object());
                WsProbe onB = WsProbe.connect(b, jon, b.userToken(jon), Json.object())) {
            String connA = onA.next("health.check").path("connection_id").asText();
            onB.next("health.check");

            RestClient.Response dupes = RestClient.server(a).get("/parley/connections/users?min=2&limit=1000");
            RestClient.Response his = RestClient.server(b).get("/parley/connections?user_id=" + jon);
            RestClient.Response nodes = RestClient.server(b).get("/parley/nodes");
            RestClient.Response closed = RestClient.server(b).delete("/parley/connections/" + connA);

            assertThat(dupes.status()).as("%s", dupes).isEqualTo(200);
            ObjectNode found = null;
            for (var u : dupes.body().path("users")) {
                if (u.path("user_id").asText().equals(jon)) {
                    found = (ObjectNode) u;
                }
            }
            assertThat(found)
                    .as("jon among the users with two sockets: %s", dupes.body())
                    .isNotNull();
            assertThat(found.path("connection_count").asInt()).isEqualTo(2);
            assertThat(List.of(
                            found.at("/connections/0/node").asText(),
                            found.at("/connections/1/node").asText()))
                    .containsExactlyInAnyOrder("node-a", "node-b");
            assertThat(his.body().path("total").asInt()).isEqualTo(2);
            assertThat(nodes.body().path("clustered").asBoolean()).isTrue();
            assertThat(nodes.body().findValuesAsText("node_id")).contains("node-a", "node-b");
            assertThat(nodes.body().findValuesAsText("address"))
                    .as("each node's address names the port it serves on")
                    .anyMatch(x -> x.endsWith(":" + a.port()))
                    .anyMatch(x -> x.endsWith(":" + b.port()));
            assertThat(closed.status()).as("%s", closed).isEqualTo(200);
            assertThat(closed.body().path("user_id").asText()).isEqualTo(jon);
            assertThat(onA.closeCode()).isEqualTo(4000);
            assertThat(RestClient.server(b)
                            .delete("/parley/connections/" + connA)
                            .status())
                    .as("a closed connection")
                    .isEqualTo(404);
        }
    }

    @Test
    void oneClientMessageIdSentToBothNodesAtOnceIsStoredOnceAndRefusedOnce() throws Exception {
        String ann = uid("ann");
        String id = channelOf(ann);
        String mid = uid("twice");
        ObjectNode body = json("message", json("id", mid, "text", "once"));
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var onA = pool.submit(() -> RestClient.user(a, ann).post("/channels/messaging/" + id + "/message", body));
            var onB = pool.submit(() -> RestClient.user(b, ann).post("/channels/messaging/" + id + "/message", body));
            List<RestClient.Response> both = List.of(onA.get(), onB.get());

            assertThat(both.stream().map(RestClient.Response::status)).containsExactlyInAnyOrder(200, 400);
            RestClient.Response refused =
                    both.stream().filter(r -> r.status() == 400).findFirst().orElseThrow();
            assertThat(refused.code()).isEqualTo(4);
            assertThat(refused.message()).contains("already exists");
        }
    }

    @Test
    void eachNodesMetricsCarryItsId() {
        String text = java.net.http.HttpClient.newHttpClient()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(b.baseUrl() + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .join()
                .body();

        assertThat(text).contains("parley_connects_total{node=\"node-b\"}");
    }

    @Test
    void eventsRedisLostAreFilledFromTheStoreInSequenceOrder() {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        RedisBroker onA = clusterOf(a);
        try (Watching annOnA = watch(a, ann, id)) {
            RestClient bobOnB = RestClient.user(b, bob);
            java.util.function.Consumer<String> send = text -> assertThat(
                            bobOnB.post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                                    .status())
                    .isEqualTo(200);
            send.accept("m1");
            assertThat(annOnA.ws()
                            .next("message.new")
                            .path("message")
                            .path("text")
                            .asText())
                    .isEqualTo("m1");

            onA.loseIncoming(2);
            send.accept("m2");
            send.accept("m3");
            send.accept("m4");
            List<ObjectNode> got = List.of(
                    annOnA.ws().next("message.new"),
                    annOnA.ws().next("message.new"),
                    annOnA.ws().next("message.new"));
            onA.loseIncoming(1);
            send.accept("m5");
            ObjectNode trailing = annOnA.ws().next("message.new");

            assertThat(got.stream().map(e -> e.path("message").path("text").asText()))
                    .as("the two lost, filled before the one that revealed the gap")
                    .containsExactly("m2", "m3", "m4");
            assertThat(got.stream().map(e -> e.path("channel_seq").asLong()))
                    .isSortedAccordingTo(Long::compare)
                    .doesNotHaveDuplicates();
            assertThat(trailing.path("message").path("text").asText())
                    .as("a lost last event, filled by the position check")
                    .isEqualTo("m5");
            assertThat(annOnA.ws().poll("message.new", Duration.ofMillis(300)))
                    .as("no duplicate")
                    .isEmpty();
        }
    }

    @Test
    void watcherCountsAndWatchingEventsAreTheClusters() {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        try (Watching annOnA = watch(a, ann, id)) {
            WsProbe bobOnB = WsProbe.connect(b, bob, b.userToken(bob), Json.object());
            String connB = bobOnB.next("health.check").path("connection_id").asText();
            RestClient.Response watched = RestClient.user(b, bob)
                    .withConnectionId(connB)
                    .post("/channels/messaging/" + id + "/query", json("watch", true, "state", true));
            ObjectNode start = annOnA.ws().next("user.watching.start");
            WsProbe bobOnA = WsProbe.connect(a, bob, a.userToken(bob), Json.object());
            String connA = bobOnA.next("health.check").path("connection_id").asText();
            RestClient.Response second = RestClient.user(a, bob)
                    .withConnectionId(connA)
                    .post("/channels/messaging/" + id + "/query", json("watch", true, "state", true));
            bobOnA.close();
            bobOnB.close();
            List<String> between = new java.util.ArrayList<>();
            ObjectNode stop;
            while (true) {
                ObjectNode f = annOnA.ws().next();
                if (f.path("type").asText().equals("user.watching.stop")) {
                    stop = f;
                    break;
                }
                between.add(f.path("type").asText());
            }

            assertThat(watched.body().path("watcher_count").asInt()).isEqualTo(2);
            assertThat(start.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(start.path("watcher_count").asInt()).isEqualTo(2);
            assertThat(second.body().path("watcher_count").asInt())
                    .as("bob's second socket, on the other node, is the same watcher")
                    .isEqualTo(2);
            assertThat(stop.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(stop.path("watcher_count").asInt()).isEqualTo(1);
            assertThat(between).as("no start for bob's second socket").doesNotContain("user.watching.start");
        }
    }

    @Test
    void thePerUserConnectionLimitCountsSocketsOnEveryNode() throws Exception {
        String kim = uid("kim");
        String lee = uid("lee");
        assertThat(Seed.users(a, json("id", kim), json("id", lee)).status()).isEqualTo(200);
        RestClient admin = RestClient.server(a);
        try {
            assertThat(admin.patch("/app", json("max_connections_per_user", 1, "connection_policy", "close_oldest"))
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.server()
                                    .node()
                                    .settings()
                                    .connectionLimit(b.config())
                                    .max()
                            == 1);
            try (WsProbe first = WsProbe.connect(a, kim, a.userToken(kim), Json.object())) {
                first.next("health.check");
                WsProbe second = WsProbe.connect(b, kim, b.userToken(kim), Json.object());
                second.next("health.check");

                assertThat(first.closeCode())
                        .as("the older socket, on the other node")
                        .isEqualTo(4071);
                second.close();
            }

            assertThat(admin.patch("/app", json("connection_policy", "reject_new"))
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.server()
                                    .node()
                                    .settings()
                                    .connectionLimit(b.config())
                                    .mode()
                            == dev.parley.server.usage.ConnectionPolicy.Mode.REJECT_NEW);
            try (WsProbe first = WsProbe.connect(a, lee, a.userToken(lee), Json.object())) {
                first.next("health.check");
                WsProbe refused = WsProbe.connect(b, lee, b.userToken(lee), Json.object());
                ObjectNode error = refused.next();

                assertThat(error.path("error").path("code").asInt())
                        .as("%s", error)
                        .isEqualTo(71);
                refused.close();
            }
            // A user's two connects reaching the two nodes at once: one passes, as one node alone would.
            for (int i = 0; i < 5; i++) {
                String duo = uid("duo");
                try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    var onA = pool.submit(() -> WsProbe.connect(a, duo, a.userToken(duo), Json.object()));
                    var onB = pool.submit(() -> WsProbe.connect(b, duo, b.userToken(duo), Json.object()));
                    try (WsProbe pa = onA.get();
                            WsProbe pb = onB.get()) {
                        List<ObjectNode> answers = List.of(pa.next(), pb.next());
                        assertThat(answers.stream()
                                        .filter(x -> x.path("type").asText().equals("health.check"))
                                        .count())
                                .as("connects admitted of %s", answers)
                                .isEqualTo(1);
                    }
                }
            }
        } finally {
            admin.patch(
                    "/app", Json.object().putNull("max_connections_per_user").putNull("connection_policy"));
        }
    }

    @Test
    void usageCountsTheSocketsAndUsersOfEveryNode() {
        String zed = uid("zed");
        assertThat(Seed.users(a, json("id", zed)).status()).isEqualTo(200);
        try (WsProbe onA = WsProbe.connect(a, zed, a.userToken(zed), Json.object());
                WsProbe onB = WsProbe.connect(b, zed, b.userToken(zed), Json.object())) {
            onA.next("health.check");
            onB.next("health.check");
            var nodeA = a.server().node();
            var nodeB = b.server().node();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> nodeA.currentConnections()
                            == nodeA.registry().totalConnections()
                                    + nodeB.registry().totalConnections());
            RestClient.Response current = RestClient.server(b).get("/parley/usage/current");

            assertThat(current.body().path("connections").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(current.body().path("users_with_several_connections").asLong())
                    .isGreaterThanOrEqualTo(1);
            assertThat(current.body().path("users").asLong())
                    .as("zed counts once")
                    .isLessThan(current.body().path("connections").asLong());
            assertThat(nodeB.todaysPeak().peak())
                    .isGreaterThanOrEqualTo(nodeB.registry().todaysPeak().peak());
        }
    }

    @Test
    void typingOnOneNodeReachesAWatcherOnTheOther() {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        try (Watching annOnA = watch(a, ann, id);
                Watching bobOnB = watch(b, bob, id)) {
            bobOnB.rest().post("/channels/messaging/" + id + "/event", json("event", json("type", "typing.start")));

            ObjectNode typing = annOnA.ws().next("typing.start");

            assertThat(typing.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(typing.path("cid").asText()).isEqualTo("messaging:" + id);
        }
    }

    @Test
    void aMemberWhoWatchesNowhereGetsTheNotificationOnItsOwnNode() {
        String ann = uid("ann");
        String dan = uid("dan");
        String id = channelOf(ann, dan);
        try (Watching annOnA = watch(a, ann, id);
                WsProbe danOnB = WsProbe.connect(b, dan, b.userToken(dan), Json.object())) {
            danOnB.next("health.check");

            annOnA.rest().post("/channels/messaging/" + id + "/message", json("message", json("text", "hello dan")));
            ObjectNode note = danOnB.next("notification.message_new");

            assertThat(note.path("message").path("text").asText()).isEqualTo("hello dan");
            assertThat(note.path("unread_count").asInt()).isEqualTo(1);
            assertThat(note.path("total_unread_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aMessageSentThroughOneNodeRaisesTheUnreadCountTheOtherNodeKeeps() {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = channelOf(ann, bob);
        RestClient bobOnA = RestClient.user(a, bob);
        assertThat(bobOnA.get("/unread").json().path("total_unread_count").asInt())
                .as("read once on node a, which keeps it")
                .isZero();

        assertThat(RestClient.user(b, ann)
                        .post("/channels/messaging/" + id + "/message", json("message", json("text", "to bob")))
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        bobOnA.get("/unread").json().path("total_unread_count").asInt() == 1);
    }

    @Test
    void aChannelFrozenThroughOneNodeRefusesMessagesOnTheOther() {
        String ann = uid("ann");
        String id = channelOf(ann);
        RestClient annOnA = RestClient.user(a, ann);
        String path = "/channels/messaging/" + id + "/message";
        assertThat(annOnA.post(path, json("message", json("text", "before"))).status())
                .as("node a keeps the channel's row from here")
                .isEqualTo(200);

        assertThat(RestClient.server(b)
                        .patch("/channels/messaging/" + id, json("set", json("frozen", true)))
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> annOnA.post(path, json("message", json("text", "after")))
                                .status()
                        == 403);
    }

    @Test
    void aConnectedUserRenamedThroughOneNodeIsRenamedOnTheNodeOfItsSocket() {
        String cat = uid("cat");
        String id = channelOf(cat);
        try (WsProbe catOnA = WsProbe.connect(a, cat, a.userToken(cat), Json.object())) {
            catOnA.next("health.check");

            assertThat(RestClient.server(b)
                            .patch(
                                    "/users",
                                    json("users", Json.array().add(json("id", cat, "set", json("name", "Renamed")))))
                            .status())
                    .isEqualTo(200);

            RestClient catRest = RestClient.user(a, cat);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> catRest.post(
                                    "/channels/messaging/" + id + "/message", json("message", json("text", "who am i")))
                            .json()
                            .path("message")
                            .path("user")
                            .path("name")
                            .asText()
                            .equals("Renamed"));
        }
    }

    @Test
    void deactivatingAUserOnOneNodeClosesItsSocketOnTheOther() {
        String eve = uid("eve");
        assertThat(Seed.users(a, json("id", eve)).status()).isEqualTo(200);
        try (WsProbe eveOnB = WsProbe.connect(b, eve, b.userToken(eve), Json.object())) {
            eveOnB.next("health.check");

            RestClient.Response done = RestClient.server(a).post("/users/" + eve + "/deactivate", json());

            assertThat(done.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(eveOnB::isClosed);
            assertThat(eveOnB.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void anAppWideTokenRevocationOnOneNodeRefusesOlderTokensOnTheOther() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String old = Jwt.userToken(b.apiSecret(), uid("rev"), null, now.minusSeconds(60));
        RestClient onB = RestClient.server(b).withToken(old);
        assertThat(onB.get("/app").status()).as("before the revocation").isEqualTo(200);
        try {
            RestClient.Response patched = RestClient.server(a)
                    .patch("/app", json("revoke_tokens_issued_before", Timestamps.format(now.minusSeconds(30))));

            assertThat(patched.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.get("/app").code() == 40);
        } finally {
            RestClient.server(a).patch("/app", Json.object().putNull("revoke_tokens_issued_before"));
        }
    }

    @Test
    void aNodeSubscribesToAChannelWhileOneOfItsSocketsWatchesIt() {
        String ann = uid("ann");
        String id = channelOf(ann);
        RedisBroker broker = clusterOf(a);
        try (Watching annOnA = watch(a, ann, id)) {
            assertThat(broker.subscribedTo("c:messaging:" + id)).isTrue();
            assertThat(broker.subscribedTo("u:" + ann)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !broker.subscribedTo("c:messaging:" + id) && !broker.subscribedTo("u:" + ann));
        assertThat(broker.failures()).isZero();
    }

    private static RedisBroker clusterOf(TestServer node) {
        RedisBroker cluster = node.server().node().cluster();
        assertThat(cluster).isNotNull();
        return cluster;
    }

    static List<String> nodes() {
        return List.of(a.server().node().nodeId(), b.server().node().nodeId());
    }

    @Test
    void eachNodeHasTheIdItWasGiven() {
        assertThat(nodes()).containsExactly("node-a", "node-b");
    }

    @Test
    void oneNodeAtATimeHoldsALargeChannelsIntervalForWatchingEvents() {
        long minute = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        String cid = "livestream:paced-" + UUID.randomUUID();

        assertThat(clusterOf(a).registry().claimInterval(cid, minute)).isZero();
        long waitB = clusterOf(b).registry().claimInterval(cid, minute);
        long waitA = clusterOf(a).registry().claimInterval(cid, minute);

        assertThat(waitB).isPositive().isLessThanOrEqualTo(minute);
        assertThat(waitA)
                .as("the holder's own next event waits for its interval too")
                .isPositive();
        assertThat(clusterOf(b).registry().claimInterval("livestream:other-" + UUID.randomUUID(), minute))
                .as("another channel's interval is free")
                .isZero();
    }

    @Test
    void partialUpdatesOfOneUserThroughBothNodesAtOnceKeepEveryField() throws Exception {
        String kim = uid("kim");
        assertThat(RestClient.server(a)
                        .post("/users", json("users", json(kim, json("id", kim))))
                        .status())
                .isEqualTo(200);
        int each = 15;
        List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < each; i++) {
                for (TestServer node : List.of(a, b)) {
                    int n = i;
                    String field = node.server().node().nodeId().replace('-', '_') + "_" + n;
                    statuses.add(pool.submit(() -> RestClient.server(node)
                            .patch("/users", json("users", Json.array().add(json("id", kim, "set", json(field, n)))))
                            .status()));
                }
            }
            for (var f : statuses) {
                assertThat(f.get()).isEqualTo(200);
            }
        }

        ObjectNode stored = RestClient.server(b)
                .get("/users?payload="
                        + java.net.URLEncoder.encode(
                                json("filter_conditions", json("id", kim)).toString(),
                                java.nio.charset.StandardCharsets.UTF_8))
                .json()
                .path("users")
                .path(0)
                .deepCopy();
        for (int i = 0; i < each; i++) {
            assertThat(stored.path("node_a_" + i).asInt(-1))
                    .as("node_a_%d in %s", i, stored)
                    .isEqualTo(i);
            assertThat(stored.path("node_b_" + i).asInt(-1))
                    .as("node_b_%d in %s", i, stored)
                    .isEqualTo(i);
        }
    }

    @Test
    void oneNodeDeliversEachWebhookEventOnceWhicheverNodeTookTheChange() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            assertThat(RestClient.server(a)
                            .patch("/app", json("webhook_url", receiver.url()))
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> receiver.url()
                            .equals(RestClient.server(b)
                                    .get("/app")
                                    .body()
                                    .path("app")
                                    .path("webhook_url")
                                    .asText()));
            String channel = channelOf("hook-a", "hook-b");
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                TestServer node = i % 2 == 0 ? a : b;
                RestClient.Response r = RestClient.user(node, "hook-a")
                        .post("/channels/messaging/" + channel + "/message", json("message", json("text", "w" + i)));
                assertThat(r.status()).as("%s", r).isEqualTo(200);
                sent.add(r.body().path("message").path("id").asText());
            }

            List<String> arrived = new ArrayList<>();
            while (arrived.size() < sent.size()) {
                arrived.add(receiver.next("message.new")
                        .json()
                        .path("message")
                        .path("id")
                        .asText());
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> RestClient.server(a)
                                    .get("/parley/webhooks")
                                    .body()
                                    .path("pending")
                                    .asLong()
                            == 0);

            assertThat(arrived).as("in the order sent, each once").containsExactlyElementsOf(sent);
            assertThat(receiver.all().stream().filter(r -> r.type().equals("message.new")))
                    .as("no second delivery by the other node")
                    .hasSize(sent.size());
            List<Boolean> delivering = List.of(
                    RestClient.server(a)
                            .get("/parley/webhooks")
                            .body()
                            .path("delivering_node")
                            .asBoolean(),
                    RestClient.server(b)
                            .get("/parley/webhooks")
                            .body()
                            .path("delivering_node")
                            .asBoolean());
            assertThat(delivering).as("the lease holder, one of the two").containsExactlyInAnyOrder(true, false);
        } finally {
            RestClient.server(a).patch("/app", json("webhook_url", ""));
        }
    }

    @Test
    void aMessagesPushLeavesOutAWatcherOnTheOtherNodeAndIsSentOnceByTheNodeThatStoredIt() {
        String ann = uid("ann");
        String bob = uid("bob");
        String cat = uid("cat");
        String id = channelOf(ann, bob, cat);
        try (WebhookReceiver receiver = WebhookReceiver.start();
                Watching bobOnB = watch(b, bob, id)) {
            RestClient.Response up = RestClient.server(a)
                    .post(
                            "/push_providers",
                            json(
                                    "push_provider",
                                    json("type", "webhook", "name", "cluster", "webhook_url", receiver.url())));
            assertThat(up.status()).as("%s", up).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> RestClient.server(b)
                                    .get("/push_providers")
                                    .body()
                                    .path("push_providers")
                                    .size()
                            == 1);
            List<String> sent = new ArrayList<>();
            for (TestServer node : List.of(a, b)) {
                RestClient.Response r = RestClient.user(node, ann)
                        .post("/channels/messaging/" + id + "/message", json("message", json("text", "push me")));
                assertThat(r.status()).as("%s", r).isEqualTo(200);
                sent.add(r.body().path("message").path("id").asText());
            }

            for (int i = 0; i < sent.size(); i++) {
                JsonNode push = receiver.next("push.message.new").json();
                assertThat(sent).contains(push.path("message").path("id").asText());
                List<String> to = new ArrayList<>();
                push.path("receivers")
                        .forEach(x -> to.add(x.path("user").path("id").asText()));
                assertThat(to).as("bob watches on node b; ann sent it").containsExactly(cat);
            }
            assertThat(receiver.all().stream().filter(r -> r.type().equals("push.message.new")))
                    .as("each message's push once, from one node")
                    .hasSize(sent.size());
        } finally {
            RestClient.server(a).call("DELETE", "/push_providers/webhook/cluster", null);
        }
    }
}
