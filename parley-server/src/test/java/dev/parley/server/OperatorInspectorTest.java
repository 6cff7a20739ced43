package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The connection inspector ({@code /parley/connections}) and who may call it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperatorInspectorTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private final List<WsProbe> open = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        open.forEach(WsProbe::close);
    }

    private static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private WsProbe connect(String userId) {
        WsProbe ws = WsProbe.connect(server, userId, server.userToken(userId), Json.object());
        open.add(ws);
        ws.next("health.check");
        return ws;
    }

    private static RestClient ops() {
        return RestClient.server(server);
    }

    @Test
    void inspectorCountsTheChannelsASocketWatchesAndMetricsCountMessagesAndDeliveries() {
        String user = uid("watch");
        WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object());
        open.add(ws);
        String conn = ws.next("health.check").path("connection_id").asText();
        ObjectNode query = Json.object().put("watch", true).put("state", true);
        query.putObject("data").putArray("members").add(user);
        RestClient me = RestClient.server(server).withToken(server.userToken(user));
        for (String id : List.of("a-" + user, "b-" + user)) {
            assertThat(me.withConnectionId(conn)
                            .post("/channels/messaging/" + id + "/query", query)
                            .status())
                    .isEqualTo(200);
        }
        double sentBefore = metric("parley_messages_sent_total");
        double deliveredBefore = metric("parley_events_delivered_total");

        ObjectNode send = Json.object();
        send.putObject("message").put("text", "hello");
        assertThat(me.post("/channels/messaging/a-" + user + "/message", send).status())
                .isEqualTo(200);
        ws.next("message.new");

        JsonNode first = ops().get("/parley/connections", Map.of("user_id", user))
                .json()
                .path("connections")
                .get(0);
        assertThat(first.path("watched_channels").asInt()).isEqualTo(2);
        assertThat(metric("parley_messages_sent_total")).isEqualTo(sentBefore + 1);
        assertThat(metric("parley_events_delivered_total")).isGreaterThan(deliveredBefore);
    }

    private static double metric(String name) {
        String text = RestClient.server(server).anonymous().get("/metrics").text();
        return text.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void inspectorListsEachOpenConnectionOfAUserWithItsDetails() {
        String user = uid("ins");
        connect(user);
        connect(user);
        RestClient.Response r = ops().get("/parley/connections", Map.of("user_id", user));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("total").asInt()).isEqualTo(2);
        JsonNode first = r.json().path("connections").get(0);
        assertThat(first.path("user_id").asText()).isEqualTo(user);
        assertThat(first.path("connection_id").asText()).isNotEmpty();
        assertThat(first.path("client").asText()).isEqualTo("parley-test-probe");
        assertThat(first.path("remote_address").asText()).startsWith("127.0.0.1:");
        assertThat(first.path("user_agent").asText()).isNotEmpty();
        assertThat(Instant.parse(first.path("connected_at").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(first.path("last_heartbeat").asText()).isNotEmpty();
        assertThat(first.path("watched_channels").asInt(-1)).isZero();
        assertThat(first.path("outbound_queue_bytes").isNumber()).isTrue();
    }

    @Test
    void heartbeatMovesLastHeartbeatForward() {
        String user = uid("hb");
        WsProbe ws = connect(user);
        String before = ops().get("/parley/connections", Map.of("user_id", user))
                .json()
                .at("/connections/0/last_heartbeat")
                .asText();
        ws.heartbeat();
        ws.next("health.check");
        String after = ops().get("/parley/connections", Map.of("user_id", user))
                .json()
                .at("/connections/0/last_heartbeat")
                .asText();
        assertThat(Instant.parse(after)).isAfter(Instant.parse(before));
    }

    @Test
    void inspectorPaginatesWithLimitAndOffset() {
        String user = uid("page");
        for (int i = 0; i < 3; i++) {
            connect(user);
        }
        RestClient.Response page1 = ops().get("/parley/connections", Map.of("user_id", user, "limit", "2"));
        RestClient.Response page2 =
                ops().get("/parley/connections", Map.of("user_id", user, "limit", "2", "offset", "2"));
        assertThat(page1.json().path("connections").size()).isEqualTo(2);
        assertThat(page1.json().path("total").asInt()).isEqualTo(3);
        assertThat(page2.json().path("connections").size()).isEqualTo(1);
        List<String> ids = new ArrayList<>();
        page1.json()
                .path("connections")
                .forEach(c -> ids.add(c.path("connection_id").asText()));
        ids.add(page2.json().at("/connections/0/connection_id").asText());
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ops().get("/parley/connections", Map.of("limit", "0"))
                        .json()
                        .path("code")
                        .asInt())
                .isEqualTo(4);
    }

    @Test
    void duplicateFinderListsUsersWithAtLeastMinSocketsWorstFirst() {
        String three = uid("three");
        String two = uid("two");
        String one = uid("one");
        for (int i = 0; i < 3; i++) {
            connect(three);
        }
        connect(two);
        connect(two);
        connect(one);
        RestClient.Response r = ops().get("/parley/connections/users", Map.of("min", "2"));
        assertThat(r.status()).isEqualTo(200);
        List<String> users = new ArrayList<>();
        r.json().path("users").forEach(u -> users.add(u.path("user_id").asText()));
        assertThat(users).contains(three, two).doesNotContain(one);
        assertThat(users.indexOf(three)).isLessThan(users.indexOf(two));
        JsonNode worst = r.json().path("users").get(users.indexOf(three));
        assertThat(worst.path("connection_count").asInt()).isEqualTo(3);
        assertThat(worst.path("connections").size()).isEqualTo(3);
        assertThat(worst.at("/connections/0/client").asText()).isEqualTo("parley-test-probe");
    }

    @Test
    void deleteClosesOneSocketWithAReconnectableCode() {
        String user = uid("del");
        WsProbe first = connect(user);
        WsProbe second = connect(user);
        String victim = ops().get("/parley/connections", Map.of("user_id", user))
                .json()
                .at("/connections/0/connection_id")
                .asText();
        RestClient.Response r = ops().delete("/parley/connections/" + victim);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("close_code").asInt()).isEqualTo(4000);
        int code = first.closeCode();
        assertThat(code).isEqualTo(4000).isNotEqualTo(1000);
        await().atMost(5, TimeUnit.SECONDS)
                .until(() -> server.server().node().registry().connectionCount(user) == 1);
        assertThat(second.isClosed()).isFalse();
    }

    @Test
    void deletingAnUnknownConnectionIsCode16() {
        RestClient.Response r = ops().delete("/parley/connections/" + UUID.randomUUID());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("code").asInt()).isEqualTo(16);
        assertThat(r.json().path("StatusCode").asInt()).isEqualTo(404);
    }

    @Test
    void userTokensAndAnonymousCallersAreRefusedWithCode17OnEveryOperatorEndpoint() {
        RestClient user = RestClient.server(server).withToken(server.userToken("mallory"));
        RestClient anon = RestClient.server(server).anonymous();
        for (RestClient caller : List.of(user, anon)) {
            for (String path : List.of(
                    "/parley/connections",
                    "/parley/connections/users",
                    "/parley/usage",
                    "/parley/usage/current",
                    "/parley/usage/concurrency")) {
                RestClient.Response r = caller.get(path);
                assertThat(r.status()).as(path).isEqualTo(403);
                assertThat(r.json().path("code").asInt()).as(path).isEqualTo(17);
                assertThat(r.json().has("more_info")).isTrue();
            }
            assertThat(caller.delete("/parley/connections/x")
                            .json()
                            .path("code")
                            .asInt())
                    .isEqualTo(17);
        }
        assertThat(RestClient.server(server)
                        .withToken("")
                        .get("/parley/connections")
                        .json()
                        .path("code")
                        .asInt())
                .isEqualTo(17);
    }

    @Test
    void wrongApiKeyIsCode2EvenWithAServerToken() {
        RestClient.Response r = ops().get("/parley/connections", Map.of("api_key", "wrong"));
        assertThat(r.json().path("code").asInt()).isEqualTo(2);
    }

    @Test
    void adminSessionTokenOpensTheOperatorEndpointsAndNothingElse() {
        ObjectNode body = Json.object().put("api_key", server.apiKey()).put("api_secret", server.apiSecret());
        RestClient.Response s = RestClient.server(server).anonymous().post("/parley/admin/session", body);
        assertThat(s.status()).isEqualTo(200);
        String token = s.json().path("token").asText();
        Instant exp = Instant.parse(s.json().path("expires_at").asText());
        assertThat(exp).isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3700));
        ObjectNode claims = Jwt.decodeUnverified(token);
        assertThat(claims.has("server")).isFalse();
        assertThat(claims.has("user_id")).isFalse();

        RestClient admin = RestClient.server(server).withToken(token);
        assertThat(admin.get("/parley/usage/current").status()).isEqualTo(200);
        RestClient.Response users = admin.get("/users", Map.of("payload", "{\"filter_conditions\":{}}"));
        assertThat(users.status()).isEqualTo(401);
        assertThat(users.json().path("code").asInt()).isEqualTo(5);
        assertThat(admin.patch("/app", Json.object().put("name", "x"))
                        .json()
                        .path("code")
                        .asInt())
                .isEqualTo(5);
    }

    @Test
    void adminSessionWithAWrongSecretIsRefusedWithCode5() {
        ObjectNode body =
                Json.object().put("api_key", server.apiKey()).put("api_secret", "not-the-secret-0123456789abcdefghij");
        RestClient.Response r = RestClient.server(server).anonymous().post("/parley/admin/session", body);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("code").asInt()).isEqualTo(5);
        assertThat(r.json().has("token")).isFalse();
        RestClient.Response missing =
                RestClient.server(server).anonymous().post("/parley/admin/session", Json.object());
        assertThat(missing.json().path("code").asInt()).isEqualTo(4);
    }

    @Test
    void adminSessionIssuedBeforeTheAppRevocationDateIsRefusedWithCode40() {
        long iat = Instant.now().minusSeconds(120).getEpochSecond();
        String token = Jwt.sign(Map.of("parley_admin", true, "iat", iat, "exp", iat + 3600), server.apiSecret());
        RestClient admin = RestClient.server(server).withToken(token);
        assertThat(admin.get("/parley/usage/current").status()).isEqualTo(200);
        ObjectNode revoke = Json.object()
                .put(
                        "revoke_tokens_issued_before",
                        Instant.now().minusSeconds(60).toString());
        assertThat(ops().patch("/app", revoke).status()).isEqualTo(200);
        try {
            RestClient.Response r = admin.get("/parley/usage/current");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().path("code").asInt()).isEqualTo(40);
        } finally {
            // the revocation also ends server tokens without iat, so the reset needs one issued now
            String fresh = Jwt.sign(Map.of("server", true, "iat", Instant.now().getEpochSecond()), server.apiSecret());
            ObjectNode reset = Json.object().putNull("revoke_tokens_issued_before");
            assertThat(RestClient.server(server)
                            .withToken(fresh)
                            .patch("/app", reset)
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void expiredAdminSessionTokenIsRefusedWithCode40() {
        long past = Instant.now().minusSeconds(60).getEpochSecond();
        String token = Jwt.sign(Map.of("parley_admin", true, "iat", past - 3600, "exp", past), server.apiSecret());
        RestClient.Response r = RestClient.server(server).withToken(token).get("/parley/connections");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("code").asInt()).isEqualTo(40);
    }
}
