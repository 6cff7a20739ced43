package dev.parley.server.api;

import static dev.parley.server.api.UpsertUsersTest.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deleting, deactivating and reactivating users (PROTOCOL.md §7.1 U4, U6, U7). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserLifecycleTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void softDeleteSetsDeletedAtAndHidesTheUserFromQueries() {
        create("soft");
        assertThat(queryByName("soft")).hasSize(1);

        Response r = admin.delete("/users/soft", Map.of());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("user").path("id").asText()).isEqualTo("soft");
        assertThat(r.body().path("user").path("deleted_at").asText()).endsWith("Z");
        assertThat(queryByName("soft")).as("deleted users leave queries").isEmpty();
        assertThat(UpsertUsersTest.find(admin, "soft").path("deleted_at").asText())
                .as("a query naming the id still finds it, marked deleted")
                .endsWith("Z");
        assertThat(admin.delete("/users/soft", Map.of()).status())
                .as("a soft-deleted user still exists")
                .isEqualTo(200);
    }

    @Test
    void hardDeleteRemovesTheUser() {
        create("hard");

        Response r = admin.delete("/users/hard", Map.of("hard_delete", "true"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(UpsertUsersTest.find(admin, "hard"))
                .as("not even a query by id finds it")
                .isNull();
        assertThat(admin.delete("/users/hard", Map.of()).code())
                .as("a hard-deleted user is gone")
                .isEqualTo(16);
    }

    @Test
    void userTokenMayNotDeleteUsers() {
        create("keeper");

        Response r = RestClient.user(server, "keeper").delete("/users/keeper", Map.of());

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
        assertThat(UpsertUsersTest.find(admin, "keeper")).isNotNull();
    }

    @Test
    void deletingAnUnknownUserIsCode16() {
        Response r = admin.delete("/users/nobody-here", Map.of());

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo(16);
    }

    @Test
    void deactivateAndReactivateToggleDeactivatedAt() {
        create("toggle");

        Response off = admin.post("/users/toggle/deactivate", Json.object());
        Response on = admin.post("/users/toggle/reactivate", Json.object());

        assertThat(off.status()).isEqualTo(200);
        assertThat(off.body().path("user").path("deactivated_at").asText()).endsWith("Z");
        assertThat(on.status()).isEqualTo(200);
        assertThat(on.body().path("user").has("deactivated_at")).isFalse();
        assertThat(UpsertUsersTest.find(admin, "toggle")).isNotNull();
    }

    @Test
    void deactivatingAnUnknownUserIsCode16() {
        assertThat(admin.post("/users/missing/deactivate", Json.object()).code())
                .isEqualTo(16);
    }

    @Test
    void userTokenMayNotDeactivate() {
        create("selfoff");

        Response r = RestClient.user(server, "selfoff").post("/users/selfoff/deactivate", Json.object());

        assertThat(r.code()).isEqualTo(17);
    }

    @Test
    void batchDeactivateAnswersATaskThatIsCompleted() {
        create("batch-1");
        create("batch-2");
        ObjectNode body = Json.object();
        body.putArray("user_ids").add("batch-1").add("batch-2");

        Response r = admin.post("/users/deactivate", body);

        assertThat(r.status()).isEqualTo(200);
        String taskId = r.body().path("task_id").asText();
        assertThat(taskId).isNotEmpty();
        Response task = admin.get("/tasks/" + taskId);
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.body().path("task_id").asText()).isEqualTo(taskId);
        assertThat(task.body().path("status").asText()).isEqualTo("completed");
        assertThat(queryByName("batch-1")).as("deactivated users leave queries").isEmpty();
        assertThat(queryByName("batch-2")).isEmpty();
    }

    @Test
    void unknownTaskIsCode16() {
        assertThat(admin.get("/tasks/no-such-task").code()).isEqualTo(16);
    }

    @Test
    void deactivatedUserCannotConnectAndIsToldWhyWithCode17AndClose1000() {
        create("banished");
        assertThat(admin.post("/users/banished/deactivate", Json.object()).status())
                .isEqualTo(200);

        try (WsProbe ws = WsProbe.connect(server, "banished", server.userToken("banished"), Json.object())) {
            JsonNode frame = ws.next();
            assertThat(frame.path("type").asText()).isEqualTo("connection.error");
            assertThat(frame.path("error").path("code").asInt()).isEqualTo(17);
            assertThat(ws.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void deactivatedOrDeletedUsersCannotCallTheApiWithTheirTokens() {
        create("frozen");
        create("erased");
        RestClient frozen = RestClient.user(server, "frozen");
        RestClient erased = RestClient.user(server, "erased");
        assertThat(frozen.get("/app").status()).isEqualTo(200);

        admin.post("/users/frozen/deactivate", Json.object());
        admin.delete("/users/erased", Map.of());

        assertThat(frozen.get("/app").code()).isEqualTo(17);
        assertThat(frozen.get("/app").message()).contains("deactivated");
        assertThat(erased.get("/app").code()).isEqualTo(17);
        assertThat(erased.get("/app").message()).contains("deleted");
        admin.post("/users/frozen/reactivate", Json.object());
        assertThat(frozen.get("/app").status()).isEqualTo(200);
    }

    @Test
    void reactivatedUserCanConnectAgain() {
        create("returning");
        admin.post("/users/returning/deactivate", Json.object());
        assertThat(admin.post("/users/returning/reactivate", Json.object()).status())
                .isEqualTo(200);

        try (WsProbe ws = WsProbe.connect(server, "returning", server.userToken("returning"), Json.object())) {
            JsonNode frame = ws.next();
            assertThat(frame.path("type").asText()).isEqualTo("health.check");
            assertThat(frame.path("me").path("id").asText()).isEqualTo("returning");
        }
    }

    private static JsonNode queryByName(String name) {
        ObjectNode payload = Json.object();
        payload.putObject("filter_conditions").put("name", name);
        Response r = admin.getPayload("/users", payload);
        assertThat(r.status()).as("query: %s", r).isEqualTo(200);
        return r.body().path("users");
    }

    private static void create(String id) {
        Response r = admin.post("/users", users(Json.object().put("id", id).put("name", id)));
        assertThat(r.status()).as("create %s: %s", id, r).isEqualTo(200);
    }
}
