package dev.parley.server.moderation;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Blocklists, their place in a channel type and what they do to a send (PROTOCOL.md §7.27). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlocklistsTest {
    private static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private String ann;
    private String bob;
    private String mod;
    private String id;
    private String cid;
    private String list;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        mod = Seed.uid("mod");
        id = Seed.uid("room");
        cid = "messaging:" + id;
        list = Seed.uid("cakes");
        Seed.users(server, json("id", ann), json("id", bob), json("id", mod, "role", "moderator"));
        Seed.messaging(server, ann, id, ann, bob, mod);
        RestClient.Response created = RestClient.server(server)
                .post("/blocklists", json("name", list, "words", List.of("fudge", "Cream", "sugar")));
        assertThat(created.status()).as(created.text()).isEqualTo(200);
    }

    @AfterEach
    void dropList() {
        RestClient.server(server).delete("/blocklists/" + list);
    }

    /** The channel of this test uses {@code list} with {@code behavior}. */
    private void useList(String behavior) {
        RestClient.Response r = RestClient.server(server)
                .patch(
                        "/channels/messaging/" + id,
                        json("set", json("config_overrides", json("blocklist", list, "blocklist_behavior", behavior))));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private RestClient.Response send(String as, String text) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)));
    }

    private JsonNode history() {
        return RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body()
                .get("messages");
    }

    private static List<String> texts(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("text").asText()));
        return out;
    }

    @Test
    void blocklistsAreCreatedReadUpdatedAndDeletedWithTheServerToken() {
        RestClient srv = RestClient.server(server);

        JsonNode got = srv.get("/blocklists/" + list).body().get("blocklist");
        JsonNode all = srv.get("/blocklists").body().get("blocklists");
        RestClient.Response update = srv.call("PUT", "/blocklists/" + list, json("words", List.of("pie")));
        JsonNode after = srv.get("/blocklists/" + list).body().get("blocklist");
        RestClient.Response delete = srv.delete("/blocklists/" + list);
        RestClient.Response gone = srv.get("/blocklists/" + list);

        assertThat(got.get("words").toString()).isEqualTo("[\"fudge\",\"cream\",\"sugar\"]");
        assertThat(got.path("created_at").asText()).isNotEmpty();
        assertThat(all.findValuesAsText("name")).contains(list);
        assertThat(update.status()).isEqualTo(200);
        assertThat(after.get("words").toString()).isEqualTo("[\"pie\"]");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(gone.code()).isEqualTo(16);
    }

    @Test
    void blocklistsAreServerSideOnlyAndRefuseBadInput() {
        RestClient srv = RestClient.server(server);
        List<String> tooMany = Collections.nCopies(10_001, "w");

        RestClient.Response asUser =
                RestClient.user(server, mod).post("/blocklists", json("name", "x", "words", List.of("a")));
        RestClient.Response listAsUser = RestClient.user(server, mod).get("/blocklists");
        RestClient.Response taken = srv.post("/blocklists", json("name", list, "words", List.of("a")));
        RestClient.Response badName = srv.post("/blocklists", json("name", "no spaces", "words", List.of("a")));
        RestClient.Response noWords = srv.post("/blocklists", json("name", Seed.uid("l")));
        RestClient.Response spaced =
                srv.post("/blocklists", json("name", Seed.uid("l"), "words", List.of("two words")));
        RestClient.Response longWord =
                srv.post("/blocklists", json("name", Seed.uid("l"), "words", List.of("x".repeat(41))));
        RestClient.Response many = srv.post("/blocklists", json("name", Seed.uid("l"), "words", tooMany));
        RestClient.Response updateMissing = srv.call("PUT", "/blocklists/nope", json("words", List.of("a")));
        RestClient.Response deleteMissing = srv.delete("/blocklists/nope");

        assertThat(asUser.code()).isEqualTo(17);
        assertThat(listAsUser.code()).isEqualTo(17);
        assertThat(List.of(taken, badName, noWords, spaced, longWord, many))
                .extracting(RestClient.Response::code)
                .containsOnly(4);
        assertThat(updateMissing.code()).isEqualTo(16);
        assertThat(deleteMissing.code()).isEqualTo(16);
    }

    @Test
    void anAppHasAtMostFifteenBlocklists() {
        RestClient srv = RestClient.server(server);
        List<String> made = new ArrayList<>();
        RestClient.Response r;
        do {
            String name = Seed.uid("many");
            r = srv.post("/blocklists", json("name", name, "words", List.of("a")));
            if (r.status() == 200) {
                made.add(name);
            }
        } while (r.status() == 200 && made.size() <= Blocklists.MAX_LISTS);
        int total = srv.get("/blocklists").body().get("blocklists").size();
        made.forEach(n -> srv.delete("/blocklists/" + n));

        assertThat(r.code()).isEqualTo(4);
        assertThat(total).isEqualTo(Blocklists.MAX_LISTS);
    }

    @Test
    void aChannelTypeTakesAnExistingBlocklistAndABehaviour() {
        String type = Seed.uid("t").replace("-", "_");
        RestClient srv = RestClient.server(server);
        srv.post("/channeltypes", json("name", type));

        RestClient.Response set =
                srv.call("PUT", "/channeltypes/" + type, json("blocklist", list, "blocklist_behavior", "block"));
        RestClient.Response missing = srv.call("PUT", "/channeltypes/" + type, json("blocklist", "nope"));
        RestClient.Response badBehavior = srv.call("PUT", "/channeltypes/" + type, json("blocklist_behavior", "scold"));
        RestClient.Response badName = srv.call("PUT", "/channeltypes/" + type, json("blocklist", 3));
        RestClient.user(server, ann)
                .post("/channels/" + type + "/" + id + "/query", json("data", json("members", List.of(ann))));
        RestClient.Response blocked = RestClient.user(server, ann)
                .post("/channels/" + type + "/" + id + "/message", json("message", json("text", "more fudge")));
        srv.delete("/channeltypes/" + type);

        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.body().path("blocklist").asText()).isEqualTo(list);
        assertThat(set.body().path("blocklist_behavior").asText()).isEqualTo("block");
        assertThat(List.of(missing, badBehavior, badName))
                .extracting(RestClient.Response::code)
                .containsOnly(4);
        assertThat(blocked.body().at("/message/type").asText()).isEqualTo("error");
    }

    @Test
    void underBlockAMessageWithABlockedWordComesBackAsAnErrorAndIsNotStored() {
        useList("block");

        RestClient.Response blocked = send(ann, "I love ice CREAM, really.");
        RestClient.Response passes = send(ann, "Is creamcheese a word? I did not enjoy Scream");

        assertThat(blocked.status()).isBetween(200, 201);
        assertThat(blocked.body().at("/message/type").asText()).isEqualTo("error");
        assertThat(blocked.body().at("/message/text").asText()).isEqualTo(Blocklists.BLOCKED_TEXT);
        assertThat(blocked.body().at("/message/moderation_details/action").asText())
                .isEqualTo("MESSAGE_RESPONSE_ACTION_REMOVE");
        assertThat(blocked.body()
                        .at("/message/moderation_details/original_text")
                        .asText())
                .isEqualTo("I love ice CREAM, really.");
        assertThat(passes.body().at("/message/type").asText()).isEqualTo("regular");
        assertThat(texts(history())).containsExactly("Is creamcheese a word? I did not enjoy Scream");
    }

    @Test
    void underBlockAnEditToABlockedWordIsRefusedAndTheMessageStaysAsItWas() {
        useList("block");
        String mid = send(ann, "innocent").body().at("/message/id").asText();

        RestClient.Response edit =
                RestClient.user(server, ann).post("/messages/" + mid, json("message", json("text", "sugar-coated")));
        JsonNode stored =
                RestClient.user(server, ann).get("/messages/" + mid).body().get("message");

        assertThat(edit.body().at("/message/type").asText()).isEqualTo("error");
        assertThat(stored.path("text").asText()).isEqualTo("innocent");
    }

    @Test
    void underFlagTheMessageIsStoredAndTheServerFlagsIt() {
        useList("flag");

        String mid = send(ann, "fudge!").body().at("/message/id").asText();
        JsonNode reports = RestClient.user(server, mod)
                .post("/moderation/reports", json("filter_conditions", json("message_id", mid)))
                .body()
                .get("flag_reports");
        JsonNode flags = RestClient.user(server, mod)
                .getPayload("/moderation/flags/message", json("filter_conditions", json("channel_cid", cid)))
                .body()
                .get("flags");

        assertThat(texts(history())).containsExactly("fudge!");
        assertThat(reports).hasSize(1);
        assertThat(reports.at("/0/user/id").asText()).isEqualTo(ann);
        assertThat(reports.at("/0").has("first_reporter")).isFalse();
        assertThat(flags).hasSize(1);
        assertThat(flags.at("/0/created_by_automod").asBoolean()).isTrue();
        assertThat(flags.at("/0/details/automod/result/blocked_word").asText()).isEqualTo("fudge");
        assertThat(flags.at("/0/details/automod/result/blocklist_name").asText())
                .isEqualTo(list);
    }

    @Test
    void underShadowBlockTheMessageIsShadowedUntilAModeratorUnblocksIt() {
        useList("shadow_block");

        String mid = send(ann, "sugar rush").body().at("/message/id").asText();
        boolean shadowedBefore = RestClient.server(server)
                .get("/messages/" + mid)
                .body()
                .at("/message/shadowed")
                .asBoolean();
        RestClient.Response unblock =
                RestClient.user(server, mod).post("/moderation/unblock_message", json("target_message_id", mid));
        boolean shadowedAfter = RestClient.server(server)
                .get("/messages/" + mid)
                .body()
                .at("/message/shadowed")
                .asBoolean();

        assertThat(shadowedBefore).isTrue();
        assertThat(unblock.status()).as(unblock.text()).isEqualTo(200);
        assertThat(shadowedAfter).isFalse();
    }

    @Test
    void moderatorsAndServerSideSendsSkipTheBlocklistUnlessModerationIsForced() {
        useList("block");

        RestClient.Response byModerator = send(mod, "fudge");
        RestClient.Response byServer = RestClient.server(server)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "fudge", "user_id", ann)));
        RestClient.Response forced = RestClient.server(server)
                .post(
                        "/channels/messaging/" + id + "/message",
                        json("message", json("text", "fudge", "user_id", ann), "force_moderation", true));

        assertThat(byModerator.body().at("/message/type").asText()).isEqualTo("regular");
        assertThat(byServer.body().at("/message/type").asText()).isEqualTo("regular");
        assertThat(forced.body().at("/message/type").asText()).isEqualTo("error");
    }

    @Test
    void aDeletedBlocklistNoLongerMatches() {
        useList("block");
        RestClient.server(server).delete("/blocklists/" + list);

        RestClient.Response r = send(ann, "fudge");

        assertThat(r.body().at("/message/type").asText()).isEqualTo("regular");
    }
}
