package dev.parley.server.messages;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Static and live locations in messages against the real server (PROTOCOL.md §7.24). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedLocationsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String id;

    @BeforeAll
    static void switchLocationsOn() {
        RestClient.Response r =
                RestClient.server(server).call("PUT", "/channeltypes/messaging", json("shared_locations", true));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private static ObjectNode location(String messageId, double lat, double lng, Duration live) {
        ObjectNode l = Json.object()
                .put("message_id", messageId)
                .put("created_by_device_id", "phone")
                .put("latitude", lat)
                .put("longitude", lng);
        if (live != null) {
            l.put("end_at", Timestamps.format(Instant.now().plus(live)));
        }
        return l;
    }

    private RestClient.Response share(String as, String type, String channel, ObjectNode location) {
        String messageId = location.path("message_id").asText();
        return RestClient.user(server, as)
                .post(
                        "/channels/" + type + "/" + channel + "/message",
                        json("message", json("id", messageId, "shared_location", location)));
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aStaticLocationTravelsWithItsMessageAndIsNotLive() {
        String m = newId();
        RestClient.Response sent = share(ann, "messaging", id, location(m, 52.3676, 4.9041, null));
        JsonNode read =
                RestClient.user(server, bob).get("/messages/" + m).body().path("message");
        JsonNode live =
                RestClient.user(server, ann).get("/users/live_locations").body();

        JsonNode l = sent.body().path("message").path("shared_location");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        assertThat(l.path("latitude").asDouble()).isEqualTo(52.3676);
        assertThat(l.path("longitude").asDouble()).isEqualTo(4.9041);
        assertThat(l.path("message_id").asText()).isEqualTo(m);
        assertThat(l.path("channel_cid").asText()).isEqualTo("messaging:" + id);
        assertThat(l.path("user_id").asText()).isEqualTo(ann);
        assertThat(l.path("created_by_device_id").asText()).isEqualTo("phone");
        assertThat(l.has("end_at")).isFalse();
        assertThat(read.path("shared_location").path("latitude").asDouble()).isEqualTo(52.3676);
        assertThat(live.path("active_live_locations").size()).isZero();
        assertThat(RestClient.user(server, ann)
                        .call("PUT", "/users/live_locations", json("message_id", m))
                        .code())
                .as("a static location cannot move")
                .isEqualTo(4);
    }

    @Test
    void aLiveLocationMovesAndStopsAndWatchersSeeItsMessageUpdated() {
        String m = newId();
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            share(ann, "messaging", id, location(m, 10, 20, Duration.ofHours(1)));
            ObjectNode fresh = bobWs.next("message.new");
            JsonNode active =
                    RestClient.user(server, ann).get("/users/live_locations").body();
            ObjectNode move =
                    Json.object().put("message_id", m).put("latitude", 11.5).put("longitude", 21.25);
            RestClient.Response moved = RestClient.user(server, ann).call("PUT", "/users/live_locations", move);
            ObjectNode updated = bobWs.next("message.updated");
            RestClient.Response stopped = RestClient.user(server, ann)
                    .call(
                            "PUT",
                            "/users/live_locations",
                            json("message_id", m, "end_at", Timestamps.format(Instant.now())));
            ObjectNode stopEvent = bobWs.next("message.updated");
            JsonNode after =
                    RestClient.user(server, ann).get("/users/live_locations").body();
            RestClient.Response again = RestClient.user(server, ann).call("PUT", "/users/live_locations", move);

            assertThat(fresh.path("message")
                            .path("shared_location")
                            .path("end_at")
                            .asText())
                    .isNotEmpty();
            assertThat(active.path("active_live_locations").size()).isEqualTo(1);
            assertThat(active.path("active_live_locations")
                            .get(0)
                            .path("message_id")
                            .asText())
                    .isEqualTo(m);
            assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
            assertThat(moved.body().path("latitude").asDouble()).isEqualTo(11.5);
            assertThat(moved.body().path("longitude").asDouble()).isEqualTo(21.25);
            assertThat(updated.path("message").path("id").asText()).isEqualTo(m);
            assertThat(updated.path("message")
                            .path("shared_location")
                            .path("latitude")
                            .asDouble())
                    .isEqualTo(11.5);
            assertThat(stopped.status()).isEqualTo(200);
            assertThat(Timestamps.parse(
                            stopEvent.at("/message/shared_location/end_at").asText(), "end_at"))
                    .isBeforeOrEqualTo(Instant.now());
            assertThat(after.path("active_live_locations").size()).isZero();
            assertThat(again.code()).as("it has ended").isEqualTo(4);
            assertThat(RestClient.user(server, bob)
                            .get("/messages/" + m)
                            .body()
                            .at("/message/shared_location/latitude")
                            .asDouble())
                    .isEqualTo(11.5);
        }
    }

    @Test
    void onlyTheSharerMovesALiveLocation() {
        String m = newId();
        share(ann, "messaging", id, location(m, 1, 2, Duration.ofHours(1)));

        RestClient.Response bobs = RestClient.user(server, bob)
                .call(
                        "PUT",
                        "/users/live_locations",
                        json("message_id", m, "end_at", Timestamps.format(Instant.now())));
        RestClient.Response unknown =
                RestClient.user(server, ann).call("PUT", "/users/live_locations", json("message_id", newId()));
        RestClient.Response serverWithoutUser = RestClient.server(server).get("/users/live_locations");

        assertThat(bobs.code()).isEqualTo(17);
        assertThat(unknown.code()).isEqualTo(16);
        assertThat(serverWithoutUser.code()).isEqualTo(4);
        assertThat(RestClient.user(server, ann)
                        .get("/users/live_locations")
                        .body()
                        .path("active_live_locations")
                        .size())
                .as("bob's attempt changed nothing")
                .isEqualTo(1);
    }

    @Test
    void aChannelTypeWithLocationsOffRefusesThemWithCode19() {
        String team = Seed.uid("team");
        RestClient.user(server, ann)
                .post("/channels/team/" + team + "/query", json("data", json("members", List.of(ann))));

        RestClient.Response r = share(ann, "team", team, location(newId(), 1, 2, null));

        assertThat(r.code()).isEqualTo(19);
        assertThat(r.message()).contains("shared locations are disabled");
    }

    @Test
    void badLocationsAreCode4NamingTheFieldAndSendNothing() {
        String m = newId();
        RestClient.Response latitude = share(ann, "messaging", id, location(m, 91, 0, null));
        RestClient.Response longitude = share(ann, "messaging", id, location(m, 0, -181, null));
        ObjectNode noLatitude = location(m, 0, 0, null);
        noLatitude.remove("latitude");
        RestClient.Response missing = share(ann, "messaging", id, noLatitude);
        RestClient.Response past = share(ann, "messaging", id, location(m, 0, 0, Duration.ofMinutes(-1)));
        RestClient.Response otherId = RestClient.user(server, ann)
                .post(
                        "/channels/messaging/" + id + "/message",
                        json("message", json("id", m, "shared_location", location(newId(), 0, 0, null))));
        RestClient.Response notAnObject = RestClient.user(server, ann)
                .post(
                        "/channels/messaging/" + id + "/message",
                        json("message", json("id", m, "shared_location", "here")));
        RestClient.Response badMove = RestClient.user(server, ann)
                .call(
                        "PUT",
                        "/users/live_locations",
                        Json.object().put("message_id", m).put("latitude", "north"));
        RestClient.Response noId = RestClient.user(server, ann).call("PUT", "/users/live_locations", json());

        assertThat(latitude.code()).isEqualTo(4);
        assertThat(latitude.message()).contains("latitude");
        assertThat(longitude.code()).isEqualTo(4);
        assertThat(longitude.message()).contains("longitude");
        assertThat(missing.code()).isEqualTo(4);
        assertThat(past.code()).isEqualTo(4);
        assertThat(past.message()).contains("end_at");
        assertThat(otherId.code()).isEqualTo(4);
        assertThat(otherId.message()).contains("message_id");
        assertThat(notAnObject.code()).isEqualTo(4);
        assertThat(badMove.code()).isEqualTo(16); // nothing was sent, so the message has no location
        assertThat(noId.code()).isEqualTo(4);
        assertThat(RestClient.user(server, ann).get("/messages/" + m).code()).isEqualTo(16);
    }
}
