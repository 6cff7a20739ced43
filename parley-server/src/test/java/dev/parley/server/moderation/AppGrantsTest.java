package dev.parley.server.moderation;

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

/** App-wide grants set with PATCH /app (PROTOCOL.md §11.5): they decide what a global role may do app-wide. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppGrantsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aRoleDoesWhatTheAppGrantsItAndTheRolesNotSentKeepTheirs() {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String mod = Seed.uid("mod");
        Seed.users(server, json("id", ann), json("id", bob), json("id", mod, "role", "moderator"));
        RestClient admin = RestClient.server(server);

        JsonNode before = admin.get("/app").body().at("/app/grants");
        RestClient.Response mutedBefore = RestClient.user(server, ann).post("/moderation/mute", json("target_id", bob));
        RestClient.Response patched = admin.patch("/app", json("grants", json("user", List.of("flag-user"))));
        RestClient.Response mutedAfter = RestClient.user(server, ann).post("/moderation/mute", json("target_id", mod));
        RestClient.Response flagged =
                RestClient.user(server, ann).post("/moderation/flag", json("target_user_id", bob));
        RestClient.Response modMutes = RestClient.user(server, mod).post("/moderation/mute", json("target_id", ann));
        JsonNode after = admin.get("/app").body().at("/app/grants");

        assertThat(texts(before.path("user"))).containsExactly("flag-user", "mute-user");
        assertThat(texts(before.path("moderator"))).contains("ban-user", "read-bans");
        assertThat(mutedBefore.status()).as("%s", mutedBefore).isEqualTo(200);
        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        assertThat(mutedAfter.code()).isEqualTo(17);
        assertThat(flagged.status()).as("%s", flagged).isEqualTo(200);
        assertThat(modMutes.status()).as("the moderator keeps its grants").isEqualTo(200);
        assertThat(texts(after.path("user"))).containsExactly("flag-user");

        admin.patch("/app", json("grants", json("user", List.of("flag-user", "mute-user"))));
        assertThat(RestClient.user(server, ann)
                        .post("/moderation/mute", json("target_id", mod))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void grantsNamingAnUnknownRoleOrAPermissionNotCheckedAppWideAreRefused() {
        RestClient admin = RestClient.server(server);
        assertThat(admin.patch("/app", json("grants", json("nobody", List.of("mute-user"))))
                        .code())
                .isEqualTo(4);
        assertThat(admin.patch("/app", json("grants", json("user", List.of("create-message"))))
                        .code())
                .isEqualTo(4);
        assertThat(admin.patch("/app", json("grants", json("user", "mute-user")))
                        .code())
                .isEqualTo(4);
        assertThat(admin.patch("/app", json("grants", "all")).code()).isEqualTo(4);
        assertThat(RestClient.user(server, Seed.uid("eve"))
                        .patch("/app", json("grants", json("user", List.of())))
                        .code())
                .isEqualTo(17);
    }
}
