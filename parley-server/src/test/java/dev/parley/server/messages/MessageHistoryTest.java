package dev.parley.server.messages;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The versions of edited messages, {@code POST /messages/history} (PROTOCOL.md §7.29). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageHistoryTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String path;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        String id = Seed.uid("room");
        path = "/channels/messaging/" + id;
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String send(String text) {
        return RestClient.user(server, ann)
                .post(path + "/message", json("message", json("text", text)))
                .body()
                .at("/message/id")
                .asText();
    }

    private void edit(String as, String id, String text) {
        RestClient.Response r =
                RestClient.user(server, as).call("PUT", "/messages/" + id, json("set", json("text", text)));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private RestClient.Response history(String as, Object body) {
        return RestClient.user(server, as).post("/messages/history", body);
    }

    private static List<String> texts(JsonNode body) {
        return StreamSupport.stream(body.path("message_history").spliterator(), false)
                .map(e -> e.path("text").asText())
                .toList();
    }

    @Test
    void everyVersionOfAnEditedTextIsKeptWithWhenAndByWhom() {
        String id = send("first");
        edit(ann, id, "second");
        RestClient.user(server, ann).call("PUT", "/messages/" + id, json("set", json("mood", "calm")));
        edit(ann, id, "third");

        JsonNode newest = history(bob, json("filter", json("message_id", id))).body();
        JsonNode oldest = history(
                        bob,
                        json(
                                "filter",
                                json("message_id", json("$eq", id)),
                                "sort",
                                List.of(json("field", "message_updated_at", "direction", 1))))
                .body();

        assertThat(texts(newest)).containsExactly("third", "second", "first");
        assertThat(texts(oldest)).containsExactly("first", "second", "third");
        assertThat(oldest.at("/message_history/0/message_updated_by_id").asText())
                .isEqualTo(ann);
        assertThat(oldest.at("/message_history/0/message_id").asText()).isEqualTo(id);
        assertThat(oldest.at("/message_history/0/message_updated_at").asText()).endsWith("Z");
        assertThat(oldest.at("/message_history/0/attachments").isArray()).isTrue();
    }

    @Test
    void aHistoryIsPagedWithNextAndFilteredByTheUserWhoWrote() {
        String id = send("v0");
        edit(ann, id, "v1");
        edit(ann, id, "v2");
        RestClient.server(server)
                .call("PUT", "/messages/" + id, json("set", json("text", "by the app"), "user_id", bob));
        String other = send("untouched");

        JsonNode first = history(ann, json("filter", json("message_id", json("$in", List.of(id, other))), "limit", 2))
                .body();
        JsonNode second = history(
                        ann,
                        json(
                                "filter",
                                json("message_id", json("$in", List.of(id, other))),
                                "limit",
                                2,
                                "next",
                                first.path("next").asText()))
                .body();
        JsonNode bobs = history(ann, json("filter", json("message_id", id, "user_id", bob)))
                .body();

        assertThat(texts(first)).containsExactly("by the app", "v2");
        assertThat(texts(second)).containsExactly("v1", "v0");
        assertThat(second.has("next")).isFalse();
        assertThat(texts(bobs)).containsExactly("by the app");
    }

    @Test
    void aHistoryNeedsMessagesTheCallerMayReadAndAValidFilter() {
        String id = send("mine");
        edit(ann, id, "changed");
        String stranger = Seed.uid("eve");
        Seed.users(server, json("id", stranger));

        assertThat(history(stranger, json("filter", json("message_id", id))).code())
                .isEqualTo(17);
        assertThat(history(ann, json("filter", json("message_id", Seed.uid("none"))))
                        .code())
                .isEqualTo(16);
        assertThat(history(ann, json("filter", json())).code()).isEqualTo(4);
        assertThat(history(ann, json("filter", json("message_id", id), "limit", 0))
                        .code())
                .isEqualTo(4);
        assertThat(history(ann, json("filter", json("message_id", id), "next", "x"))
                        .code())
                .isEqualTo(4);
        assertThat(texts(history(ann, json("filter", json("message_id", send("never edited"))))
                        .body()))
                .isEmpty();
    }
}
