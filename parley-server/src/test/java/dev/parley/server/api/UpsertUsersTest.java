package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /users}: upsert, a map keyed by id (PROTOCOL.md §7.1 U2). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpsertUsersTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void serverUpsertCreatesUsersAndAnswersAMapKeyedById() {
        Response r = admin.post(
                "/users",
                users(
                        Json.object().put("id", "create-a").put("name", "Ann"),
                        Json.object().put("id", "create-b").put("name", "Ben")));

        assertThat(r.status()).isEqualTo(200);
        JsonNode users = r.body().path("users");
        assertThat(users.isObject()).isTrue();
        assertThat(users.path("create-a").path("name").asText()).isEqualTo("Ann");
        assertThat(users.path("create-a").path("role").asText()).isEqualTo("user");
        assertThat(users.path("create-b").path("id").asText()).isEqualTo("create-b");
        assertThat(users.path("create-b").path("created_at").asText()).endsWith("Z");
        assertThat(find("create-b").path("name").asText()).isEqualTo("Ben");
    }

    @Test
    void upsertReplacesCustomFieldsAndKeepsCreatedAt() {
        Response first = admin.post(
                "/users",
                users(Json.object().put("id", "replace").put("name", "Old").put("color", "red")));
        String createdAt =
                first.body().path("users").path("replace").path("created_at").asText();

        Response second = admin.post(
                "/users",
                users(Json.object().put("id", "replace").put("name", "New").put("created_at", "2001-01-01T00:00:00Z")));

        JsonNode u = second.body().path("users").path("replace");
        assertThat(u.path("name").asText()).isEqualTo("New");
        assertThat(u.has("color")).as("a custom field not sent is removed").isFalse();
        assertThat(u.path("created_at").asText()).isEqualTo(createdAt);
        JsonNode stored = find("replace");
        assertThat(stored.has("color")).isFalse();
        assertThat(stored.path("created_at").asText()).isEqualTo(createdAt);
    }

    @Test
    void userTokenMayUpsertItself() {
        Response r = RestClient.user(server, "self")
                .post(
                        "/users",
                        users(Json.object().put("id", "self").put("name", "Me").put("mood", "calm")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(find("self").path("mood").asText()).isEqualTo("calm");
    }

    @Test
    void userTokenMayNotUpsertAnotherUser() {
        Response r = RestClient.user(server, "mallory")
                .post("/users", users(Json.object().put("id", "victim").put("name", "Owned")));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
        assertThat(find("victim")).isNull();
    }

    @Test
    void userTokenMayNotChangeItsOwnRole() {
        Response r = RestClient.user(server, "climber")
                .post("/users", users(Json.object().put("id", "climber").put("role", "admin")));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
        assertThat(find("climber")).isNull();
    }

    @Test
    void batchOfMoreThanOneHundredIsRefused() {
        ObjectNode body = Json.object();
        ObjectNode map = body.putObject("users");
        for (int i = 0; i < 101; i++) {
            map.putObject("big-" + i).put("id", "big-" + i);
        }

        Response r = admin.post("/users", body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(find("big-0")).isNull();
    }

    @Test
    void keyThatDiffersFromTheIdIsRefused() {
        ObjectNode body = Json.object();
        body.putObject("users").putObject("key-one").put("id", "key-two");

        Response r = admin.post("/users", body);

        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("key-one");
        assertThat(find("key-one")).isNull();
        assertThat(find("key-two")).isNull();
    }

    @Test
    void invalidCharactersInAUserIdAreRefused() {
        Response r = admin.post("/users", users(Json.object().put("id", "bad id!")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("bad id!");
    }

    @Test
    void oneBadItemFailsTheWholeBatchAndNothingIsWritten() {
        Response r = admin.post(
                "/users",
                users(
                        Json.object().put("id", "batch-good").put("name", "Good"),
                        Json.object().put("id", "batch-bad").put("huge", "x".repeat(6 * 1024))));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(find("batch-good")).isNull();
        assertThat(find("batch-bad")).isNull();
    }

    @Test
    void usersThatIsNotAnObjectIsRefused() {
        Response r = admin.post("/users", Json.object().put("users", "nope"));

        assertThat(r.code()).isEqualTo(4);
    }

    static ObjectNode users(ObjectNode... list) {
        ObjectNode body = Json.object();
        ObjectNode map = body.putObject("users");
        for (ObjectNode u : list) {
            map.set(u.get("id").asText(), u);
        }
        return body;
    }

    /** The stored user as a server query returns it, or null. */
    static JsonNode find(RestClient admin, String id) {
        ObjectNode payload = Json.object();
        payload.putObject("filter_conditions").put("id", id);
        Response r = admin.getPayload("/users", payload);
        assertThat(r.status()).as("query %s: %s", id, r).isEqualTo(200);
        JsonNode list = r.body().path("users");
        return list.isEmpty() ? null : list.get(0);
    }

    private static JsonNode find(String id) {
        return find(admin, id);
    }
}
