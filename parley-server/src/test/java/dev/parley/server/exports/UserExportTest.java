package dev.parley.server.exports;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /users/{id}/export} against the real server (PROTOCOL.md §7.31). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserExportTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static String send(String as, String channel, JsonNode message) {
        RestClient.Response r = RestClient.user(server, as)
                .post("/channels/messaging/" + channel + "/message", json("message", message));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body().path("message").path("id").asText();
    }

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path("id").asText()));
        return out;
    }

    @Test
    void theExportHasTheUserAndEveryMessageAndReactionOfTheUserInEveryChannelOldestFirst() {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String one = Seed.uid("one");
        String two = Seed.uid("two");
        Seed.users(server, json("id", ann, "name", "Ann"), json("id", bob));
        Seed.messaging(server, ann, one, ann, bob);
        Seed.messaging(server, bob, two, ann, bob);
        String first = send(ann, one, json("text", "first"));
        String reply = send(ann, one, json("text", "in a thread", "parent_id", first));
        String gone = send(ann, two, json("text", "deleted later"));
        String bobs = send(bob, two, json("text", "not ann's"));
        assertThat(RestClient.user(server, ann).delete("/messages/" + gone).status())
                .isEqualTo(200);
        RestClient.Response reacted = RestClient.user(server, ann)
                .post("/messages/" + bobs + "/reaction", json("reaction", json("type", "love")));
        assertThat(reacted.status()).as(reacted.toString()).isEqualTo(200);

        RestClient.Response r = RestClient.server(server).get("/users/" + ann + "/export");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().path("user").path("id").asText()).isEqualTo(ann);
        assertThat(r.body().path("user").path("name").asText()).isEqualTo("Ann");
        assertThat(ids(r.body().path("messages"))).containsExactly(first, reply, gone);
        assertThat(r.body().path("messages").get(2).path("type").asText()).isEqualTo("deleted");
        JsonNode reactions = r.body().path("reactions");
        assertThat(reactions).hasSize(1);
        assertThat(reactions.get(0).path("message_id").asText()).isEqualTo(bobs);
        assertThat(reactions.get(0).path("type").asText()).isEqualTo("love");
    }

    @Test
    void onlyTheServerSideMayExportAndAnUnknownUserIsNotFound() {
        String ann = Seed.uid("ann");
        Seed.users(server, json("id", ann));

        RestClient.Response asUser = RestClient.user(server, ann).get("/users/" + ann + "/export");
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.code()).isEqualTo(17);

        RestClient.Response unknown = RestClient.server(server).get("/users/" + Seed.uid("nobody") + "/export");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo(16);
        assertThat(unknown.message()).contains("does not exist");
    }
}
