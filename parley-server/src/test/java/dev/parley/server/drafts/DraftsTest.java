package dev.parley.server.drafts;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Drafts against the real server (PROTOCOL.md §7.22): REST, events, deletion on send, refusals. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DraftsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String eve;
    private String id;
    private String cid;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        eve = Seed.uid("eve");
        id = Seed.uid("room");
        cid = "messaging:" + id;
        Seed.users(server, json("id", ann), json("id", bob), json("id", eve));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String draftPath() {
        return "/channels/messaging/" + id + "/draft";
    }

    private RestClient.Response draft(String as, ObjectNode message) {
        return RestClient.user(server, as).post(draftPath(), json("message", message));
    }

    private String send(String as, ObjectNode message) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", message))
                .body()
                .path("message")
                .path("id")
                .asText();
    }

    @Test
    void aDraftIsSavedReadBackReplacedAndToldToTheUsersOwnConnectionsOnly() {
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            annWs.next("health.check");
            bobWs.next("health.check");

            RestClient.Response created = draft(ann, json("text", "half a thought", "mentioned_users", List.of(bob)));
            ObjectNode updated = annWs.next("draft.updated");
            draft(ann, json("text", "a whole thought", "custom", json("mood", "calm")));
            draft(bob, json("text", "bob's own"));
            ObjectNode bobsFirst = bobWs.next("draft.updated");
            JsonNode read = RestClient.user(server, ann).get(draftPath()).body().path("draft");

            assertThat(created.status()).isEqualTo(200);
            JsonNode d = created.body().path("draft");
            assertThat(d.path("channel_cid").asText()).isEqualTo(cid);
            assertThat(d.path("created_at").asText()).isNotEmpty();
            assertThat(d.path("message").path("id").asText()).isNotEmpty();
            assertThat(d.path("message").path("text").asText()).isEqualTo("half a thought");
            assertThat(d.path("message").path("mentioned_users").get(0).asText())
                    .isEqualTo(bob);
            assertThat(d.path("channel").path("cid").asText()).isEqualTo(cid);
            assertThat(d.has("parent_id")).isFalse();
            assertThat(updated.path("draft").path("message").path("text").asText())
                    .isEqualTo("half a thought");
            assertThat(updated.path("cid").asText()).isEqualTo(cid);
            assertThat(bobsFirst.path("draft").path("message").path("text").asText())
                    .as("bob hears of his own draft, not of ann's")
                    .isEqualTo("bob's own");
            assertThat(read.path("message").path("text").asText()).isEqualTo("a whole thought");
            assertThat(read.path("message").path("custom").path("mood").asText())
                    .isEqualTo("calm");
        }
    }

    @Test
    void aThreadHasItsOwnDraftBesideTheChannelsAndShowsItsParent() {
        String parent = send(ann, json("text", "topic"));
        draft(ann, json("text", "in the channel"));
        RestClient.Response thread = draft(ann, json("text", "in the thread", "parent_id", parent));

        JsonNode channelDraft =
                RestClient.user(server, ann).get(draftPath()).body().path("draft");
        JsonNode threadDraft = RestClient.user(server, ann)
                .get(draftPath(), Map.of("parent_id", parent))
                .body()
                .path("draft");

        assertThat(thread.status()).isEqualTo(200);
        assertThat(channelDraft.path("message").path("text").asText()).isEqualTo("in the channel");
        assertThat(threadDraft.path("message").path("text").asText()).isEqualTo("in the thread");
        assertThat(threadDraft.path("parent_id").asText()).isEqualTo(parent);
        assertThat(threadDraft.path("parent_message").path("text").asText()).isEqualTo("topic");
        assertThat(RestClient.user(server, ann)
                        .get("/threads/" + parent)
                        .body()
                        .at("/thread/draft/message/text")
                        .asText())
                .as("the thread object carries the reader's draft")
                .isEqualTo("in the thread");
        assertThat(RestClient.user(server, bob)
                        .get("/threads/" + parent)
                        .body()
                        .path("thread")
                        .has("draft"))
                .isFalse();
    }

    @Test
    void sendingToTheChannelDeletesItsDraftAndLeavesTheThreadsDraft() {
        String parent = send(ann, json("text", "topic"));
        draft(ann, json("text", "soon"));
        draft(ann, json("text", "reply soon", "parent_id", parent));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            annWs.next("health.check");

            send(ann, json("text", "sent"));
            ObjectNode deleted = annWs.next("draft.deleted");

            assertThat(deleted.path("draft").path("channel_cid").asText()).isEqualTo(cid);
            assertThat(deleted.path("draft").has("parent_id")).isFalse();
            assertThat(RestClient.user(server, ann).get(draftPath()).code()).isEqualTo(16);
            assertThat(RestClient.user(server, ann)
                            .get(draftPath(), Map.of("parent_id", parent))
                            .status())
                    .isEqualTo(200);

            send(ann, json("text", "the reply", "parent_id", parent));
            ObjectNode threadDeleted = annWs.next("draft.deleted");
            assertThat(threadDeleted.path("draft").path("parent_id").asText()).isEqualTo(parent);
            assertThat(RestClient.user(server, ann)
                            .get(draftPath(), Map.of("parent_id", parent))
                            .code())
                    .isEqualTo(16);
        }
    }

    @Test
    void deletingADraftTellsTheUserAndDeletingNoneSucceedsQuietly() {
        draft(ann, json("text", "gone soon"));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            annWs.next("health.check");

            RestClient.Response first = RestClient.user(server, ann).delete(draftPath());
            ObjectNode deleted = annWs.next("draft.deleted");
            RestClient.Response again = RestClient.user(server, ann).delete(draftPath());
            draft(ann, json("text", "next"));
            ObjectNode following = annWs.next();

            assertThat(first.status()).isEqualTo(200);
            assertThat(deleted.path("draft").path("message").path("text").asText())
                    .isEqualTo("gone soon");
            assertThat(again.status()).isEqualTo(200);
            assertThat(following.path("type").asText())
                    .as("the second delete sent nothing")
                    .isEqualTo("draft.updated");
        }
    }

    @Test
    void aChannelsStateCarriesTheReadersOwnDraftOfTheChannel() {
        String parent = send(ann, json("text", "topic"));
        draft(ann, json("text", "mine"));
        draft(ann, json("text", "a thread's", "parent_id", parent));

        JsonNode annState = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json())
                .body();
        JsonNode bobState = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json())
                .body();
        JsonNode listed = RestClient.user(server, ann)
                .post("/channels", json("filter_conditions", json("cid", cid)))
                .body()
                .path("channels")
                .get(0);

        assertThat(annState.path("draft").path("message").path("text").asText()).isEqualTo("mine");
        assertThat(annState.path("draft").path("channel_cid").asText()).isEqualTo(cid);
        assertThat(bobState.has("draft")).isFalse();
        assertThat(listed.path("draft").path("message").path("text").asText()).isEqualTo("mine");
    }

    @Test
    void queryDraftsListsTheCallersDraftsFilteredAndInPages() {
        String other = Seed.uid("other");
        Seed.messaging(server, ann, other, ann);
        String parent = send(ann, json("text", "topic"));
        draft(ann, json("text", "one"));
        draft(ann, json("text", "two", "parent_id", parent));
        RestClient.user(server, ann)
                .post("/channels/messaging/" + other + "/draft", json("message", json("text", "three")));
        draft(bob, json("text", "bob's"));

        JsonNode all =
                RestClient.user(server, ann).post("/drafts/query", json()).body();
        JsonNode here = RestClient.user(server, ann)
                .post("/drafts/query", json("filter", json("channel_cid", cid)))
                .body();
        JsonNode threads = RestClient.user(server, ann)
                .post("/drafts/query", json("filter", json("parent_id", json("$exists", true))))
                .body();
        JsonNode first = RestClient.user(server, ann)
                .post("/drafts/query", json("limit", 2, "sort", List.of(json("field", "created_at", "direction", 1))))
                .body();
        JsonNode second = RestClient.user(server, ann)
                .post(
                        "/drafts/query",
                        json(
                                "limit",
                                2,
                                "sort",
                                List.of(json("field", "created_at", "direction", 1)),
                                "next",
                                first.path("next").asText()))
                .body();

        assertThat(texts(all)).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(texts(here)).containsExactlyInAnyOrder("one", "two");
        assertThat(texts(threads)).containsExactly("two");
        assertThat(texts(first)).containsExactly("one", "two");
        assertThat(first.path("next").asText()).isNotEmpty();
        assertThat(texts(second)).containsExactly("three");
        assertThat(second.has("next")).isFalse();
        assertThat(second.path("prev").asText()).isNotEmpty();
    }

    @Test
    void aServerCallActsForTheUserItNamesAndMustNameOne() {
        RestClient.Response named = RestClient.server(server)
                .post(draftPath(), json("message", json("text", "by the server", "user_id", ann)));
        RestClient.Response unnamed =
                RestClient.server(server).post(draftPath(), json("message", json("text", "for whom?")));
        JsonNode read = RestClient.server(server)
                .get(draftPath(), Map.of("user_id", ann))
                .body()
                .path("draft");

        assertThat(named.status()).isEqualTo(200);
        assertThat(unnamed.code()).isEqualTo(4);
        assertThat(unnamed.message()).contains("user_id");
        assertThat(read.path("message").path("text").asText()).isEqualTo("by the server");
    }

    @Test
    void someoneWhoMayNotReadTheChannelCannotDraftInIt() {
        RestClient.Response create = draft(eve, json("text", "let me in"));
        RestClient.Response get = RestClient.user(server, eve).get(draftPath());

        assertThat(create.code()).isEqualTo(17);
        assertThat(get.code()).isEqualTo(17);
        assertThat(RestClient.user(server, eve)
                        .post(
                                "/channels/messaging/" + Seed.uid("nowhere") + "/draft",
                                json("message", json("text", "x")))
                        .code())
                .isEqualTo(16);
    }

    @Test
    void badDraftsAreCode4NamingTheField() {
        RestClient.Response noMessage = RestClient.user(server, ann).post(draftPath(), json("text", "flat"));
        RestClient.Response badText = draft(ann, json("text", 5));
        RestClient.Response badAttachments = draft(ann, json("text", "x", "attachments", "file"));
        RestClient.Response unknownParent = draft(ann, json("text", "x", "parent_id", "no-such-message"));
        RestClient.Response tooLong = draft(ann, json("text", "x".repeat(5001)));
        RestClient.Response badFilter =
                RestClient.user(server, ann).post("/drafts/query", json("filter", json("text", "x")));
        RestClient.Response badLimit = RestClient.user(server, ann).post("/drafts/query", json("limit", 0));
        RestClient.Response badCursor = RestClient.user(server, ann).post("/drafts/query", json("next", "abc"));

        assertThat(noMessage.code()).isEqualTo(4);
        assertThat(noMessage.message()).contains("message");
        assertThat(badText.code()).isEqualTo(4);
        assertThat(badText.message()).contains("message.text");
        assertThat(badAttachments.code()).isEqualTo(4);
        assertThat(badAttachments.message()).contains("attachments");
        assertThat(unknownParent.code()).isEqualTo(4);
        assertThat(unknownParent.message()).contains("parent_id");
        assertThat(tooLong.code()).isEqualTo(20);
        assertThat(badFilter.code()).isEqualTo(4);
        assertThat(badFilter.message()).contains("text");
        assertThat(badLimit.code()).isEqualTo(4);
        assertThat(badCursor.code()).isEqualTo(4);
        assertThat(RestClient.user(server, ann).get(draftPath()).code())
                .as("nothing was stored")
                .isEqualTo(16);
    }

    private static List<String> texts(JsonNode page) {
        return page.path("drafts")
                .valueStream()
                .map(d -> d.path("message").path("text").asText())
                .toList();
    }
}
