package dev.parley.server.reads;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Read state, unread counters, truncation and sync (PROTOCOL.md §6.6, §7.6 C8, §7.8, §7.16, §7.17). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String id;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String send(String as, String text) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                .body()
                .path("message")
                .path("id")
                .asText();
    }

    private JsonNode readOf(String viewer, String user) {
        JsonNode state = RestClient.user(server, viewer)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        for (JsonNode r : state.get("read")) {
            if (r.path("user").path("id").asText().equals(user)) {
                return r;
            }
        }
        throw new AssertionError("no read entry for " + user);
    }

    @Test
    void meInTheHandshakeCarriesTheUnreadCounters() {
        send(ann, "one");
        send(ann, "two");

        try (WsProbe ws = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            JsonNode me = ws.next("health.check").get("me");

            assertThat(me.path("total_unread_count").asInt()).isEqualTo(2);
            assertThat(me.path("unread_count").asInt()).isEqualTo(2);
            assertThat(me.path("unread_channels").asInt()).isEqualTo(1);
            assertThat(me.get("mutes").isArray()).isTrue();
        }
    }

    @Test
    void markReadZeroesUnreadTellsWatchersAndTheReadersOwnConnections() {
        send(ann, "one");
        String last = send(ann, "two");
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));
            bobWs.next("health.check");

            RestClient.Response r = RestClient.user(server, bob).post("/channels/messaging/" + id + "/read", json());
            ObjectNode read = annWs.next("message.read");
            ObjectNode mine = bobWs.next("notification.mark_read");

            assertThat(r.body().path("event").path("last_read_message_id").asText())
                    .isEqualTo(last);
            assertThat(read.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(read.path("last_read_message_id").asText()).isEqualTo(last);
            assertThat(mine.path("unread_channels").asInt()).isZero();
            assertThat(mine.path("total_unread_count").asInt()).isZero();
            assertThat(readOf(ann, bob).path("unread_messages").asInt()).isZero();
            assertThat(readOf(ann, bob).path("last_read_message_id").asText()).isEqualTo(last);
        }
    }

    @Test
    void markUnreadCountsFromTheGivenMessageAndNotifiesTheUser() {
        String first = send(ann, "one");
        String second = send(ann, "two");
        send(ann, "three");
        RestClient.user(server, bob).post("/channels/messaging/" + id + "/read", json());
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            bobWs.next("health.check");

            RestClient.user(server, bob).post("/channels/messaging/" + id + "/unread", json("message_id", second));
            ObjectNode n = bobWs.next("notification.mark_unread");

            assertThat(n.path("unread_messages").asInt()).isEqualTo(2);
            assertThat(n.path("first_unread_message_id").asText()).isEqualTo(second);
            assertThat(n.path("last_read_message_id").asText()).isEqualTo(first);
            assertThat(n.path("total_unread_count").asInt()).isEqualTo(2);
            assertThat(readOf(bob, bob).path("unread_messages").asInt()).isEqualTo(2);
        }
    }

    @Test
    void getUnreadListsChannelsWithUnreadMessages() {
        send(ann, "one");

        JsonNode r = RestClient.user(server, bob).get("/unread").body();

        assertThat(r.path("total_unread_count").asInt()).isEqualTo(1);
        assertThat(r.path("channels").get(0).path("channel_id").asText()).isEqualTo("messaging:" + id);
        assertThat(r.path("channel_type").get(0).path("unread_count").asInt()).isEqualTo(1);
    }

    @Test
    void authorsOwnMessagesNeverCountAsUnreadForThem() {
        send(ann, "mine");

        assertThat(RestClient.user(server, ann)
                        .get("/unread")
                        .body()
                        .path("total_unread_count")
                        .asInt())
                .isZero();
    }

    @Test
    void truncateRemovesEarlierMessagesAndResetsUnread() {
        send(ann, "before");
        RestClient.Response t = RestClient.user(server, ann).post("/channels/messaging/" + id + "/truncate", json());
        send(ann, "after");

        JsonNode state = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        List<String> texts = new ArrayList<>();
        state.get("messages").forEach(m -> texts.add(m.path("text").asText()));

        assertThat(t.body().path("channel").path("truncated_at").asText()).isNotEmpty();
        assertThat(texts).containsExactly("after");
        assertThat(RestClient.user(server, bob)
                        .get("/unread")
                        .body()
                        .path("total_unread_count")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void syncReplaysPersistedChannelEventsInOrderSinceTheGivenTime() {
        Instant since = Instant.now();
        String mid = send(ann, "one");
        RestClient.user(server, ann).post("/messages/" + mid, json("message", json("text", "one, edited")));
        RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/event", json("event", json("type", "typing.start")));

        JsonNode r = RestClient.user(server, bob)
                .post(
                        "/sync",
                        json(
                                "channel_cids",
                                List.of("messaging:" + id, "messaging:nope"),
                                "last_sync_at",
                                Timestamps.format(since),
                                "with_inaccessible_cids",
                                true))
                .body();
        List<String> types = new ArrayList<>();
        r.get("events").forEach(e -> types.add(e.path("type").asText()));

        assertThat(types).containsExactly("message.new", "message.updated");
        assertThat(r.path("inaccessible_cids").get(0).asText()).isEqualTo("messaging:nope");
    }

    @Test
    void syncReportsChannelsTheUserCannotReadAsRemovedWhenNotAskedForTheList() {
        JsonNode r = RestClient.user(server, bob)
                .post(
                        "/sync",
                        json(
                                "channel_cids",
                                List.of("messaging:elsewhere"),
                                "last_sync_at",
                                Timestamps.format(Instant.now().minusSeconds(5))))
                .body();

        assertThat(r.path("events").get(0).path("type").asText()).isEqualTo("notification.removed_from_channel");
        assertThat(r.path("events").get(0).path("channel_id").asText()).isEqualTo("elsewhere");
        assertThat(r.has("inaccessible_cids")).isFalse();
    }

    @Test
    void markDeliveredTellsWatchersAndShowsInTheReadState() {
        String mid = send(ann, "deliver me");
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response r = RestClient.user(server, bob)
                    .post(
                            "/channels/delivered",
                            json(
                                    "latest_delivered_messages",
                                    Json.array().add(json("cid", "messaging:" + id, "id", mid))));
            ObjectNode delivered = annWs.next("message.delivered");
            RestClient.Response tooMany =
                    RestClient.user(server, bob).post("/channels/delivered", json("latest_delivered_messages", "x"));

            assertThat(r.status()).isEqualTo(200);
            assertThat(delivered.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(delivered.path("last_delivered_message_id").asText()).isEqualTo(mid);
            assertThat(readOf(ann, bob).path("last_delivered_message_id").asText())
                    .isEqualTo(mid);
            assertThat(tooMany.code()).isEqualTo(4);
        }
    }

    @Test
    void unreadBatchGivesEachUsersTotalsToTheServerOnly() {
        send(ann, "one");

        JsonNode r = RestClient.server(server)
                .post("/unread_batch", json("user_ids", List.of(ann, bob)))
                .body();
        RestClient.Response refused =
                RestClient.user(server, bob).post("/unread_batch", json("user_ids", List.of(bob)));

        assertThat(r.at("/counts_by_user/" + bob + "/total_unread_count").asInt())
                .isEqualTo(1);
        assertThat(r.at("/counts_by_user/" + ann + "/total_unread_count").asInt())
                .isZero();
        assertThat(refused.code()).isEqualTo(17);
    }
}
