package dev.parley.server.moderation;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Moderation v2 configurations, checks, moderation rules, {@code update_flags} and bans of future channels
 * (PROTOCOL.md §7.28).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModerationPoliciesTest {
    private static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private static final String V2 = "/api/v2/moderation";

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
        list = Seed.uid("words");
        Seed.users(server, json("id", ann), json("id", bob), json("id", mod, "role", "moderator"));
        Seed.messaging(server, ann, id, ann, bob, mod);
        ok(RestClient.server(server).post("/blocklists", json("name", list, "words", List.of("fudge", "spam"))));
    }

    @AfterEach
    void dropList() {
        RestClient.server(server).delete("/blocklists/" + list);
    }

    private static RestClient.Response ok(RestClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r;
    }

    private static JsonNode listConfig(String list, String action) {
        return json("enabled", true, "rules", List.of(json("name", list, "action", action)));
    }

    private RestClient.Response upsert(String key, String action) {
        return RestClient.server(server)
                .post(V2 + "/config", json("key", key, "block_list_config", listConfig(list, action)));
    }

    private RestClient.Response send(String as, String channelId, String text) {
        clock.advance(Duration.ofSeconds(1));
        return RestClient.user(server, as)
                .post("/channels/messaging/" + channelId + "/message", json("message", json("text", text)));
    }

    private JsonNode queue(Object filter) {
        return ok(RestClient.user(server, mod).post(V2 + "/review_queue", json("filter", filter)))
                .body()
                .get("items");
    }

    private static List<String> values(JsonNode array, String path) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(path).asText()));
        return out;
    }

    @Test
    void aConfigIsUpsertedByKeyReadQueriedAndDeleted() {
        String key = "chat:messaging:" + id;
        String other = "chat:messaging:" + Seed.uid("other");
        RestClient.Response first = ok(RestClient.server(server)
                .post(
                        V2 + "/config",
                        json(
                                "key",
                                key,
                                "block_list_config",
                                listConfig(list, "flag"),
                                "ai_text_config",
                                json("enabled", true, "rules", List.of(json("label", "SPAM", "action", "flag"))))));
        clock.advance(Duration.ofSeconds(1));
        RestClient.Response second = ok(upsert(key, "remove"));
        ok(upsert(other, "flag"));

        JsonNode got =
                ok(RestClient.server(server).get(V2 + "/config/" + key)).body().get("config");
        RestClient.Response page1 = ok(RestClient.user(server, mod)
                .post(
                        V2 + "/configs",
                        json(
                                "filter",
                                json("key", json("$in", List.of(key, other))),
                                "sort",
                                List.of(json("field", "key", "direction", 1)),
                                "limit",
                                1)));
        RestClient.Response page2 = ok(RestClient.user(server, mod)
                .post(
                        V2 + "/configs",
                        json(
                                "filter",
                                json("key", json("$in", List.of(key, other))),
                                "sort",
                                List.of(json("field", "key", "direction", 1)),
                                "limit",
                                1,
                                "next",
                                page1.body().path("next").asText())));
        ok(RestClient.server(server).delete(V2 + "/config/" + key));
        RestClient.Response gone = RestClient.server(server).get(V2 + "/config/" + key);
        RestClient.Response badFilter =
                RestClient.server(server).post(V2 + "/configs", json("filter", json("colour", "red")));

        assertThat(first.body().at("/config/key").asText()).isEqualTo(key);
        assertThat(second.body().at("/config/created_at").asText())
                .isEqualTo(first.body().at("/config/created_at").asText());
        assertThat(second.body().at("/config/updated_at").asText())
                .isNotEqualTo(first.body().at("/config/updated_at").asText());
        assertThat(got.at("/block_list_config/rules/0/action").asText()).isEqualTo("remove");
        assertThat(got.has("ai_text_config"))
                .as("replaced whole by the second upsert")
                .isFalse();
        assertThat(got.path("team").asText()).isEmpty();
        List<String> sorted = new ArrayList<>(List.of(key, other));
        sorted.sort(null);
        assertThat(values(page1.body().get("configs"), "/key")).containsExactly(sorted.get(0));
        assertThat(values(page2.body().get("configs"), "/key")).containsExactly(sorted.get(1));
        assertThat(page2.body().has("next")).isFalse();
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.code()).isEqualTo(16);
        assertThat(badFilter.code()).isEqualTo(4);
        RestClient.server(server).delete(V2 + "/config/" + other);
    }

    @Test
    void aConfigRefusesUnknownActionsAndListsAndBadKeys() {
        RestClient.Response action = upsert("chat:messaging:" + id, "explode");
        RestClient.Response missing = RestClient.server(server)
                .post(
                        V2 + "/config",
                        json("key", "chat:messaging:" + id, "block_list_config", listConfig("no-such-list", "flag")));
        RestClient.Response key = RestClient.server(server).post(V2 + "/config", json("key", "has space"));

        assertThat(action.code()).as(action.text()).isEqualTo(4);
        assertThat(missing.code()).as(missing.text()).isEqualTo(4);
        assertThat(key.code()).as(key.text()).isEqualTo(4);
    }

    @Test
    void theMostSpecificConfigOfAChannelAppliesItsBlockListRulesOnSend() {
        String flagged = Seed.uid("flagged");
        Seed.messaging(server, ann, flagged, ann, bob);
        ok(upsert("chat:messaging", "remove"));
        ok(upsert("chat:messaging:" + flagged, "flag"));
        try {
            RestClient.Response blocked = ok(send(bob, id, "buy fudge now"));
            RestClient.Response kept = ok(send(bob, flagged, "buy fudge now"));
            RestClient.Response clean = ok(send(bob, id, "hello"));
            String keptId = kept.body().at("/message/id").asText();
            JsonNode items = queue(json("entity_id", keptId));

            assertThat(blocked.body().at("/message/type").asText()).isEqualTo("error");
            assertThat(blocked.body().at("/message/moderation_details/action").asText())
                    .isEqualTo("MESSAGE_RESPONSE_ACTION_REMOVE");
            assertThat(kept.body().at("/message/type").asText()).isEqualTo("regular");
            assertThat(clean.body().at("/message/type").asText()).isEqualTo("regular");
            assertThat(items).hasSize(1);
            assertThat(items.at("/0/flags/0/result/0/automod/result/blocked_word")
                            .asText())
                    .isEqualTo("fudge");
            assertThat(items.at("/0/flags/0/result/0/automod/config_key").asText())
                    .isEqualTo("chat:messaging:" + flagged);
            assertThat(items.at("/0/config_key").asText()).isEqualTo("chat:messaging:" + flagged);
        } finally {
            RestClient.server(server).delete(V2 + "/config/chat:messaging");
            RestClient.server(server).delete(V2 + "/config/chat:messaging:" + flagged);
        }
        RestClient.Response after = ok(send(bob, id, "buy fudge now"));
        assertThat(after.body().at("/message/type").asText())
                .as("the config is gone")
                .isEqualTo("regular");
    }

    @Test
    void aConfigsShadowRuleStoresTheSendShadowedAndItsRemoveRuleBlocksAnEdit() {
        String key = "chat:messaging:" + id;
        ok(upsert(key, "shadow"));
        RestClient.Response shadowed = ok(send(bob, id, "cheap spam here"));
        String clean = ok(send(bob, id, "all good")).body().at("/message/id").asText();
        ok(upsert(key, "remove"));
        RestClient.Response edit = RestClient.user(server, bob)
                .post("/messages/" + clean, json("message", json("text", "now with fudge")));
        JsonNode stored = ok(RestClient.user(server, bob).get("/messages/" + clean))
                .body()
                .get("message");
        RestClient.server(server).delete(V2 + "/config/" + key);

        assertThat(shadowed.body().at("/message/shadowed").asBoolean()).isTrue();
        assertThat(queue(json("entity_id", shadowed.body().at("/message/id").asText())))
                .hasSize(1);
        assertThat(edit.body().at("/message/type").asText()).as(edit.text()).isEqualTo("error");
        assertThat(stored.path("text").asText()).isEqualTo("all good");
    }

    @Test
    void aDisabledBlockListConfigDoesNothing() {
        String key = "chat:messaging:" + id;
        ok(RestClient.server(server)
                .post(
                        V2 + "/config",
                        json(
                                "key",
                                key,
                                "block_list_config",
                                json("enabled", false, "rules", List.of(json("name", list, "action", "remove"))))));

        RestClient.Response sent = ok(send(bob, id, "fudge"));

        assertThat(sent.body().at("/message/type").asText()).isEqualTo("regular");
        RestClient.server(server).delete(V2 + "/config/" + key);
    }

    @Test
    void aCheckRecommendsAnActionAndQueuesWhatItFlags() {
        String key = "custom:" + Seed.uid("profiles");
        ok(upsert(key, "remove"));

        RestClient.Response bad = ok(RestClient.server(server)
                .post(
                        V2 + "/check",
                        json(
                                "entity_type", ReviewQueue.USER,
                                "entity_id", bob,
                                "entity_creator_id", bob,
                                "moderation_payload", json("texts", List.of("nice name", "spam king")),
                                "config_key", key)));
        RestClient.Response clean = ok(RestClient.server(server)
                .post(
                        V2 + "/check",
                        json(
                                "entity_type",
                                ReviewQueue.USER,
                                "entity_id",
                                ann,
                                "moderation_payload",
                                json("texts", List.of("nice name")),
                                "config_key",
                                key)));
        RestClient.Response tested = ok(RestClient.server(server)
                .post(
                        V2 + "/check",
                        json(
                                "entity_type",
                                ReviewQueue.USER,
                                "entity_id",
                                mod,
                                "moderation_payload",
                                json("texts", List.of("fudge")),
                                "config_key",
                                key,
                                "test_mode",
                                true)));
        RestClient.Response unknown = ok(RestClient.server(server)
                .post(
                        V2 + "/check",
                        json(
                                "entity_type",
                                ReviewQueue.USER,
                                "entity_id",
                                bob,
                                "moderation_payload",
                                json("texts", List.of("x")),
                                "config_key",
                                "no-such-config")));

        assertThat(bad.body().path("recommended_action").asText()).isEqualTo("remove");
        assertThat(bad.body().at("/item/entity_id").asText()).isEqualTo(bob);
        assertThat(bad.body()
                        .at("/item/flags/0/result/0/automod/result/blocked_word")
                        .asText())
                .isEqualTo("spam");
        assertThat(clean.body().path("recommended_action").asText()).isEqualTo("keep_content");
        assertThat(clean.body().has("item")).isFalse();
        assertThat(tested.body().path("recommended_action").asText()).isEqualTo("remove");
        assertThat(tested.body().has("item")).isFalse();
        assertThat(queue(json("entity_id", mod))).isEmpty();
        assertThat(unknown.body().path("recommended_action").asText()).isEqualTo("keep_content");
        RestClient.server(server).delete(V2 + "/config/" + key);
    }

    @Test
    void aCustomCheckAddsTheCallersFlagsToTheItem() {
        String m = ok(send(bob, id, "hello")).body().at("/message/id").asText();

        RestClient.Response r = ok(RestClient.server(server)
                .post(
                        V2 + "/custom_check",
                        json(
                                "entity_type",
                                ReviewQueue.MESSAGE,
                                "entity_id",
                                m,
                                "entity_creator_id",
                                "",
                                "moderation_payload",
                                json(),
                                "flags",
                                List.of(json(
                                        "type", "custom_check_text", "reason", "scam", "labels", List.of("fraud"))))));
        RestClient.Response other = RestClient.server(server)
                .post(
                        V2 + "/custom_check",
                        json(
                                "entity_type",
                                "stream:feeds:v1:post",
                                "entity_id",
                                "p1",
                                "flags",
                                List.of(json("type", "x"))));
        RestClient.Response noFlags = RestClient.server(server)
                .post(
                        V2 + "/custom_check",
                        json("entity_type", ReviewQueue.MESSAGE, "entity_id", m, "flags", List.of()));
        JsonNode items = queue(json("entity_id", m));

        assertThat(r.body().path("status").asText()).isEqualTo("completed");
        assertThat(r.body().path("id").asText())
                .isEqualTo(r.body().at("/item/id").asText());
        assertThat(r.body().at("/item/entity_creator_id").asText()).isEqualTo(bob);
        assertThat(values(items, "/id")).containsExactly(r.body().path("id").asText());
        assertThat(items.at("/0/flags/0/reason").asText()).isEqualTo("scam");
        assertThat(items.at("/0/flags/0/result/0/custom_check/flags/0/labels/0").asText())
                .isEqualTo("fraud");
        assertThat(other.code()).as(other.text()).isEqualTo(4);
        assertThat(noFlags.code()).as(noFlags.text()).isEqualTo(4);
    }

    @Test
    void moderationRulesAreUpsertedByNameQueriedReadAndDeleted() {
        String name = Seed.uid("rule");
        JsonNode rule = json(
                "rule_type",
                "user",
                "conditions",
                List.of(json("type", "user_flag_count", "user_flag_count_params", json("threshold", 3))),
                "action",
                json("type", "ban_user"));
        JsonNode first = ok(RestClient.server(server)
                        .post(
                                V2 + "/moderation_rule",
                                json(
                                        "name",
                                        name,
                                        "description",
                                        "ban repeat offenders",
                                        "config_keys",
                                        List.of("chat"),
                                        "team",
                                        "",
                                        "rule",
                                        rule,
                                        "enabled",
                                        true)))
                .body()
                .get("rule");
        clock.advance(Duration.ofSeconds(1));
        JsonNode second = ok(RestClient.server(server)
                        .post(
                                V2 + "/moderation_rule",
                                json("name", name, "description", "off for now", "rule", rule, "enabled", false)))
                .body()
                .get("rule");
        JsonNode got = ok(RestClient.user(server, mod)
                        .get(V2 + "/moderation_rule/" + first.path("id").asText()))
                .body()
                .get("rule");
        JsonNode disabled = ok(RestClient.user(server, mod)
                        .post(V2 + "/moderation_rules", json("filter", json("name", name, "enabled", false))))
                .body();
        JsonNode enabled = ok(RestClient.user(server, mod)
                        .post(V2 + "/moderation_rules", json("filter", json("name", name, "enabled", true))))
                .body();
        ok(RestClient.server(server)
                .delete(V2 + "/moderation_rule/" + first.path("id").asText()));
        RestClient.Response gone = RestClient.server(server)
                .get(V2 + "/moderation_rule/" + first.path("id").asText());
        RestClient.Response noRule =
                RestClient.server(server).post(V2 + "/moderation_rule", json("name", Seed.uid("r")));

        assertThat(second.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(got.path("enabled").asBoolean(true)).isFalse();
        assertThat(got.path("description").asText()).isEqualTo("off for now");
        assertThat(got.at("/rule/conditions/0/user_flag_count_params/threshold").asInt())
                .isEqualTo(3);
        assertThat(got.path("created_at").asText())
                .isEqualTo(first.path("created_at").asText());
        assertThat(values(disabled.get("rules"), "/id"))
                .containsExactly(first.path("id").asText());
        assertThat(enabled.get("rules")).isEmpty();
        assertThat(gone.code()).isEqualTo(16);
        assertThat(noRule.code()).isEqualTo(4);
    }

    @Test
    void clientCallsNeedTheAppWideModerationGrants() {
        RestClient user = RestClient.user(server, ann);
        List<RestClient.Response> refused = List.of(
                user.post(V2 + "/config", json("key", "chat:messaging:" + id)),
                user.post(V2 + "/configs", json()),
                user.get(V2 + "/config/chat"),
                user.post(V2 + "/check", json("entity_type", ReviewQueue.USER, "entity_id", bob, "config_key", "chat")),
                user.post(
                        V2 + "/custom_check",
                        json("entity_type", ReviewQueue.USER, "entity_id", bob, "flags", List.of(json("type", "x")))),
                user.post(V2 + "/moderation_rule", json("name", "r")),
                user.post(V2 + "/moderation_rules", json()),
                user.post("/automod/v1/moderation/update_flags", json("message_ids", List.of(), "reviewed_by", ann)),
                user.getPayload("/query_future_channel_bans", json("user_id", bob)));
        RestClient.Response moderator = RestClient.user(server, mod).post(V2 + "/configs", json());

        refused.forEach(r -> assertThat(r.code()).as(r.text()).isEqualTo(17));
        assertThat(moderator.status()).as(moderator.text()).isEqualTo(200);
    }

    @Test
    void updateFlagsReviewsTheReportsOfTheNamedMessages() {
        String m1 = ok(send(bob, id, "one")).body().at("/message/id").asText();
        String m2 = ok(send(bob, id, "two")).body().at("/message/id").asText();
        String m3 = ok(send(bob, id, "three")).body().at("/message/id").asText();
        for (String m : List.of(m1, m2, m3)) {
            ok(RestClient.user(server, ann)
                    .post(V2 + "/flag", json("entity_type", ReviewQueue.MESSAGE, "entity_id", m, "reason", "x")));
        }

        ok(RestClient.server(server)
                .post("/automod/v1/moderation/update_flags", json("message_ids", List.of(m1, m2), "reviewed_by", mod)));
        RestClient.Response otherReviewer = RestClient.user(server, mod)
                .post("/automod/v1/moderation/update_flags", json("message_ids", List.of(m3), "reviewed_by", ann));
        JsonNode done = queue(json("channel_cid", cid, "status", "completed"));
        JsonNode pending = queue(json("channel_cid", cid, "status", "pending"));

        assertThat(values(done, "/entity_id")).containsExactlyInAnyOrder(m1, m2);
        assertThat(values(done, "/reviewed_by")).containsOnly(mod);
        assertThat(values(pending, "/entity_id")).containsExactly(m3);
        assertThat(otherReviewer.code()).as(otherReviewer.text()).isEqualTo(4);
    }

    @Test
    void aBanFromFutureChannelsBansTheTargetInEveryChannelTheBannerCreatesLater() {
        ok(RestClient.user(server, mod)
                .post(
                        "/moderation/ban",
                        json(
                                "target_user_id",
                                bob,
                                "type",
                                "messaging",
                                "id",
                                id,
                                "reason",
                                "rude",
                                "ban_from_future_channels",
                                true)));
        JsonNode mine = ok(RestClient.user(server, mod).getPayload("/query_future_channel_bans", json()))
                .body()
                .get("bans");
        String later = Seed.uid("later");
        ok(Seed.messaging(server, mod, later, mod, bob));
        RestClient.Response inNew = send(bob, later, "hi");
        String byAnn = Seed.uid("byann");
        ok(Seed.messaging(server, ann, byAnn, ann, bob));
        RestClient.Response elsewhere = send(bob, byAnn, "hi");

        ok(RestClient.user(server, mod)
                .delete(
                        "/moderation/ban",
                        Map.of(
                                "target_user_id",
                                bob,
                                "type",
                                "messaging",
                                "id",
                                later,
                                "remove_future_channels_ban",
                                "true")));
        JsonNode after = ok(RestClient.server(server).getPayload("/query_future_channel_bans", json("user_id", mod)))
                .body()
                .get("bans");
        String last = Seed.uid("last");
        ok(Seed.messaging(server, mod, last, mod, bob));
        RestClient.Response inLast = send(bob, last, "hi");

        assertThat(values(mine, "/user/id")).containsExactly(bob);
        assertThat(mine.at("/0/reason").asText()).isEqualTo("rude");
        assertThat(inNew.code()).as(inNew.text()).isEqualTo(17);
        assertThat(elsewhere.status()).as(elsewhere.text()).isEqualTo(200);
        assertThat(after).isEmpty();
        assertThat(inLast.status()).as(inLast.text()).isEqualTo(200);
    }
}
