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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Messages only some members see (PROTOCOL.md §7.10, restricted_visibility). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestrictedVisibilityTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String cat;
    private String id;
    private String path;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        cat = Seed.uid("cat");
        id = Seed.uid("room");
        path = "/channels/messaging/" + id;
        Seed.users(server, json("id", ann), json("id", bob), json("id", cat));
        Seed.messaging(server, ann, id, ann, bob, cat);
    }

    private RestClient.Response sendAsServer(ObjectNode message) {
        message.put("user_id", ann);
        return RestClient.server(server).post(path + "/message", json("message", message));
    }

    private WsProbe watching(String user) {
        WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object());
        String conn = ws.next("health.check").path("connection_id").asText();
        RestClient.user(server, user).withConnectionId(conn).post(path + "/query", json("watch", true));
        return ws;
    }

    private List<String> texts(String as) {
        JsonNode messages =
                RestClient.user(server, as).post(path + "/query", json()).body().path("messages");
        return StreamSupport.stream(messages.spliterator(), false)
                .map(m -> m.path("text").asText())
                .toList();
    }

    @Test
    void onlyTheNamedUsersAndTheAuthorHearAndReadTheMessage() {
        try (WsProbe bobWs = watching(bob);
                WsProbe catWs = watching(cat)) {
            RestClient.Response sent = sendAsServer(json("text", "for bob", "restricted_visibility", List.of(bob)));
            String secret = sent.body().at("/message/id").asText();
            sendAsServer(json("text", "for everyone"));

            assertThat(sent.status()).as(sent.text()).isEqualTo(200);
            assertThat(bobWs.next("message.new").at("/message/text").asText()).isEqualTo("for bob");
            assertThat(catWs.next("message.new").at("/message/text").asText())
                    .as("cat's next message.new skips the restricted one")
                    .isEqualTo("for everyone");

            assertThat(texts(bob)).containsExactly("for bob", "for everyone");
            assertThat(texts(ann)).containsExactly("for bob", "for everyone");
            assertThat(texts(cat)).containsExactly("for everyone");
            assertThat(RestClient.user(server, cat).get("/messages/" + secret).code())
                    .isEqualTo(16);
            assertThat(RestClient.user(server, cat)
                            .post("/messages/" + secret + "/reaction", json("reaction", json("type", "like")))
                            .code())
                    .isEqualTo(16);
            assertThat(RestClient.user(server, bob)
                            .get("/messages/" + secret)
                            .body()
                            .at("/message/restricted_visibility/0")
                            .asText())
                    .isEqualTo(bob);
        }
    }

    @Test
    void aRestrictedMessageCountsAsUnreadForNobodyAndSyncLeavesItOutForOthers() {
        String since = Timestamps.format(Instant.now().minusSeconds(5));
        sendAsServer(json("text", "for bob", "restricted_visibility", List.of(bob)));

        JsonNode catsUnread = RestClient.user(server, cat).get("/unread").body();
        JsonNode catsSync = RestClient.user(server, cat)
                .post("/sync", json("channel_cids", List.of("messaging:" + id), "last_sync_at", since))
                .body();
        JsonNode bobsSync = RestClient.user(server, bob)
                .post("/sync", json("channel_cids", List.of("messaging:" + id), "last_sync_at", since))
                .body();

        assertThat(catsUnread.path("total_unread_count").asInt()).isZero();
        assertThat(catsSync.path("events").toString()).doesNotContain("for bob");
        assertThat(bobsSync.path("events").toString()).contains("for bob");
    }

    @Test
    void aMemberMayNotRestrictAMessageAndBadListsAreRefused() {
        RestClient.Response byMember = RestClient.user(server, bob)
                .post(path + "/message", json("message", json("text", "psst", "restricted_visibility", List.of(ann))));
        assertThat(byMember.code()).isEqualTo(17);
        assertThat(sendAsServer(json("text", "x", "restricted_visibility", "bob"))
                        .code())
                .isEqualTo(4);
        assertThat(sendAsServer(json(
                                "text",
                                "x",
                                "restricted_visibility",
                                Json.array().add(5)))
                        .code())
                .isEqualTo(4);
        assertThat(texts(bob)).isEmpty();
        assertThat(RestClient.user(server, ann)
                        .post(path + "/query", json())
                        .body()
                        .at("/channel/own_capabilities")
                        .toString())
                .doesNotContain("send-restricted-visibility-message");
    }
}
