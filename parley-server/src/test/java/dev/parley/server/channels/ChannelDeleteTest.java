package dev.parley.server.channels;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Soft and hard channel deletes, and channels created again after them (PROTOCOL.md §7.6). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelDeleteTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;

    @BeforeEach
    void users() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        Seed.users(server, json("id", ann), json("id", bob));
    }

    private String send(String as, String path, String text) {
        return RestClient.user(server, as)
                .post(path + "/message", json("message", json("text", text)))
                .body()
                .at("/message/id")
                .asText();
    }

    private JsonNode query(String as, String path) {
        return RestClient.user(server, as).post(path + "/query", json()).body();
    }

    private List<String> myChannels(String as) {
        JsonNode channels = RestClient.user(server, as)
                .post("/channels", json("filter_conditions", json("members", json("$in", List.of(as)))))
                .body()
                .path("channels");
        return java.util.stream.StreamSupport.stream(channels.spliterator(), false)
                .map(c -> c.at("/channel/cid").asText())
                .toList();
    }

    @Test
    void aSoftDeletedChannelIsGoneForEveryReadAndComesBackEmptyWhenCreatedAgain() {
        String id = Seed.uid("soft");
        String path = "/channels/messaging/" + id;
        Seed.messaging(server, ann, id, ann, bob);
        String message = send(ann, path, "before");
        send(bob, path, "unread for ann");
        try (WsProbe ws = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob).withConnectionId(conn).post(path + "/query", json("watch", true));

            RestClient.Response deleted = RestClient.user(server, ann).call("DELETE", path, null);
            JsonNode event = ws.next("channel.deleted");

            assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
            assertThat(deleted.body().at("/channel/deleted_at").asText()).isNotEmpty();
            assertThat(event.path("hard_delete").asBoolean(true)).isFalse();
        }
        assertThat(myChannels(ann)).doesNotContain("messaging:" + id);
        assertThat(RestClient.user(server, ann).get("/messages/" + message).code())
                .isEqualTo(16);
        assertThat(RestClient.user(server, ann)
                        .get("/unread")
                        .body()
                        .path("total_unread_count")
                        .asInt())
                .isZero();

        JsonNode again = RestClient.user(server, ann)
                .post(path + "/query", json("data", json("members", List.of(ann, bob))))
                .body();
        assertThat(again.path("messages").size()).isZero();
        assertThat(again.path("members").size()).isEqualTo(2);
        assertThat(myChannels(ann)).contains("messaging:" + id);
        assertThat(RestClient.user(server, ann).get("/messages/" + message).code())
                .isEqualTo(16);
    }

    @Test
    void aDistinctChannelDeletedWithSkipTruncateComesBackWithItsHistory() {
        JsonNode created = RestClient.user(server, ann)
                .post("/channels/messaging/query", json("data", json("members", List.of(ann, bob))))
                .body();
        String id = created.at("/channel/id").asText();
        String path = "/channels/messaging/" + id;
        String message = send(ann, path, "we met before");

        assertThat(RestClient.user(server, ann)
                        .call("DELETE", path + "?skip_truncate=true", null)
                        .code())
                .as("server-side only")
                .isEqualTo(17);
        assertThat(RestClient.server(server)
                        .call("DELETE", path + "?skip_truncate=true&hard_delete=true", null)
                        .code())
                .isEqualTo(4);
        assertThat(RestClient.server(server)
                        .call("DELETE", path + "?skip_truncate=true", null)
                        .status())
                .isEqualTo(200);
        assertThat(myChannels(bob)).doesNotContain("messaging:" + id);

        JsonNode back = RestClient.user(server, bob)
                .post("/channels/messaging/query", json("data", json("members", List.of(ann, bob))))
                .body();
        assertThat(back.at("/channel/id").asText()).isEqualTo(id);
        assertThat(back.at("/messages/0/id").asText()).isEqualTo(message);
        assertThat(back.path("members").size()).isEqualTo(2);

        String named = Seed.uid("named");
        Seed.messaging(server, ann, named, ann);
        assertThat(RestClient.server(server)
                        .call("DELETE", "/channels/messaging/" + named + "?skip_truncate=true", null)
                        .code())
                .as("a channel with an id of its own")
                .isEqualTo(4);
    }

    @Test
    void aHardDeleteRemovesEverythingAndTheBatchDeleteTakesTheOption() {
        String hard = Seed.uid("hard");
        Seed.messaging(server, ann, hard, ann, bob);
        String message = send(ann, "/channels/messaging/" + hard, "gone for good");
        RestClient.Response deleted =
                RestClient.user(server, ann).call("DELETE", "/channels/messaging/" + hard + "?hard_delete=true", null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(query(ann, "/channels/messaging/" + hard).path("messages").size())
                .isZero();
        assertThat(RestClient.user(server, ann).get("/messages/" + message).code())
                .isEqualTo(16);

        String a = Seed.uid("batch");
        String b = Seed.uid("batch");
        Seed.messaging(server, ann, a, ann);
        Seed.messaging(server, ann, b, ann);
        RestClient.Response batch = RestClient.server(server)
                .post("/channels/delete", json("cids", List.of("messaging:" + a, "messaging:" + b)));
        assertThat(batch.body().at("/result/messaging:" + a + "/status").asText())
                .isEqualTo("success");
        assertThat(myChannels(ann)).doesNotContain("messaging:" + a, "messaging:" + b);
    }

    @Test
    void theThreadListLeavesOutThreadsOfADeletedChannel() {
        String id = Seed.uid("threads");
        String path = "/channels/messaging/" + id;
        Seed.messaging(server, ann, id, ann, bob);
        String parent = send(ann, path, "topic");
        RestClient.user(server, bob)
                .post(path + "/message", json("message", json("text", "reply", "parent_id", parent)));
        RestClient.user(server, ann).call("DELETE", path, null);

        RestClient.Response threads = RestClient.user(server, ann).post("/threads", json());
        assertThat(threads.status()).as(threads.text()).isEqualTo(200);
        assertThat(threads.body().path("threads").size()).isZero();
        assertThat(RestClient.user(server, ann)
                        .get("/unread")
                        .body()
                        .path("total_unread_threads_count")
                        .asInt())
                .isZero();
    }
}
