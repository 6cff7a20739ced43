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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Moderation v2 under /api/v2/moderation: the review queue over the flag reports (PROTOCOL.md §7.26). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReviewQueueTest {
    private static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private static final String V2 = "/api/v2/moderation";

    private String ann;
    private String bob;
    private String mod;
    private String id;
    private String cid;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        mod = Seed.uid("mod");
        id = Seed.uid("room");
        cid = "messaging:" + id;
        Seed.users(server, json("id", ann), json("id", bob), json("id", mod, "role", "moderator"));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String send(String as, String text) {
        clock.advance(Duration.ofSeconds(1));
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                .body()
                .at("/message/id")
                .asText();
    }

    private String flag(String as, String type, String entity) {
        clock.advance(Duration.ofSeconds(1));
        RestClient.Response r = RestClient.user(server, as)
                .post(V2 + "/flag", json("entity_type", type, "entity_id", entity, "reason", "spam"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().path("item_id").asText();
    }

    private JsonNode queue(Object filter) {
        RestClient.Response r = RestClient.user(server, mod).post(V2 + "/review_queue", json("filter", filter));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().get("items");
    }

    private static List<String> ids(JsonNode array, String path) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(path).asText()));
        return out;
    }

    @Test
    void aV2FlagMakesAQueueItemThatListsItsFlags() {
        String m = send(bob, "buy now");
        String item = flag(ann, ReviewQueue.MESSAGE, m);
        String again = flag(mod, ReviewQueue.MESSAGE, m);
        String userItem = flag(ann, ReviewQueue.USER, bob);

        JsonNode items = queue(json("channel_cid", cid));
        JsonNode aboutBob = queue(json("entity_creator_id", bob));

        assertThat(again).isEqualTo(item);
        assertThat(ids(items, "/id")).containsExactly(item);
        assertThat(items.at("/0/entity_type").asText()).isEqualTo(ReviewQueue.MESSAGE);
        assertThat(items.at("/0/entity_id").asText()).isEqualTo(m);
        assertThat(items.at("/0/entity_creator_id").asText()).isEqualTo(bob);
        assertThat(items.at("/0/status").asText()).isEqualTo("pending");
        assertThat(items.at("/0/moderation_payload/texts/0").asText()).isEqualTo("buy now");
        assertThat(ids(items.at("/0/flags"), "/user/id")).containsExactly(mod, ann);
        assertThat(items.at("/0/flags/0/reason").asText()).isEqualTo("spam");
        assertThat(ids(aboutBob, "/id")).containsExactly(userItem, item);
    }

    @Test
    void theQueuePagesWithNextAndFiltersByTypeAndStatus() {
        String m1 = send(bob, "one");
        String m2 = send(bob, "two");
        flag(ann, ReviewQueue.MESSAGE, m1);
        flag(ann, ReviewQueue.MESSAGE, m2);

        RestClient.Response first = RestClient.user(server, mod)
                .post(V2 + "/review_queue", json("filter", json("channel_cid", cid), "limit", 1));
        RestClient.Response second = RestClient.user(server, mod)
                .post(
                        V2 + "/review_queue",
                        json(
                                "filter",
                                json("channel_cid", cid),
                                "limit",
                                1,
                                "next",
                                first.body().path("next").asText(),
                                "sort",
                                List.of(json("field", "created_at", "direction", -1))));
        JsonNode users = queue(json("channel_cid", cid, "entity_type", ReviewQueue.USER));
        JsonNode completed = queue(json("channel_cid", cid, "status", "completed"));

        assertThat(ids(first.body().get("items"), "/entity_id")).containsExactly(m2);
        assertThat(ids(second.body().get("items"), "/entity_id")).containsExactly(m1);
        assertThat(users).isEmpty();
        assertThat(completed).isEmpty();
    }

    @Test
    void submitActionMarksReviewedDeletesOrBans() {
        String kept = send(bob, "meh");
        String removed = send(bob, "awful");
        String keptItem = flag(ann, ReviewQueue.MESSAGE, kept);
        String removedItem = flag(ann, ReviewQueue.MESSAGE, removed);
        String userItem = flag(ann, ReviewQueue.USER, bob);

        RestClient.Response reviewed = RestClient.user(server, mod)
                .post(V2 + "/submit_action", json("action_type", "mark_reviewed", "item_id", keptItem));
        RestClient.Response deleted = RestClient.user(server, mod)
                .post(
                        V2 + "/submit_action",
                        json("action_type", "delete_message", "item_id", removedItem, "delete_message", json()));
        RestClient.Response banned = RestClient.user(server, mod)
                .post(
                        V2 + "/submit_action",
                        json("action_type", "ban", "item_id", userItem, "ban", json("reason", "x")));
        RestClient.Response afterBan = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "still here?")));

        assertThat(reviewed.status()).as(reviewed.text()).isEqualTo(200);
        assertThat(reviewed.body().at("/item/status").asText()).isEqualTo("completed");
        assertThat(reviewed.body().at("/item/latest_moderator_action").asText()).isEqualTo("reviewed");
        assertThat(deleted.body().at("/item/message/type").asText()).isEqualTo("deleted");
        assertThat(banned.status()).as(banned.text()).isEqualTo(200);
        assertThat(afterBan.code()).isEqualTo(17);
        assertThat(queue(json("channel_cid", cid, "status", "pending"))).isEmpty();
    }

    @Test
    void theQueueIsForModeratorsAndRefusesBadInput() {
        String m = send(bob, "x");
        String item = flag(ann, ReviewQueue.MESSAGE, m);
        RestClient mods = RestClient.user(server, mod);

        RestClient.Response asUser = RestClient.user(server, ann).post(V2 + "/review_queue", json());
        RestClient.Response actAsUser = RestClient.user(server, ann)
                .post(V2 + "/submit_action", json("action_type", "mark_reviewed", "item_id", item));
        RestClient.Response badAction = mods.post(V2 + "/submit_action", json("action_type", "dance", "item_id", item));
        RestClient.Response noItem =
                mods.post(V2 + "/submit_action", json("action_type", "mark_reviewed", "item_id", "nope"));
        RestClient.Response badType =
                mods.post(V2 + "/flag", json("entity_type", "stream:feeds:v2:activity", "entity_id", "a"));
        RestClient.Response badSort =
                mods.post(V2 + "/review_queue", json("sort", List.of(json("field", "entity_id", "direction", 1))));
        RestClient.Response badCursor = mods.post(V2 + "/review_queue", json("next", "abc"));
        RestClient.Response badStatus = mods.post(V2 + "/review_queue", json("filter", json("status", "open")));

        assertThat(asUser.code()).isEqualTo(17);
        assertThat(actAsUser.code()).isEqualTo(17);
        assertThat(List.of(badAction, badType, badSort, badCursor, badStatus))
                .extracting(RestClient.Response::code)
                .containsOnly(4);
        assertThat(noItem.code()).isEqualTo(16);
    }

    @Test
    void aNulInAJsonBodySentAsMultipartIsCode4AndNeverReachesTheStore() {
        RestClient.Response r = RestClient.server(server)
                .send(
                        "POST",
                        V2 + "/flag",
                        Map.of(),
                        "{\"user_id\":\"a\\u0000b\"}",
                        Map.of("Content-Type", "multipart/form-data; boundary=x"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
    }

    @Test
    void v2MuteAndTheUserReportShowTheUsersMutesAndBlocks() {
        RestClient.Response muted =
                RestClient.user(server, ann).post(V2 + "/mute", json("target_ids", List.of(bob), "timeout", 60));
        RestClient.user(server, ann).post("/users/block", json("blocked_user_id", mod));

        RestClient.Response report = RestClient.user(server, mod)
                .get(
                        V2 + "/user_report",
                        Map.of("user_id", ann, "include_user_mutes", "true", "include_user_blocks", "true"));
        RestClient.Response bare = RestClient.server(server).get(V2 + "/user_report", Map.of("user_id", ann));
        RestClient.Response missing = RestClient.server(server).get(V2 + "/user_report", Map.of("user_id", "nobody-x"));
        String fresh = Seed.uid("fresh");
        RestClient.Response created = RestClient.server(server)
                .get(V2 + "/user_report", Map.of("user_id", fresh, "create_user_if_not_exists", "true"));
        RestClient.Response asUser = RestClient.user(server, bob).get(V2 + "/user_report", Map.of("user_id", ann));
        RestClient.Response unmuted =
                RestClient.user(server, ann).post(V2 + "/unmute", json("target_ids", List.of(bob)));

        assertThat(muted.body().at("/mute/target/id").asText()).isEqualTo(bob);
        assertThat(report.status()).as(report.text()).isEqualTo(200);
        assertThat(report.body().at("/user/id").asText()).isEqualTo(ann);
        assertThat(ids(report.body().get("user_mutes"), "/target/id")).containsExactly(bob);
        assertThat(ids(report.body().get("user_blocks"), "/blocked_user_id")).containsExactly(mod);
        assertThat(bare.body().has("user_mutes")).isFalse();
        assertThat(missing.code()).isEqualTo(16);
        assertThat(created.body().at("/user/id").asText()).isEqualTo(fresh);
        assertThat(asUser.code()).isEqualTo(17);
        assertThat(unmuted.status()).isEqualTo(200);
    }
}
