package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Guest users (PROTOCOL.md §2.6): off until the app turns them on, then a new user with role guest and a token. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuestTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static RestClient anonymous() {
        return RestClient.user(server, "nobody").anonymous();
    }

    @Test
    void guestsAreRefusedUntilTheAppTurnsThemOnThenGetANewUserWithRoleGuestAndAToken() {
        String id = Seed.uid("visitor");

        RestClient.Response off = anonymous().post("/guest", json("user", json("id", id)));
        boolean shownOff = RestClient.server(server)
                .get("/app")
                .body()
                .at("/app/guest_user_creation_disabled")
                .asBoolean();
        RestClient.server(server).patch("/app", json("guest_user_creation_disabled", false));
        RestClient.Response created =
                anonymous().post("/guest", json("user", json("id", id, "name", "Visitor", "role", "admin")));
        RestClient.Response again = anonymous().post("/guest", json("user", json("id", id)));
        RestClient.Response unnamed = anonymous().post("/guest", json());
        String existing = Seed.uid("ann");
        Seed.users(server, json("id", existing));
        RestClient.Response taken = anonymous().post("/guest", json("user", json("id", existing)));
        RestClient.server(server).patch("/app", json("guest_user_creation_disabled", true));

        assertThat(off.code()).isEqualTo(17);
        assertThat(shownOff).isTrue();
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        assertThat(created.body().at("/user/id").asText()).isEqualTo(id);
        assertThat(created.body().at("/user/role").asText()).isEqualTo("guest");
        assertThat(created.body().at("/user/name").asText()).isEqualTo("Visitor");
        assertThat(again.code()).isEqualTo(4);
        assertThat(taken.code()).isEqualTo(4);
        assertThat(unnamed.body().at("/user/id").asText()).startsWith("guest-");
        String token = created.body().path("access_token").asText();
        try (WsProbe ws = WsProbe.connect(server, id, token, Json.object())) {
            ObjectNode health = ws.next("health.check");
            assertThat(health.at("/me/role").asText()).isEqualTo("guest");
        }
    }
}
