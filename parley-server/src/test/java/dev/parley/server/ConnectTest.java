package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.User;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code /connect} handshake and the life of a socket, driven through raw WebSockets (PROTOCOL.md §3, §4). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static ObjectNode details(String... kv) {
        ObjectNode o = Json.object();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return o;
    }

    private static ChatNode node() {
        return server.server().node();
    }

    @Test
    void serverRunsOnTheStoreThisTestRunAsksFor() {
        assertThat(node().store().kind()).isEqualTo("postgresql".equals(TestServer.STORE) ? "postgresql" : "sqlite");
    }

    @Test
    void firstFrameIsHealthCheckWithConnectionIdAndFullMe() {
        try (WsProbe ws =
                WsProbe.connect(server, "ann", server.userToken("ann"), details("name", "Ann", "color", "red"))) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).isEqualTo("health.check");
            assertThat(f.path("cid").asText()).isEqualTo("*");
            assertThat(f.path("connection_id").asText()).isNotEmpty();
            ObjectNode me = (ObjectNode) f.get("me");
            assertThat(me.path("id").asText()).isEqualTo("ann");
            assertThat(me.path("name").asText()).isEqualTo("Ann");
            assertThat(me.path("color").asText()).isEqualTo("red");
            assertThat(me.path("role").asText()).isEqualTo("user");
            assertThat(me.path("online").asBoolean()).isTrue();
            assertThat(me.path("last_active").asText()).isNotEmpty();
            for (String list : new String[] {"devices", "mutes", "channel_mutes"}) {
                assertThat(me.get(list).isArray()).as(list).isTrue();
            }
            assertThat(me.path("total_unread_count").isInt()).isTrue();
        }
    }

    @Test
    void reconnectUpdatesSentFieldsAndDeletesNothing() {
        try (WsProbe ws =
                WsProbe.connect(server, "bea", server.userToken("bea"), details("name", "Bea", "color", "red"))) {
            ws.next("health.check");
        }
        try (WsProbe ws =
                WsProbe.connect(server, "bea", server.userToken("bea"), details("nickname", "b", "color", "blue"))) {
            ObjectNode me = (ObjectNode) ws.next("health.check").get("me");
            assertThat(me.path("name").asText()).isEqualTo("Bea");
            assertThat(me.path("color").asText()).isEqualTo("blue");
            assertThat(me.path("nickname").asText()).isEqualTo("b");
        }
        User stored = node().store().findUser("bea").orElseThrow();
        assertThat(stored.custom()).containsKeys("name", "color", "nickname");
    }

    @Test
    void differentRoleIsRefusedWithCode17AndClose1000() {
        try (WsProbe ws = WsProbe.connect(server, "cat", server.userToken("cat"), details("role", "admin"))) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).isEqualTo("connection.error");
            assertThat(f.at("/error/code").asInt()).isEqualTo(17);
            assertThat(f.at("/error/StatusCode").asInt()).isEqualTo(403);
            assertThat(f.at("/error/message").asText()).contains("UpdateUserRole");
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
        assertThat(node().store().findUser("cat")).isEmpty();
    }

    @Test
    void sameRoleAndServerManagedFieldsAreIgnored() {
        ObjectNode d = details("role", "user", "created_at", "2001-01-01T00:00:00Z", "banned", "true");
        d.put("online", false);
        d.put("total_unread_count", 99);
        try (WsProbe ws = WsProbe.connect(server, "dan", server.userToken("dan"), d)) {
            ObjectNode me = (ObjectNode) ws.next("health.check").get("me");
            assertThat(me.path("banned").asBoolean()).isFalse();
            assertThat(me.path("online").asBoolean()).isTrue();
            assertThat(me.path("created_at").asText()).doesNotStartWith("2001");
            assertThat(me.path("total_unread_count").asInt()).isZero();
        }
    }

    @Test
    void refusalsCarryTheAuthCodes() {
        assertRefused(Map.of("api_key", "wrong"), 2);
        assertRefused(
                Map.of("authorization", Jwt.userToken("another-secret-0123456789abcdefghijklmnop", "eve", null, null)),
                43);
        assertRefused(
                Map.of("authorization", server.userToken("eve", Instant.now().minusSeconds(60))), 40);
        assertRefused(
                Map.of(
                        "authorization",
                        Jwt.sign(
                                Map.of(
                                        "user_id",
                                        "eve",
                                        "nbf",
                                        Instant.now().plusSeconds(600).getEpochSecond()),
                                server.apiSecret())),
                41);
        assertRefused(
                Map.of(
                        "authorization",
                        Jwt.sign(
                                Map.of(
                                        "user_id",
                                        "eve",
                                        "iat",
                                        Instant.now().plusSeconds(600).getEpochSecond()),
                                server.apiSecret())),
                42);
        assertRefused(Map.of("authorization", Jwt.devToken("eve")), 43);
        assertRefused(Map.of("authorization", server.userToken("mallory")), 5);
        assertRefused(Map.of("authorization", "garbage"), 5);
        assertRefused(Map.of("json", "{\"user_id\":\"eve\"}"), 4);
        assertRefused(Map.of("json", "{not json"), 4);
    }

    @Test
    void timeClaimsOutOfRangeAreRefusedWithAFrameNotADroppedSocket() {
        for (String claim : new String[] {"exp", "nbf", "iat"}) {
            for (Object value : new Object[] {1e30, -1e30, "soon", Long.MAX_VALUE, Long.MIN_VALUE}) {
                assertRefused(
                        Map.of("authorization", Jwt.sign(Map.of("user_id", "eve", claim, value), server.apiSecret())),
                        5);
            }
        }
    }

    private static void assertRefused(Map<String, String> override, int code) {
        Map<String, String> q = new java.util.LinkedHashMap<>();
        q.put("json", "{\"user_id\":\"eve\",\"user_details\":{\"id\":\"eve\"}}");
        q.put("api_key", server.apiKey());
        q.put("authorization", server.userToken("eve"));
        q.put("stream-auth-type", "jwt");
        q.putAll(override);
        try (WsProbe ws = WsProbe.open(server, q)) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).as("refusal for %s", override).isEqualTo("connection.error");
            assertThat(f.at("/error/code").asInt()).as("code for %s", override).isEqualTo(code);
            assertThat(f.at("/error/more_info").asText()).isNotEmpty();
            assertThat(f.at("/error/details").isArray()).isTrue();
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void heartbeatIsAnsweredWithHealthCheckWithoutMe() {
        try (WsProbe ws = WsProbe.connect(server, "fay", server.userToken("fay"), details())) {
            String id = ws.next("health.check").path("connection_id").asText();
            ws.heartbeat();
            ObjectNode reply = ws.next("health.check");
            assertThat(reply.path("connection_id").asText()).isEqualTo(id);
            assertThat(reply.has("me")).isFalse();
        }
    }

    @Test
    void twoSocketsKeepTheUserOnlineUntilTheLastCloses() {
        WsProbe a = WsProbe.connect(server, "gus", server.userToken("gus"), details());
        WsProbe b = WsProbe.connect(server, "gus", server.userToken("gus"), details());
        String ida = a.next("health.check").path("connection_id").asText();
        String idb = b.next("health.check").path("connection_id").asText();
        assertThat(ida).isNotEqualTo(idb);
        assertThat(node().registry().connectionCount("gus")).isEqualTo(2);
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> node().registry().connectionCount("gus") == 1);
        assertThat(node().store().findUser("gus").orElseThrow().online()).isTrue();
        Instant beforeClose = Instant.now().minusMillis(1);
        b.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !node().store().findUser("gus").orElseThrow().online());
        assertThat(node().store().findUser("gus").orElseThrow().lastActive()).isAfter(beforeClose);
        assertThat(node().registry().connectionCount("gus")).isZero();
    }

    @Test
    void presenceSubscribersSeeTheUserComeAndGo() throws Exception {
        try (WsProbe watcher = WsProbe.connect(server, "hal", server.userToken("hal"), details())) {
            String conn = watcher.next("health.check").path("connection_id").asText();
            // make the watched user exist, then subscribe to its presence through GET /users
            try (WsProbe first = WsProbe.connect(server, "ivy", server.userToken("ivy"), details())) {
                first.next("health.check");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> node().registry().connectionCount("ivy") == 0);
            String payload = java.net.URLEncoder.encode(
                    "{\"filter_conditions\":{\"id\":\"ivy\"},\"presence\":true}",
                    java.nio.charset.StandardCharsets.UTF_8);
            var res = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(server.baseUrl() + "/users?api_key=" + server.apiKey()
                                                    + "&user_id=hal&connection_id=" + conn + "&payload=" + payload))
                                    .header("Authorization", server.userToken("hal"))
                                    .header("stream-auth-type", "jwt")
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            try (WsProbe ivy = WsProbe.connect(server, "ivy", server.userToken("ivy"), details())) {
                ivy.next("health.check");
                ObjectNode online = watcher.next("user.presence.changed");
                assertThat(online.at("/user/id").asText()).isEqualTo("ivy");
                assertThat(online.at("/user/online").asBoolean()).isTrue();
            }
            ObjectNode offline = watcher.next("user.presence.changed");
            assertThat(offline.at("/user/online").asBoolean()).isFalse();
        }
    }

    @Test
    void connectingCountsTowardMauOnceAndUpsertedUsersDoNot() {
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        long before = node().store().countActiveUsers(month);
        for (int i = 0; i < 2; i++) {
            try (WsProbe ws = WsProbe.connect(server, "jon", server.userToken("jon"), details())) {
                ws.next("health.check");
            }
        }
        node().users().update("imported", u -> User.create("imported", Instant.now()), null);
        assertThat(node().store().isActiveUser(month, "jon")).isTrue();
        assertThat(node().store().isActiveUser(month, "imported")).isFalse();
        assertThat(node().store().countActiveUsers(month)).isEqualTo(before + 1);
    }

    @Test
    void concurrentConnectionsAndTheDaysPeakAreCounted() {
        // sockets that earlier tests closed may still be on their way out
        await().atMost(Duration.ofSeconds(10)).until(() -> node().registry().totalConnections() == 0);
        int base = 0;
        WsProbe a = WsProbe.connect(server, "kim", server.userToken("kim"), details());
        WsProbe b = WsProbe.connect(server, "kim", server.userToken("kim"), details());
        WsProbe c = WsProbe.connect(server, "lea", server.userToken("lea"), details());
        a.next("health.check");
        b.next("health.check");
        c.next("health.check");
        assertThat(node().registry().totalConnections()).isEqualTo(base + 3);
        assertThat(node().registry().connectionCount("kim")).isEqualTo(2);
        assertThat(node().registry().todaysPeak().peak()).isGreaterThanOrEqualTo(base + 3);
        a.close();
        b.close();
        c.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> node().registry().totalConnections() == base);
        assertThat(node().registry().todaysPeak().peak()).isGreaterThanOrEqualTo(base + 3);
    }

    @Test
    void malformedFrameGetsAnErrorEventAndTheSocketStaysUsable() {
        try (WsProbe ws = WsProbe.connect(server, "max", server.userToken("max"), details())) {
            ws.next("health.check");
            ws.sendText("{oops");
            ObjectNode err = ws.next("error");
            assertThat(err.at("/error/code").asInt()).isEqualTo(4);
            ws.heartbeat();
            assertThat(ws.next("health.check").has("me")).isFalse();
        }
    }
}
