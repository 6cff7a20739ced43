package dev.parley.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user write with a value the store cannot keep (a NUL character, a lone surrogate, a number out of
 * range, an over-long name or role) is refused alone with code 4, whichever path it takes (connect,
 * upsert, partial update), and never fails the writes of other users committed with it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UserWriteIsolationTest {
    private static final int CONCURRENT = 100;
    private static final int BAD = 37;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void oneConnectWithANulInItsNameAmongAHundredConcurrentConnectsIsTheOnlyOneRefused() throws Exception {
        List<ObjectNode> first = concurrently(i -> {
            String id = "conn-" + i;
            ObjectNode details = Json.object().put("name", i == BAD ? "bad\u0000name" : "User " + i);
            try (WsProbe ws = WsProbe.connect(server, id, server.userToken(id), details)) {
                ObjectNode f = ws.next();
                if (i == BAD) {
                    f.put("close_code", ws.closeCode());
                }
                return f;
            }
        });

        for (int i = 0; i < CONCURRENT; i++) {
            ObjectNode f = first.get(i);
            if (i == BAD) {
                assertThat(f.path("type").asText()).isEqualTo("connection.error");
                assertThat(f.at("/error/code").asInt()).isEqualTo(4);
                assertThat(f.at("/error/message").asText()).contains("NUL");
                assertThat(f.path("close_code").asInt()).isEqualTo(1000);
            } else {
                assertThat(f.path("type").asText())
                        .as("first frame of conn-%d: %s", i, f)
                        .isEqualTo("health.check");
                assertThat(f.at("/me/name").asText()).isEqualTo("User " + i);
            }
        }
        assertThat(stored("conn-" + BAD)).isNull();
        assertThat(stored("conn-" + (BAD + 1)).path("name").asText()).isEqualTo("User " + (BAD + 1));
    }

    @Test
    void oneUpsertWithANulInItsNameAmongAHundredConcurrentUpsertsIsTheOnlyOneRefused() throws Exception {
        List<Response> answers = concurrently(i -> admin.post(
                "/users",
                users(Json.object().put("id", "up-" + i).put("name", i == BAD ? "bad\u0000name" : "User " + i))));

        for (int i = 0; i < CONCURRENT; i++) {
            Response r = answers.get(i);
            if (i == BAD) {
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.code()).isEqualTo(4);
            } else {
                assertThat(r.status()).as("upsert of up-%d: %s", i, r).isEqualTo(200);
            }
        }
        assertThat(stored("up-" + BAD)).isNull();
        assertThat(stored("up-0").path("name").asText()).isEqualTo("User 0");
    }

    @Test
    void oneConnectWithALoneSurrogateInItsNameIsRefusedWithCode4AndCloses1000() {
        String json = "{\"user_id\":\"surrogate\",\"user_details\":{\"id\":\"surrogate\",\"name\":\"a\\ud800b\"}}";
        Map<String, String> q = new LinkedHashMap<>();
        q.put("json", json);
        q.put("api_key", server.apiKey());
        q.put("authorization", server.userToken("surrogate"));
        q.put("stream-auth-type", "jwt");
        try (WsProbe ws = WsProbe.open(server, q)) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).isEqualTo("connection.error");
            assertThat(f.at("/error/code").asInt()).isEqualTo(4);
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
        assertThat(stored("surrogate")).isNull();
    }

    @Test
    void connectWithANulInANestedCustomKeyIsRefusedWithCode4() {
        ObjectNode details = Json.object();
        details.putObject("prefs").putObject("deep").put("k\u0000ey", 1);
        try (WsProbe ws = WsProbe.connect(server, "nested-key", server.userToken("nested-key"), details)) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).isEqualTo("connection.error");
            assertThat(f.at("/error/code").asInt()).isEqualTo(4);
            assertThat(f.at("/error/message").asText()).contains("prefs.deep");
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void upsertsOfValuesTheStoreCannotKeepAreRefusedWithCode4AndStoreNothing() {
        List<String> bodies = List.of(
                "{\"users\":{\"v1\":{\"id\":\"v1\",\"name\":\"lone \\udc00 low\"}}}",
                "{\"users\":{\"v2\":{\"id\":\"v2\",\"score\":1e400}}}",
                "{\"users\":{\"v3\":{\"id\":\"v3\",\"list\":[1,{\"x\":\"\\u0000\"}]}}}",
                "{\"users\":{\"v4\":{\"id\":\"v4\",\"teams\":[\"blue\\u0000\"]}}}",
                "{\"users\":{\"v5\":{\"id\":\"v5\",\"role\":\"" + "r".repeat(300) + "\"}}}",
                "{\"users\":{\"v6\":{\"id\":\"v6\",\"name\":\"" + "\u00e9".repeat(1100) + "\"}}}",
                "{\"users\":{\"v7\":{\"id\":\"v7\",\"a\\ud800\":1}}}");

        for (int i = 0; i < bodies.size(); i++) {
            Response r = admin.post("/users", bodies.get(i));

            assertThat(r.status()).as("answer to %s", bodies.get(i)).isEqualTo(400);
            assertThat(r.code()).isEqualTo(4);
            assertThat(stored("v" + (i + 1))).isNull();
        }
    }

    @Test
    void aPartialUpdateThatWouldStoreANulOrAnInfiniteNumberIsRefusedAndTheUserIsUnchanged() {
        admin.post("/users", users(Json.object().put("id", "patched").put("name", "Kept")));

        Response nul = admin.patch("/users", "{\"users\":[{\"id\":\"patched\",\"set\":{\"name\":\"x\\u0000\"}}]}");
        Response inf = admin.patch("/users", "{\"users\":[{\"id\":\"patched\",\"set\":{\"a.b\":-1e999}}]}");

        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.code()).isEqualTo(4);
        assertThat(inf.status()).isEqualTo(400);
        assertThat(inf.code()).isEqualTo(4);
        assertThat(inf.message()).contains("a.b");
        ObjectNode u = stored("patched");
        assertThat(u.path("name").asText()).isEqualTo("Kept");
        assertThat(u.has("a")).isFalse();
    }

    private static <T> List<T> concurrently(IntFunction<T> task) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                int n = i;
                futures.add(pool.submit(() -> task.apply(n)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }

    private static ObjectNode users(ObjectNode... users) {
        ObjectNode body = Json.object();
        ObjectNode map = body.putObject("users");
        for (ObjectNode u : users) {
            map.set(u.path("id").asText(), u);
        }
        return body;
    }

    private static ObjectNode stored(String id) {
        Response r = admin.get(
                "/users",
                Map.of(
                        "payload",
                        Json.write(Json.object()
                                .set("filter_conditions", Json.object().put("id", id)))));
        assertThat(r.status()).as("query of %s: %s", id, r).isEqualTo(200);
        return r.body().path("users").isEmpty()
                ? null
                : (ObjectNode) r.body().path("users").get(0);
    }
}
