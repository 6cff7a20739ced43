package dev.parley.server.messages;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WebhookReceiver;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pending messages (PROTOCOL.md §7.29): seen by their sender only until the server side commits them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PendingMessagesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    private String ann;
    private String bob;
    private String id;
    private String path;

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        id = Seed.uid("room");
        path = "/channels/messaging/" + id;
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private RestClient.Response sendPending(String text, ObjectNode metadata) {
        return RestClient.server(server)
                .post(
                        path + "/message",
                        json(
                                "message",
                                json("text", text, "user_id", ann),
                                "pending",
                                true,
                                "pending_message_metadata",
                                metadata));
    }

    private WsProbe watching(String user) {
        WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object());
        String conn = ws.next("health.check").path("connection_id").asText();
        RestClient.user(server, user).withConnectionId(conn).post(path + "/query", json("watch", true));
        return ws;
    }

    private JsonNode state(String as) {
        return RestClient.user(server, as).post(path + "/query", json()).body();
    }

    private static List<String> texts(JsonNode messages) {
        return StreamSupport.stream(messages.spliterator(), false)
                .map(m -> m.path("text").asText())
                .toList();
    }

    private int unread(String user) {
        return RestClient.user(server, user)
                .get("/unread")
                .body()
                .path("total_unread_count")
                .asInt();
    }

    @Test
    void aPendingMessageIsTheSendersAloneUntilCommittedThenEveryonesWithItsCounts() {
        try (WsProbe annWs = watching(ann);
                WsProbe bobWs = watching(bob)) {
            RestClient.Response sent = sendPending("held", json("reason", "review"));
            String held = sent.body().at("/message/id").asText();
            RestClient.user(server, ann).post(path + "/message", json("message", json("text", "plain")));

            assertThat(sent.status()).as(sent.text()).isEqualTo(200);
            assertThat(sent.body().at("/pending_message_metadata/reason").asText())
                    .isEqualTo("review");
            assertThat(annWs.next("message.new").at("/message/text").asText()).isEqualTo("held");
            assertThat(bobWs.next("message.new").at("/message/text").asText())
                    .as("bob's first message.new is the plain one")
                    .isEqualTo("plain");
            assertThat(texts(state(bob).path("messages"))).containsExactly("plain");
            JsonNode annState = state(ann);
            assertThat(texts(annState.path("messages"))).containsExactly("held", "plain");
            assertThat(annState.at("/pending_messages/0/message/id").asText()).isEqualTo(held);
            assertThat(annState.at("/pending_messages/0/pending_message_metadata/reason")
                            .asText())
                    .isEqualTo("review");
            assertThat(state(bob).has("pending_messages")).isFalse();
            assertThat(RestClient.user(server, bob).get("/messages/" + held).code())
                    .isEqualTo(16);
            assertThat(RestClient.user(server, ann)
                            .get("/messages/" + held)
                            .body()
                            .at("/pending_message_metadata/reason")
                            .asText())
                    .isEqualTo("review");
            assertThat(unread(bob)).as("only the plain message counts").isEqualTo(1);

            RestClient.Response committed = RestClient.server(server).post("/messages/" + held + "/commit", json());

            assertThat(committed.status()).as(committed.text()).isEqualTo(200);
            assertThat(committed.body().has("pending_message_metadata")).isFalse();
            JsonNode news = bobWs.next("message.new");
            assertThat(news.at("/message/id").asText()).isEqualTo(held);
            assertThat(news.at("/message/pending").isMissingNode()).isTrue();
            assertThat(texts(state(bob).path("messages"))).containsExactly("plain", "held");
            assertThat(state(ann).has("pending_messages")).isFalse();
            assertThat(unread(bob)).isEqualTo(2);
            assertThat(RestClient.user(server, bob).get("/messages/" + held).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aCommitIsIdempotentServerSideOnlyAndAnswersUnknownIdsWith16() {
        String held = sendPending("held", json()).body().at("/message/id").asText();

        assertThat(RestClient.user(server, ann)
                        .post("/messages/" + held + "/commit", json())
                        .code())
                .as("the sender may not publish its own pending message")
                .isEqualTo(17);
        RestClient.Response first = RestClient.server(server).post("/messages/" + held + "/commit", json());
        RestClient.Response second = RestClient.server(server).post("/messages/" + held + "/commit", json());

        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().at("/message/created_at"))
                .isEqualTo(first.body().at("/message/created_at"));
        assertThat(unread(bob)).as("counted once").isEqualTo(1);
        assertThat(RestClient.server(server)
                        .post("/messages/" + Seed.uid("none") + "/commit", json())
                        .code())
                .isEqualTo(16);
    }

    @Test
    void aPendingMessageCannotBeUpdatedNorSoftDeletedButMayBeHardDeleted() {
        String held = sendPending("held", json()).body().at("/message/id").asText();
        RestClient annClient = RestClient.user(server, ann);

        assertThat(annClient
                        .call("PUT", "/messages/" + held, json("set", json("text", "changed")))
                        .code())
                .isEqualTo(4);
        assertThat(annClient.delete("/messages/" + held).code()).isEqualTo(4);
        assertThat(annClient.delete("/messages/" + held + "?hard=true").status())
                .isEqualTo(200);
        assertThat(RestClient.server(server)
                        .post("/messages/" + held + "/commit", json())
                        .code())
                .isEqualTo(16);
    }

    @Test
    void aPendingReplyJoinsItsThreadOnlyWhenCommitted() {
        String parent = RestClient.user(server, ann)
                .post(path + "/message", json("message", json("text", "parent")))
                .body()
                .at("/message/id")
                .asText();
        String reply = RestClient.server(server)
                .post(
                        path + "/message",
                        json("message", json("text", "reply", "user_id", bob, "parent_id", parent), "pending", true))
                .body()
                .at("/message/id")
                .asText();

        assertThat(RestClient.user(server, ann)
                        .get("/messages/" + parent)
                        .body()
                        .at("/message/reply_count")
                        .asInt())
                .isZero();
        assertThat(texts(RestClient.user(server, ann)
                        .get("/messages/" + parent + "/replies")
                        .body()
                        .path("messages")))
                .isEmpty();
        assertThat(texts(RestClient.user(server, bob)
                        .get("/messages/" + parent + "/replies")
                        .body()
                        .path("messages")))
                .containsExactly("reply");

        RestClient.server(server).post("/messages/" + reply + "/commit", json());

        assertThat(RestClient.user(server, ann)
                        .get("/messages/" + parent)
                        .body()
                        .at("/message/reply_count")
                        .asInt())
                .isEqualTo(1);
        assertThat(texts(RestClient.user(server, ann)
                        .get("/messages/" + parent + "/replies")
                        .body()
                        .path("messages")))
                .containsExactly("reply");
    }

    @Test
    void aTypeWithMarkMessagesPendingHoldsMembersSendsAndTheServerSideMayOverrideIt() {
        String type = Seed.uid("held").replace('-', '_').toLowerCase(java.util.Locale.ROOT);
        RestClient admin = RestClient.server(server);
        assertThat(admin.post("/channeltypes", json("name", type, "mark_messages_pending", true))
                        .status())
                .isEqualTo(200);
        assertThat(admin.get("/channeltypes/" + type)
                        .body()
                        .path("mark_messages_pending")
                        .asBoolean())
                .isTrue();
        String room = "/channels/" + type + "/" + id;
        admin.post(room + "/query", json("data", json("created_by_id", ann, "members", List.of(ann, bob))));

        RestClient.user(server, ann).post(room + "/message", json("message", json("text", "by ann")));
        admin.post(room + "/message", json("message", json("text", "by server", "user_id", ann), "pending", false));

        JsonNode bobs =
                RestClient.user(server, bob).post(room + "/query", json()).body();
        assertThat(texts(bobs.path("messages"))).containsExactly("by server");
    }

    @Test
    void aPendingMessagesWebhookGoesOutWhenItIsCommitted() {
        RestClient admin = RestClient.server(server);
        assertThat(admin.patch("/app", json("webhook_url", receiver.url())).status())
                .isEqualTo(200);
        try {
            String held = sendPending("held", json()).body().at("/message/id").asText();
            RestClient.user(server, ann).post(path + "/message", json("message", json("text", "plain")));
            admin.post("/messages/" + held + "/commit", json());

            WebhookReceiver.Request first = receiver.next(r -> r.type().equals("message.new"), Duration.ofSeconds(20));
            WebhookReceiver.Request second = receiver.next(r -> r.type().equals("message.new"), Duration.ofSeconds(20));
            assertThat(first.json().at("/message/text").asText()).isEqualTo("plain");
            assertThat(second.json().at("/message/id").asText()).isEqualTo(held);
        } finally {
            admin.patch("/app", json("webhook_url", ""));
        }
    }
}
