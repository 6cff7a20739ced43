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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Thread read state, unread threads and partial updates of threads against the real server (PROTOCOL.md §7.18). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String id;
    private String cid;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        id = Seed.uid("room");
        cid = "messaging:" + id;
        Seed.users(server, json("id", ann, "name", "Ann"), json("id", bob, "name", "Bob"));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String send(String as, ObjectNode message) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", message))
                .body()
                .path("message")
                .path("id")
                .asText();
    }

    private String read() {
        return "/channels/messaging/" + id + "/read";
    }

    @Test
    void repliesByOthersMakeAThreadUnreadInUnreadInMeAndInTheThreadsReadState() {
        String parent = send(ann, json("text", "topic"));
        send(bob, json("text", "r1", "parent_id", parent));
        String last = send(bob, json("text", "r2", "parent_id", parent));

        JsonNode unread = RestClient.user(server, ann).get("/unread").body();
        JsonNode thread =
                RestClient.user(server, ann).get("/threads/" + parent).body().get("thread");
        JsonNode bobsUnread = RestClient.user(server, bob).get("/unread").body();

        assertThat(unread.path("total_unread_threads_count").asInt()).isEqualTo(1);
        assertThat(unread.at("/threads/0/parent_message_id").asText()).isEqualTo(parent);
        assertThat(unread.at("/threads/0/unread_count").asInt()).isEqualTo(2);
        assertThat(unread.path("total_unread_count").asInt()).isZero(); // replies leave the channel's count alone
        assertThat(bobsUnread.path("total_unread_threads_count").asInt()).isZero();
        assertThat(thread.get("read").size()).isEqualTo(2);
        for (JsonNode r : thread.get("read")) {
            String user = r.path("user").path("id").asText();
            assertThat(r.path("unread_messages").asInt()).as(user).isEqualTo(user.equals(ann) ? 2 : 0);
            if (user.equals(bob)) {
                assertThat(r.path("last_read_message_id").asText()).isEqualTo(last);
            }
        }
        assertThat(thread.path("participant_count").asInt()).isEqualTo(2);
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            ObjectNode health = ws.next("health.check");
            assertThat(health.path("me").path("unread_threads").asInt()).isEqualTo(1);
        }
    }

    @Test
    void markingAThreadReadClearsItAloneAndTellsTheUserAndTheWatchers() {
        String parent = send(ann, json("text", "topic"));
        send(bob, json("text", "in the channel"));
        String reply = send(bob, json("text", "r1", "parent_id", parent));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            annWs.next("health.check");
            String bobConn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob)
                    .withConnectionId(bobConn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response r = RestClient.user(server, ann).post(read(), json("thread_id", parent));
            ObjectNode mine = annWs.next("notification.mark_read");
            ObjectNode seen = bobWs.next("message.read");
            JsonNode unread = RestClient.user(server, ann).get("/unread").body();

            assertThat(r.status()).isEqualTo(200);
            assertThat(mine.path("thread_id").asText()).isEqualTo(parent);
            assertThat(mine.path("unread_threads").asInt()).isZero();
            assertThat(mine.path("last_read_message_id").asText()).isEqualTo(reply);
            assertThat(seen.path("thread").path("parent_message_id").asText()).isEqualTo(parent);
            assertThat(seen.path("user").path("id").asText()).isEqualTo(ann);
            assertThat(unread.path("total_unread_threads_count").asInt()).isZero();
            assertThat(unread.path("total_unread_count").asInt()).isEqualTo(1); // the channel is still unread
        }
    }

    @Test
    void aParticipantWatchingTheChannelStillHearsOfEachReplyWithItsUnreadThreads() {
        String parent = send(ann, json("text", "topic"));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            send(bob, json("text", "r1", "parent_id", parent));
            ObjectNode n = annWs.next("notification.thread_message_new");

            assertThat(n.path("parent_id").asText()).isEqualTo(parent);
            assertThat(n.path("unread_threads").asInt()).isEqualTo(1);
        }
    }

    @Test
    void markingAThreadUnreadFromAReplyCountsTheRepliesFromThere() {
        String parent = send(ann, json("text", "topic"));
        String first = send(bob, json("text", "r1", "parent_id", parent));
        send(bob, json("text", "r2", "parent_id", parent));
        send(bob, json("text", "r3", "parent_id", parent));
        RestClient.user(server, ann).post(read(), json("thread_id", parent));

        RestClient.Response fromFirst = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/unread", json("thread_id", parent, "message_id", first));
        JsonNode afterFirst = RestClient.user(server, ann).get("/unread").body();
        RestClient.user(server, ann).post("/channels/messaging/" + id + "/unread", json("thread_id", parent));
        JsonNode afterLast = RestClient.user(server, ann).get("/unread").body();
        RestClient.Response notAReply = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/unread", json("thread_id", parent, "message_id", parent));

        assertThat(fromFirst.status()).isEqualTo(200);
        assertThat(afterFirst.at("/threads/0/unread_count").asInt()).isEqualTo(3);
        assertThat(afterLast.at("/threads/0/unread_count").asInt()).isEqualTo(1);
        assertThat(notAReply.code()).isEqualTo(16);
    }

    @Test
    void aPartialUpdateSetsTheTitleAndCustomFieldsAndSendsThreadUpdated() {
        String parent = send(ann, json("text", "topic"));
        send(bob, json("text", "r1", "parent_id", parent));
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response set = RestClient.user(server, ann)
                    .patch("/threads/" + parent, json("set", json("title", "Plans", "priority", 2)));
            ObjectNode event = bobWs.next("thread.updated");
            RestClient.Response unset =
                    RestClient.user(server, ann).patch("/threads/" + parent, json("unset", List.of("priority")));
            JsonNode after = RestClient.user(server, bob)
                    .get("/threads/" + parent)
                    .body()
                    .get("thread");

            assertThat(set.body().at("/thread/title").asText()).isEqualTo("Plans");
            assertThat(set.body().at("/thread/priority").asInt()).isEqualTo(2);
            assertThat(event.at("/thread/parent_message_id").asText()).isEqualTo(parent);
            assertThat(event.at("/thread/title").asText()).isEqualTo("Plans");
            assertThat(event.path("cid").asText()).isEqualTo(cid);
            assertThat(unset.status()).isEqualTo(200);
            assertThat(after.path("title").asText()).isEqualTo("Plans");
            assertThat(after.has("priority")).isFalse();
        }
    }

    @Test
    void aPartialUpdateRefusesServerFieldsStrangersAndThreadsWithoutReplies() {
        String parent = send(ann, json("text", "topic"));
        String lonely = send(ann, json("text", "nobody answered"));
        send(bob, json("text", "r1", "parent_id", parent));
        String eve = Seed.uid("eve");
        Seed.users(server, json("id", eve));

        RestClient.Response reserved =
                RestClient.user(server, ann).patch("/threads/" + parent, json("set", json("reply_count", 9)));
        RestClient.Response stranger =
                RestClient.user(server, eve).patch("/threads/" + parent, json("set", json("title", "mine")));
        RestClient.Response noReplies =
                RestClient.user(server, ann).patch("/threads/" + lonely, json("set", json("title", "t")));
        RestClient.Response badShape =
                RestClient.user(server, ann).patch("/threads/" + parent, json("set", List.of("title")));

        assertThat(reserved.code()).isEqualTo(4);
        assertThat(stranger.code()).isEqualTo(17);
        assertThat(noReplies.code()).isEqualTo(16);
        assertThat(badShape.code()).isEqualTo(4);
    }

    @Test
    void deletingAChannelLeavesNoUnreadThreadBehind() {
        String parent = send(ann, json("text", "topic"));
        send(bob, json("text", "r1", "parent_id", parent));

        RestClient.server(server).delete("/channels/messaging/" + id, java.util.Map.of("hard_delete", "true"));
        JsonNode unread = RestClient.user(server, ann).get("/unread").body();
        JsonNode threads = RestClient.user(server, ann).post("/threads", json()).body();

        assertThat(unread.path("total_unread_threads_count").asInt()).isZero();
        assertThat(threads.get("threads").size()).isZero();
    }
}
