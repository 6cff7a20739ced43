package dev.parley.server.devices;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Push devices over REST and in {@code me} (PROTOCOL.md §6.8, §7.14). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DevicesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    @Test
    void aUserAddsListsAndRemovesItsDevicesAndMeListsThem() {
        String ann = "ann-" + UUID.randomUUID().toString().substring(0, 8);
        RestClient rest = RestClient.user(server, ann);

        RestClient.Response added = rest.post("/devices", json("id", "token-1", "push_provider", "firebase"));
        JsonNode listed = rest.get("/devices").body().get("devices");
        JsonNode me;
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            me = ws.next("health.check").get("me");
        }
        RestClient.Response removed = rest.call("DELETE", "/devices?id=token-1", null);
        RestClient.Response again = rest.call("DELETE", "/devices?id=token-1", null);

        assertThat(added.status()).isEqualTo(200);
        assertThat(listed.get(0).path("push_provider").asText()).isEqualTo("firebase");
        assertThat(listed.get(0).path("user_id").asText()).isEqualTo(ann);
        assertThat(me.path("devices").get(0).path("id").asText()).isEqualTo("token-1");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(again.code()).isEqualTo(16);
    }

    @Test
    void unknownProvidersAndOtherUsersDevicesAreRefused() {
        String ann = "ann-" + UUID.randomUUID().toString().substring(0, 8);

        RestClient.Response badProvider =
                RestClient.user(server, ann).post("/devices", json("id", "t", "push_provider", "carrier-pigeon"));
        RestClient.Response foreign = RestClient.user(server, ann).get("/devices?user_id=someone-else");

        assertThat(badProvider.code()).isEqualTo(4);
        assertThat(foreign.code()).isEqualTo(17);
    }
}
