package dev.parley.server.search;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /search} against the real server (PROTOCOL.md §7.12, §9.5). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SearchTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String carl;
    private String shared;
    private String other;

    @BeforeEach
    void channels() {
        String s = UUID.randomUUID().toString().substring(0, 8);
        ann = "ann-" + s;
        bob = "bob-" + s;
        carl = "carl-" + s;
        shared = "shared-" + s;
        other = "other-" + s;
        Seed.users(server, json("id", ann), json("id", bob), json("id", carl));
        Seed.messaging(server, ann, shared, ann, bob);
        Seed.messaging(server, carl, other, carl, bob);
    }

    private void send(String as, String channel, String text) {
        RestClient.Response r = RestClient.user(server, as)
                .post("/channels/messaging/" + channel + "/message", json("message", json("text", text)));
        assertThat(r.status()).as("send").isEqualTo(200);
    }

    private RestClient.Response search(String as, ObjectNode payload) {
        return RestClient.user(server, as)
                .get("/search?payload=" + URLEncoder.encode(Json.write(payload), StandardCharsets.UTF_8));
    }

    private static List<String> texts(JsonNode results) {
        List<String> out = new ArrayList<>();
        results.forEach(r -> out.add(r.at("/message/text").asText()));
        return out;
    }

    @Test
    void searchFindsTextOnlyInChannelsTheCallerCanRead() {
        send(ann, shared, "the invoice is due");
        send(bob, shared, "Invoice paid");
        send(carl, other, "invoice elsewhere");

        RestClient.Response r = search(
                ann, json("filter_conditions", json("members", json("$in", List.of(ann, carl))), "query", "INVOICE"));
        RestClient.Response all = search(ann, json("filter_conditions", json("type", "messaging"), "query", "invoice"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(texts(r.body().get("results"))).containsExactly("Invoice paid", "the invoice is due");
        assertThat(r.body().at("/results/0/message/channel/cid").asText()).isEqualTo("messaging:" + shared);
        assertThat(r.body().at("/results/0/message/user/id").asText()).isEqualTo(bob);
        assertThat(texts(all.body().get("results"))).doesNotContain("invoice elsewhere");
    }

    @Test
    void messageFilterConditionsSelectByAuthorAndTheNextCursorPages() {
        for (int i = 1; i <= 3; i++) {
            send(bob, shared, "report " + i);
        }
        send(ann, shared, "report by ann");
        ObjectNode filter = json("cid", "messaging:" + shared);
        ObjectNode byBob = json("user.id", bob, "text", json("$autocomplete", "rep"));

        RestClient.Response first =
                search(ann, json("filter_conditions", filter, "message_filter_conditions", byBob, "limit", 2));
        String next = first.body().path("next").asText();
        RestClient.Response second = search(
                ann, json("filter_conditions", filter, "message_filter_conditions", byBob, "limit", 2, "next", next));

        assertThat(texts(first.body().get("results"))).containsExactly("report 3", "report 2");
        assertThat(next).isNotEmpty();
        assertThat(texts(second.body().get("results"))).containsExactly("report 1");
        assertThat(second.body().has("next")).isFalse();
        assertThat(second.body().path("previous").asText()).isNotEmpty();
    }

    @Test
    void badSearchInputIsCode4() {
        ObjectNode filter = json("cid", "messaging:" + shared);

        RestClient.Response noPayload = RestClient.user(server, ann).get("/search");
        RestClient.Response noFilter = search(ann, json("query", "x"));
        RestClient.Response noQuery = search(ann, json("filter_conditions", filter));
        RestClient.Response both =
                search(ann, json("filter_conditions", filter, "query", "x", "offset", 2, "next", "abc"));
        RestClient.Response badCursor = search(ann, json("filter_conditions", filter, "query", "x", "next", "!!"));
        RestClient.Response badField =
                search(ann, json("filter_conditions", filter, "message_filter_conditions", json("color", "red")));
        RestClient.Response badLimit = search(ann, json("filter_conditions", filter, "query", "x", "limit", 1000));

        for (RestClient.Response a : List.of(noPayload, noFilter, noQuery, both, badCursor, badField, badLimit)) {
            assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
            assertThat(a.code()).as(a.body().toString()).isEqualTo(4);
        }
    }
}
