package dev.parley.server.api;

import static dev.parley.server.api.UpsertUsersTest.users;
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

/** {@code PATCH /users}: partial update with {@code set} and {@code unset} (PROTOCOL.md §7.1 U3). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartialUpdateUsersTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void setWithADottedPathWritesIntoANestedObjectAndKeepsItsSiblings() {
        ObjectNode u = Json.object().put("id", "dotted");
        u.putObject("profile").put("country", "NO");
        create(u);

        Response r = admin.patch("/users", item("dotted", Json.object().put("profile.address.city", "Oslo"), null));

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode profile = r.body().path("users").path("dotted").path("profile");
        assertThat(profile.path("country").asText()).isEqualTo("NO");
        assertThat(profile.path("address").path("city").asText()).isEqualTo("Oslo");
        assertThat(UpsertUsersTest.find(admin, "dotted")
                        .path("profile")
                        .path("address")
                        .path("city")
                        .asText())
                .isEqualTo("Oslo");
    }

    @Test
    void unsetRemovesCustomFieldsAndKeepsTheOthers() {
        create(Json.object().put("id", "unset").put("color", "red").put("name", "Una"));

        Response r = admin.patch("/users", item("unset", null, Json.array().add("color")));

        JsonNode u = r.body().path("users").path("unset");
        assertThat(u.has("color")).isFalse();
        assertThat(u.path("name").asText()).isEqualTo("Una");
        assertThat(UpsertUsersTest.find(admin, "unset").has("color")).isFalse();
    }

    @Test
    void userMayUpdateItsOwnCustomFields() {
        create(Json.object().put("id", "own"));

        Response r = RestClient.user(server, "own")
                .patch("/users", item("own", Json.object().put("mood", "happy"), null));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("users").path("own").path("mood").asText()).isEqualTo("happy");
    }

    @Test
    void roleChangeByTheUserItselfIsRefusedWithUpdateUserRole() {
        create(Json.object().put("id", "wannabe"));

        Response r = RestClient.user(server, "wannabe")
                .patch("/users", item("wannabe", Json.object().put("role", "admin"), null));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
        assertThat(r.message()).contains("UpdateUserRole");
        assertThat(UpsertUsersTest.find(admin, "wannabe").path("role").asText()).isEqualTo("user");
    }

    @Test
    void roleChangeByTheServerIsApplied() {
        create(Json.object().put("id", "promoted"));

        Response r = admin.patch("/users", item("promoted", Json.object().put("role", "admin"), null));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("users").path("promoted").path("role").asText())
                .isEqualTo("admin");
        assertThat(UpsertUsersTest.find(admin, "promoted").path("role").asText())
                .isEqualTo("admin");
    }

    @Test
    void userMayNotUpdateAnotherUser() {
        create(Json.object().put("id", "other").put("name", "Other"));

        Response r = RestClient.user(server, "intruder")
                .patch("/users", item("other", Json.object().put("name", "Hacked"), null));

        assertThat(r.code()).isEqualTo(17);
        assertThat(UpsertUsersTest.find(admin, "other").path("name").asText()).isEqualTo("Other");
    }

    @Test
    void unknownUserIsCode16() {
        Response r = admin.patch("/users", item("ghost", Json.object().put("name", "Boo"), null));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo(16);
        assertThat(r.message()).contains("ghost");
    }

    @Test
    void setThatIsNotAnObjectIsAnInputError() {
        create(Json.object().put("id", "badset"));
        ObjectNode body = Json.object();
        body.putArray("users").addObject().put("id", "badset").put("set", "name=x");

        Response r = admin.patch("/users", body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("set");
    }

    private static void create(ObjectNode u) {
        Response r = admin.post("/users", users(u));
        assertThat(r.status()).as("create: %s", r).isEqualTo(200);
    }

    private static ObjectNode item(String id, ObjectNode set, JsonNode unset) {
        ObjectNode body = Json.object();
        ObjectNode it = body.putArray("users").addObject().put("id", id);
        if (set != null) {
            it.set("set", set);
        }
        if (unset != null) {
            it.set("unset", unset);
        }
        return body;
    }
}
