package dev.parley.server.messages;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Messages, replies, reactions and pagination against the real server (PROTOCOL.md §7.10, §7.11, §9.7). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessagesTest {
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
        Seed.users(server, json("id", ann, "name", "Ann"), json("id", bob, "name", "Bob"));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private RestClient.Response send(String as, ObjectNode message) {
        return RestClient.user(server, as).post("/channels/messaging/" + id + "/message", json("message", message));
    }

    private static List<String> ids(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("id").asText()));
        return out;
    }

    @Test
    void sendKeepsTheClientIdAndFillsServerFields() {
        String mid = UUID.randomUUID().toString();

        RestClient.Response r =
                send(ann, json("id", mid, "text", "Hi <b>", "mentioned_users", List.of(bob), "color", "red"));

        JsonNode m = r.body().get("message");
        assertThat(r.status()).isEqualTo(200);
        assertThat(m.path("id").asText()).isEqualTo(mid);
        assertThat(m.path("html").asText()).isEqualTo("<p>Hi &lt;b&gt;</p>\n");
        assertThat(m.path("type").asText()).isEqualTo("regular");
        assertThat(m.path("user").path("id").asText()).isEqualTo(ann);
        assertThat(m.path("cid").asText()).isEqualTo("messaging:" + id);
        assertThat(m.path("mentioned_users").get(0).path("name").asText()).isEqualTo("Bob");
        assertThat(m.path("color").asText()).isEqualTo("red");
        for (String array : List.of("attachments", "latest_reactions", "own_reactions")) {
            assertThat(m.get(array).isArray()).as(array).isTrue();
        }
    }

    @Test
    void duplicateIdFailsWithHttp400Code4AndAlreadyExists() {
        String mid = UUID.randomUUID().toString();
        send(ann, json("id", mid, "text", "once"));

        RestClient.Response again = send(ann, json("id", mid, "text", "twice"));

        assertThat(again.status()).isEqualTo(400);
        assertThat(again.code()).isEqualTo(4);
        assertThat(again.body().path("message").asText()).contains("already exists");
    }

    @Test
    void messageNewReachesWatchersWithPerRecipientUnreadCounts() {
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            watch(annWs, ann);
            watch(bobWs, bob);

            send(ann, json("text", "hello"));
            ObjectNode toBob = bobWs.next("message.new");
            ObjectNode toAnn = annWs.next("message.new");

            assertThat(toBob.path("message").path("text").asText()).isEqualTo("hello");
            assertThat(toBob.path("channel_type").asText()).isEqualTo("messaging");
            assertThat(toBob.path("unread_count").asInt()).isEqualTo(1);
            assertThat(toBob.path("unread_channels").asInt()).isEqualTo(1);
            assertThat(toAnn.path("unread_count").asInt()).isZero();
        }
    }

    private void watch(WsProbe ws, String user) {
        String conn = ws.next("health.check").path("connection_id").asText();
        RestClient.user(server, user)
                .withConnectionId(conn)
                .post("/channels/messaging/" + id + "/query", json("watch", true));
    }

    @Test
    void membersNotWatchingGetNotificationMessageNewWithTheChannelConfig() {
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            bobWs.next("health.check");

            send(ann, json("text", "psst"));
            ObjectNode n = bobWs.next("notification.message_new");

            assertThat(n.path("channel").path("config").path("read_events").asBoolean())
                    .isTrue();
            assertThat(n.path("message").path("text").asText()).isEqualTo("psst");
            assertThat(n.path("total_unread_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void repliesStayOutOfTheChannelAndRaiseTheParentsReplyCount() {
        String parent = send(ann, json("text", "parent"))
                .body()
                .path("message")
                .path("id")
                .asText();
        for (int i = 0; i < 3; i++) {
            send(bob, json("text", "reply " + i, "parent_id", parent));
        }
        send(bob, json("text", "also in channel", "parent_id", parent, "show_in_channel", true));

        JsonNode state = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        JsonNode page = RestClient.user(server, ann)
                .get("/messages/" + parent + "/replies?limit=2")
                .body()
                .get("messages");
        JsonNode older = RestClient.user(server, ann)
                .get("/messages/" + parent + "/replies?limit=2&id_lt="
                        + page.get(0).path("id").asText())
                .body()
                .get("messages");
        JsonNode p =
                RestClient.user(server, ann).get("/messages/" + parent).body().get("message");
        RestClient.Response nested = send(
                ann, json("text", "deep", "parent_id", page.get(0).path("id").asText()));

        assertThat(state.get("messages").size()).isEqualTo(2);
        assertThat(p.path("reply_count").asInt()).isEqualTo(4);
        assertThat(p.path("thread_participants").get(0).path("id").asText()).isEqualTo(bob);
        assertThat(texts(page)).containsExactly("reply 2", "also in channel");
        assertThat(texts(older)).containsExactly("reply 0", "reply 1");
        assertThat(nested.code()).isEqualTo(21);
    }

    private static List<String> texts(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("text").asText()));
        return out;
    }

    @Test
    void reactionsKeepCountsScoresGroupsAndOwnReactionsPerReader() {
        String mid = send(ann, json("text", "react to me"))
                .body()
                .path("message")
                .path("id")
                .asText();

        RestClient.user(server, bob)
                .post("/messages/" + mid + "/reaction", json("reaction", json("type", "love", "score", 2)));
        RestClient.Response r = RestClient.user(server, ann)
                .post("/messages/" + mid + "/reaction", json("reaction", json("type", "love")));
        JsonNode forBob =
                RestClient.user(server, bob).get("/messages/" + mid).body().get("message");
        RestClient.Response deleted =
                RestClient.user(server, bob).call("DELETE", "/messages/" + mid + "/reaction/love", null);

        JsonNode m = r.body().get("message");
        assertThat(r.body().path("reaction").path("user_id").asText()).isEqualTo(ann);
        assertThat(m.path("reaction_counts").path("love").asInt()).isEqualTo(2);
        assertThat(m.path("reaction_scores").path("love").asInt()).isEqualTo(3);
        assertThat(m.path("reaction_groups").path("love").path("sum_scores").asInt())
                .isEqualTo(3);
        assertThat(m.path("latest_reactions").size()).isEqualTo(2);
        assertThat(m.path("own_reactions").get(0).path("user_id").asText()).isEqualTo(ann);
        assertThat(forBob.path("own_reactions").get(0).path("user_id").asText()).isEqualTo(bob);
        assertThat(deleted.body()
                        .path("message")
                        .path("reaction_counts")
                        .path("love")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void reactionNewCarriesTheRecipientsOwnReactions() {
        String mid =
                send(ann, json("text", "x")).body().path("message").path("id").asText();
        RestClient.user(server, ann).post("/messages/" + mid + "/reaction", json("reaction", json("type", "like")));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            watch(annWs, ann);
            watch(bobWs, bob);

            RestClient.user(server, bob).post("/messages/" + mid + "/reaction", json("reaction", json("type", "wow")));
            ObjectNode toAnn = annWs.next("reaction.new");
            ObjectNode toBob = bobWs.next("reaction.new");

            assertThat(toAnn.path("message")
                            .path("own_reactions")
                            .get(0)
                            .path("type")
                            .asText())
                    .isEqualTo("like");
            assertThat(toBob.path("message")
                            .path("own_reactions")
                            .get(0)
                            .path("type")
                            .asText())
                    .isEqualTo("wow");
            assertThat(toBob.path("reaction").path("user_id").asText()).isEqualTo(bob);
        }
    }

    @Test
    void fullUpdateIgnoresReadOnlyKeysAndMarksTheTextEdited() {
        JsonNode sent = send(ann, json("text", "v1", "mood", "ok")).body().get("message");
        ObjectNode echo = (ObjectNode) sent.deepCopy();
        echo.put("text", "v2");
        echo.put("reply_count", 99);
        echo.put("status", "received");
        echo.remove("mood");

        RestClient.Response r =
                RestClient.user(server, ann).post("/messages/" + sent.path("id").asText(), json("message", echo));
        RestClient.Response foreign = RestClient.user(server, bob)
                .post("/messages/" + sent.path("id").asText(), json("message", json("text", "hijack")));

        JsonNode m = r.body().get("message");
        assertThat(r.status()).isEqualTo(200);
        assertThat(m.path("text").asText()).isEqualTo("v2");
        assertThat(m.path("reply_count").asInt()).isZero();
        assertThat(m.has("status")).isFalse();
        assertThat(m.has("mood")).isFalse();
        assertThat(m.path("message_text_updated_at").asText()).isNotEmpty();
        assertThat(foreign.code()).isEqualTo(17);
    }

    @Test
    void partialUpdatePinsAndSoftDeleteKeepsTheMessageAsDeleted() {
        String mid = send(ann, json("text", "pin me"))
                .body()
                .path("message")
                .path("id")
                .asText();

        JsonNode pinned = RestClient.user(server, ann)
                .call("PUT", "/messages/" + mid, json("set", json("pinned", true)))
                .body()
                .get("message");
        JsonNode state = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        JsonNode deleted = RestClient.user(server, ann)
                .call("DELETE", "/messages/" + mid, null)
                .body()
                .get("message");
        RestClient.Response after = RestClient.user(server, ann).get("/messages/" + mid);

        assertThat(pinned.path("pinned").asBoolean()).isTrue();
        assertThat(pinned.path("pinned_by").path("id").asText()).isEqualTo(ann);
        assertThat(ids(state.get("pinned_messages"))).containsExactly(mid);
        assertThat(deleted.path("type").asText()).isEqualTo("deleted");
        assertThat(deleted.path("deleted_at").asText()).isNotEmpty();
        assertThat(after.body().path("message").path("type").asText()).isEqualTo("deleted");
    }

    @Test
    void hardDeleteRemovesTheMessage() {
        String mid = send(ann, json("text", "gone"))
                .body()
                .path("message")
                .path("id")
                .asText();

        RestClient.user(server, ann).call("DELETE", "/messages/" + mid + "?hard=true", null);

        assertThat(RestClient.user(server, ann).get("/messages/" + mid).code()).isEqualTo(16);
    }

    @Test
    void channelPagesAreOldestFirstAndPaginateByIdAndAround() {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add(send(ann, json("text", "m" + i))
                    .body()
                    .path("message")
                    .path("id")
                    .asText());
        }
        RestClient rest = RestClient.user(server, ann);
        String path = "/channels/messaging/" + id + "/query";

        JsonNode latest =
                rest.post(path, json("messages", json("limit", 3))).body().get("messages");
        JsonNode older = rest.post(path, json("messages", json("limit", 3, "id_lt", sent.get(4))))
                .body()
                .get("messages");
        JsonNode newer = rest.post(path, json("messages", json("limit", 2, "id_gt", sent.get(1))))
                .body()
                .get("messages");
        JsonNode around = rest.post(path, json("messages", json("limit", 3, "id_around", sent.get(3))))
                .body()
                .get("messages");
        JsonNode all = rest.post(path, json("state", true)).body().get("messages");

        assertThat(ids(latest)).containsExactlyElementsOf(sent.subList(4, 7));
        assertThat(ids(older)).containsExactlyElementsOf(sent.subList(1, 4));
        assertThat(ids(newer)).containsExactlyElementsOf(sent.subList(2, 4));
        assertThat(ids(around)).containsExactlyElementsOf(sent.subList(2, 5));
        assertThat(ids(all)).containsExactlyElementsOf(sent);
    }

    @Test
    void tooLongTextIsRefusedWithCode20AndMissingMessageWithCode4() {
        RestClient.Response tooLong = send(ann, json("text", "x".repeat(5001)));
        RestClient.Response missing =
                RestClient.user(server, ann).post("/channels/messaging/" + id + "/message", json());

        assertThat(tooLong.code()).isEqualTo(20);
        assertThat(missing.code()).isEqualTo(4);
    }

    @Test
    void slowModeRefusesASecondMessageWithinTheCooldownWithCode60() {
        RestClient.server(server).post("/channels/messaging/" + id, json("cooldown", 30));

        RestClient.Response first = send(bob, json("text", "one"));
        RestClient.Response second = send(bob, json("text", "two"));
        RestClient.Response fromServer = RestClient.server(server)
                .post(
                        "/channels/messaging/" + id + "/message",
                        json("message", json("text", "from the server", "user_id", bob)));

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(403);
        assertThat(second.code()).isEqualTo(60);
        assertThat(fromServer.status()).isEqualTo(200);
    }

    @Test
    void deletingAReplyLowersTheParentsReplyCount() {
        String parent = send(ann, json("text", "parent"))
                .body()
                .path("message")
                .path("id")
                .asText();
        String reply = send(bob, json("text", "reply", "parent_id", parent))
                .body()
                .path("message")
                .path("id")
                .asText();
        send(bob, json("text", "reply 2", "parent_id", parent));

        RestClient.user(server, bob).call("DELETE", "/messages/" + reply, null);
        JsonNode p =
                RestClient.user(server, ann).get("/messages/" + parent).body().get("message");

        assertThat(p.path("reply_count").asInt()).isEqualTo(1);
        assertThat(p.path("deleted_reply_count").asInt()).isEqualTo(1);
    }

    @Test
    void threadsListTheThreadsAUserTakesPartInWithLatestReplies() {
        String parent = send(ann, json("text", "topic"))
                .body()
                .path("message")
                .path("id")
                .asText();
        send(ann, json("text", "no thread here"));
        for (int i = 0; i < 4; i++) {
            send(bob, json("text", "r" + i, "parent_id", parent));
        }

        JsonNode forBob = RestClient.user(server, bob)
                .post("/threads", json("reply_limit", 2))
                .body();
        JsonNode one = RestClient.user(server, ann)
                .get("/threads/" + parent + "?reply_limit=1")
                .body()
                .get("thread");
        RestClient.Response reply = RestClient.user(server, ann)
                .get("/threads/" + forBob.at("/threads/0/latest_replies/0/id").asText());

        assertThat(forBob.get("threads").size()).isEqualTo(1);
        JsonNode t = forBob.get("threads").get(0);
        assertThat(t.path("parent_message_id").asText()).isEqualTo(parent);
        assertThat(t.path("reply_count").asInt()).isEqualTo(4);
        assertThat(texts(t.get("latest_replies"))).containsExactly("r2", "r3");
        assertThat(List.of(
                        t.at("/thread_participants/0/user_id").asText(),
                        t.at("/thread_participants/1/user_id").asText()))
                .containsExactly(ann, bob); // the parent's author first
        assertThat(t.path("channel").path("cid").asText()).isEqualTo("messaging:" + id);
        assertThat(texts(one.get("latest_replies"))).containsExactly("r3");
        assertThat(reply.code()).isEqualTo(4);
    }

    @Test
    void queryReactionsFiltersByTypeAndPagesWithNext() {
        String mid = send(ann, json("text", "popular"))
                .body()
                .path("message")
                .path("id")
                .asText();
        RestClient.user(server, ann).post("/messages/" + mid + "/reaction", json("reaction", json("type", "like")));
        RestClient.user(server, bob).post("/messages/" + mid + "/reaction", json("reaction", json("type", "like")));
        RestClient.user(server, bob).post("/messages/" + mid + "/reaction", json("reaction", json("type", "wow")));

        JsonNode first = RestClient.user(server, ann)
                .post("/messages/" + mid + "/reactions", json("filter", json("type", "like"), "limit", 1))
                .body();
        JsonNode second = RestClient.user(server, ann)
                .post(
                        "/messages/" + mid + "/reactions",
                        json(
                                "filter",
                                json("type", "like"),
                                "limit",
                                1,
                                "next",
                                first.path("next").asText()))
                .body();
        RestClient.Response bad =
                RestClient.user(server, ann).post("/messages/" + mid + "/reactions", json("filter", json("score", 1)));

        assertThat(first.get("reactions").size()).isEqualTo(1);
        assertThat(first.path("next").asText()).isNotEmpty();
        assertThat(second.get("reactions").size()).isEqualTo(1);
        assertThat(second.has("next")).isFalse();
        assertThat(second.at("/reactions/0/user_id").asText())
                .isNotEqualTo(first.at("/reactions/0/user_id").asText());
        assertThat(bad.code()).isEqualTo(4);
    }

    @Test
    void undeleteIsServerSideAndBringsASoftDeletedMessageBack() {
        String mid = send(ann, json("text", "oops"))
                .body()
                .path("message")
                .path("id")
                .asText();
        RestClient.user(server, ann).call("DELETE", "/messages/" + mid, null);

        RestClient.Response refused = RestClient.user(server, ann).post("/messages/" + mid + "/undelete", json());
        RestClient.Response restored =
                RestClient.server(server).post("/messages/" + mid + "/undelete", json("undeleted_by", ann));

        assertThat(refused.code()).isEqualTo(17);
        assertThat(restored.body().path("message").path("type").asText()).isEqualTo("regular");
        assertThat(restored.body().path("message").has("deleted_at")).isFalse();
    }

    @Test
    void threadParticipantsNotWatchingGetNotificationThreadMessageNew() {
        String parent = send(ann, json("text", "parent"))
                .body()
                .path("message")
                .path("id")
                .asText();
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            annWs.next("health.check");

            send(bob, json("text", "in the thread", "parent_id", parent));
            ObjectNode n = annWs.next("notification.thread_message_new");

            assertThat(n.path("parent_id").asText()).isEqualTo(parent);
            assertThat(n.path("message").path("text").asText()).isEqualTo("in the thread");
            assertThat(n.path("channel").path("config").isObject()).isTrue();
        }
    }

    @Test
    void messagesByIdsOfAPrivateChannelAreRefusedWithCode17ToANonMemberAndToAnAnonymousCaller() {
        String eve = Seed.uid("eve");
        Seed.users(server, json("id", eve));
        String mid = send(ann, json("text", "for members only"))
                .body()
                .path("message")
                .path("id")
                .asText();
        String path = "/channels/messaging/" + id + "/messages";

        RestClient.Response member = RestClient.user(server, bob).get(path, java.util.Map.of("ids", mid));
        RestClient.Response stranger = RestClient.user(server, eve).get(path, java.util.Map.of("ids", mid));
        RestClient.Response anonymous =
                RestClient.user(server, eve).anonymous().get(path, java.util.Map.of("ids", mid));

        assertThat(ids(member.body().get("messages"))).containsExactly(mid);
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(stranger.code()).isEqualTo(17);
        assertThat(anonymous.status()).isEqualTo(403);
        assertThat(anonymous.code()).isEqualTo(17);
        assertThat(stranger.text() + anonymous.text()).doesNotContain("for members only");
    }
}
