package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Batch deletes and restores of users, and custom events to one user (PROTOCOL.md §7.1 U5, U8, U12). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserBatchesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    private static String user(String prefix) {
        String id = Seed.uid(prefix);
        Seed.users(server, json("id", id, "name", prefix, "colour", "red"));
        return id;
    }

    @Test
    void aBatchDeleteAnswersACompletedTaskAndSoftPruneAndHardDeleteAsAsked() {
        String soft = user("soft");
        String pruned = user("pruned");
        String hard = user("hard");

        Response softly = admin.post("/users/delete", json("user_ids", List.of(soft)));
        admin.post("/users/delete", json("user_ids", List.of(pruned), "user", "pruning"));
        admin.post("/users/delete", json("user_ids", List.of(hard), "user", "hard"));

        assertThat(softly.status()).as(softly.text()).isEqualTo(200);
        JsonNode task =
                admin.get("/tasks/" + softly.body().path("task_id").asText()).body();
        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.at("/result/" + soft + "/status").asText()).isEqualTo("ok");
        JsonNode softUser = UpsertUsersTest.find(admin, soft);
        assertThat(softUser.path("deleted_at").asText()).endsWith("Z");
        assertThat(softUser.path("colour").asText()).isEqualTo("red");
        JsonNode prunedUser = UpsertUsersTest.find(admin, pruned);
        assertThat(prunedUser.path("deleted_at").asText()).endsWith("Z");
        assertThat(prunedUser.has("colour")).as("pruning drops the user's data").isFalse();
        assertThat(prunedUser.has("name")).isFalse();
        assertThat(UpsertUsersTest.find(admin, hard)).isNull();
    }

    @Test
    void aBatchDeleteThatWouldDeleteMessagesOrNamesAnUnknownUserDeletesNobody() {
        String kept = user("kept");

        assertThat(admin.post("/users/delete", json("user_ids", List.of(kept), "messages", "hard"))
                        .code())
                .isEqualTo(4);
        assertThat(admin.post("/users/delete", json("user_ids", List.of(kept), "user", "gone"))
                        .code())
                .isEqualTo(4);
        assertThat(admin.post("/users/delete", json("user_ids", List.of(kept, Seed.uid("nobody"))))
                        .code())
                .isEqualTo(16);
        assertThat(RestClient.user(server, kept)
                        .post("/users/delete", json("user_ids", List.of(kept)))
                        .code())
                .isEqualTo(17);
        assertThat(UpsertUsersTest.find(admin, kept).has("deleted_at")).isFalse();
    }

    @Test
    void aRestoreBringsBackSoftDeletedUsersWhoMayCallTheApiAgain() {
        String back = user("back");
        String never = user("never");
        admin.post("/users/delete", json("user_ids", List.of(back)));
        assertThat(RestClient.user(server, back).get("/app").code()).isEqualTo(17);

        Response restored = admin.post("/users/restore", json("user_ids", List.of(back, never)));

        assertThat(restored.status()).as(restored.text()).isEqualTo(200);
        assertThat(UpsertUsersTest.find(admin, back).has("deleted_at")).isFalse();
        assertThat(RestClient.user(server, back).get("/app").status()).isEqualTo(200);
        assertThat(UpsertUsersTest.find(admin, never).has("deleted_at")).isFalse();
        assertThat(admin.post("/users/restore", json("user_ids", List.of())).code())
                .isEqualTo(4);
    }

    @Test
    void aCustomEventReachesEveryConnectionOfItsUserOnly() {
        String ann = user("ann");
        String bob = user("bob");
        try (WsProbe first = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe second = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe other = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            first.next("health.check");
            second.next("health.check");
            other.next("health.check");

            Response r = admin.post(
                    "/users/" + ann + "/event", json("event", json("type", "friendship_request", "from", bob)));

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(first.next("friendship_request").path("from").asText()).isEqualTo(bob);
            assertThat(second.next("friendship_request").path("created_at").asText())
                    .endsWith("Z");
            assertThat(other.poll("friendship_request", Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void aUsersEventMustBeCustomSentByTheServerSideToAUserThatExists() {
        String ann = user("ann");

        assertThat(admin.post("/users/" + ann + "/event", json("event", json("type", "message.new")))
                        .code())
                .isEqualTo(4);
        assertThat(admin.post("/users/" + ann + "/event", json("event", json("text", "no type")))
                        .code())
                .isEqualTo(4);
        assertThat(RestClient.user(server, ann)
                        .post("/users/" + ann + "/event", json("event", json("type", "ping")))
                        .code())
                .isEqualTo(17);
        assertThat(admin.post("/users/" + Seed.uid("nobody") + "/event", json("event", json("type", "ping")))
                        .code())
                .isEqualTo(16);
    }
}
