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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flag queries, flag reports and their review against the real server (PROTOCOL.md §7.26). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlagReportsTest {
    private static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

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
        Seed.users(
                server,
                json("id", ann, "name", "Ann"),
                json("id", bob, "name", "Bob"),
                json("id", mod, "role", "moderator"));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private String send(String as, String text) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                .body()
                .at("/message/id")
                .asText();
    }

    /** Flags as {@code as}, a second after whatever came before: the newest flag comes first. */
    private void flagMessage(String as, String messageId) {
        clock.advance(Duration.ofSeconds(1));
        RestClient.Response r =
                RestClient.user(server, as).post("/moderation/flag", json("target_message_id", messageId));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private JsonNode reports(RestClient as, Object filter) {
        RestClient.Response r = as.post("/moderation/reports", json("filter_conditions", filter));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().get("flag_reports");
    }

    private static List<String> ids(JsonNode array, String path) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(path).asText()));
        return out;
    }

    @Test
    void aModeratorQueriesTheFlagsOfTheMessagesOfAChannel() {
        String m1 = send(bob, "first");
        String m2 = send(bob, "second");
        flagMessage(ann, m1);
        flagMessage(ann, m2);

        RestClient.Response r = RestClient.user(server, mod)
                .getPayload("/moderation/flags/message", json("filter_conditions", json("channel_cid", cid)));
        RestClient.Response byBob = RestClient.user(server, mod)
                .getPayload(
                        "/moderation/flags/message",
                        json("filter_conditions", json("channel_cid", cid, "user_id", bob)));
        RestClient.Response paged = RestClient.user(server, mod)
                .getPayload(
                        "/moderation/flags/message",
                        json("filter_conditions", json("channel_cid", cid), "limit", 1, "offset", 1));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(ids(r.body().get("flags"), "/message/id")).containsExactly(m2, m1);
        assertThat(r.body().at("/flags/0/user/id").asText()).isEqualTo(ann);
        assertThat(r.body().at("/flags/0/message/user/id").asText()).isEqualTo(bob);
        assertThat(r.body().at("/flags/0/created_by_automod").asBoolean(true)).isFalse();
        assertThat(r.body().at("/flags/0").has("reviewed_at")).isFalse();
        assertThat(byBob.body().get("flags")).isEmpty();
        assertThat(ids(paged.body().get("flags"), "/message/id")).containsExactly(m1);
    }

    @Test
    void aUserMayNotReadFlagsButAChannelModeratorMayReadItsChannels() {
        send(bob, "x");
        RestClient.server(server).post("/channels/messaging/" + id, json("add_moderators", List.of(bob)));

        RestClient.Response plain = RestClient.user(server, ann)
                .getPayload("/moderation/flags/message", json("filter_conditions", json("channel_cid", cid)));
        RestClient.Response everywhere =
                RestClient.user(server, bob).getPayload("/moderation/flags/message", json("filter_conditions", json()));
        RestClient.Response channelModerator = RestClient.user(server, bob)
                .getPayload("/moderation/flags/message", json("filter_conditions", json("channel_cid", cid)));
        RestClient.Response reportsAsUser =
                RestClient.user(server, ann).post("/moderation/reports", json("filter_conditions", json()));
        RestClient.Response flagsAsUser =
                RestClient.user(server, ann).post("/moderation/flags", json("filter_conditions", json()));

        assertThat(plain.code()).isEqualTo(17);
        assertThat(everywhere.code()).isEqualTo(17);
        assertThat(channelModerator.status()).as(channelModerator.text()).isEqualTo(200);
        assertThat(reportsAsUser.code()).isEqualTo(17);
        assertThat(flagsAsUser.code()).isEqualTo(17);
    }

    @Test
    void aReportGathersTheFlagsOfOneMessageAndAUserReportItsUser() {
        String m = send(bob, "rude words");
        flagMessage(ann, m);
        flagMessage(mod, m);
        clock.advance(Duration.ofSeconds(1));
        RestClient.user(server, ann).post("/moderation/flag", json("target_user_id", bob));

        JsonNode byMessage = reports(RestClient.server(server), json("message_id", m));
        JsonNode byUser = reports(RestClient.user(server, mod), json("user_id", bob, "channel_cid", cid));
        JsonNode all = reports(RestClient.user(server, mod), json("user_id", bob));

        assertThat(byMessage).hasSize(1);
        assertThat(byMessage.at("/0/flags_count").asInt()).isEqualTo(2);
        assertThat(byMessage.at("/0/message/id").asText()).isEqualTo(m);
        assertThat(byMessage.at("/0/user/id").asText()).isEqualTo(bob);
        assertThat(byMessage.at("/0/first_reporter/id").asText()).isEqualTo(ann);
        assertThat(byMessage.at("/0/id").asText()).isNotEmpty();
        assertThat(byUser).hasSize(1);
        assertThat(all).hasSize(2);
        assertThat(all.at("/0").has("message")).isFalse(); // the user report, newest first
    }

    @Test
    void queryFlagsFiltersByReporterAndNamesTheTargets() {
        String m = send(bob, "flagged");
        flagMessage(ann, m);
        clock.advance(Duration.ofSeconds(1));
        RestClient.user(server, mod).post("/moderation/flag", json("target_user_id", bob));

        RestClient.Response byAnn = RestClient.user(server, mod)
                .post("/moderation/flags", json("filter_conditions", json("reporter_id", ann)));
        RestClient.Response aboutBob = RestClient.server(server)
                .post("/moderation/flags", json("filter_conditions", json("user_id", json("$in", List.of(bob)))));

        RestClient.Response disjoint = RestClient.server(server)
                .post("/moderation/flags", json("filter_conditions", json("user_id", bob, "message_user_id", ann)));

        assertThat(disjoint.status()).as(disjoint.text()).isEqualTo(200);
        assertThat(disjoint.body().get("flags")).isEmpty();
        assertThat(ids(byAnn.body().get("flags"), "/target_message/id")).containsExactly(m);
        assertThat(ids(aboutBob.body().get("flags"), "/user/id")).containsExactly(mod, ann);
        assertThat(aboutBob.body().at("/flags/0/target_user/id").asText()).isEqualTo(bob);
    }

    @Test
    void reviewRecordsTheResultAndTheReviewerAndARejectedMessageIsDeleted() {
        String kept = send(bob, "fine after all");
        String removed = send(bob, "really rude");
        flagMessage(ann, kept);
        flagMessage(ann, removed);
        String keptReport = reports(RestClient.user(server, mod), json("message_id", kept))
                .at("/0/id")
                .asText();
        String removedReport = reports(RestClient.user(server, mod), json("message_id", removed))
                .at("/0/id")
                .asText();

        RestClient.Response approve = RestClient.user(server, mod)
                .patch(
                        "/moderation/reports/" + keptReport,
                        json("review_result", "approved", "review_details", json("note", "ok")));
        RestClient.Response reject = RestClient.server(server)
                .patch("/moderation/reports/" + removedReport, json("review_result", "rejected", "user_id", mod));
        JsonNode flags = RestClient.user(server, mod)
                .getPayload(
                        "/moderation/flags/message",
                        json("filter_conditions", json("channel_cid", cid, "is_reviewed", true)))
                .body()
                .get("flags");
        JsonNode open = reports(RestClient.user(server, mod), json("channel_cid", cid, "is_reviewed", false));
        JsonNode removedMessage =
                RestClient.user(server, bob).get("/messages/" + removed).body().get("message");

        assertThat(approve.status()).as(approve.text()).isEqualTo(200);
        assertThat(approve.body().at("/flag_report/review_result").asText()).isEqualTo("approved");
        assertThat(approve.body().at("/flag_report/reviewed_by/id").asText()).isEqualTo(mod);
        assertThat(approve.body().at("/flag_report/review_details/note").asText())
                .isEqualTo("ok");
        assertThat(reject.body().at("/flag_report/review_result").asText()).isEqualTo("rejected");
        assertThat(flags).hasSize(2);
        assertThat(flags.findValues("approved_at")).hasSize(1);
        assertThat(flags.findValues("rejected_at")).hasSize(1);
        assertThat(open).isEmpty();
        assertThat(removedMessage.path("type").asText()).isEqualTo("deleted");
    }

    @Test
    void reviewRefusesUsersBadResultsAndUnknownReports() {
        String m = send(bob, "x");
        flagMessage(ann, m);
        String report = reports(RestClient.user(server, mod), json("message_id", m))
                .at("/0/id")
                .asText();

        RestClient.Response asUser =
                RestClient.user(server, ann).patch("/moderation/reports/" + report, json("review_result", "approved"));
        RestClient.Response badResult =
                RestClient.user(server, mod).patch("/moderation/reports/" + report, json("review_result", "maybe"));
        RestClient.Response badDetails = RestClient.user(server, mod)
                .patch("/moderation/reports/" + report, json("review_result", "reviewed", "review_details", 3));
        RestClient.Response unknown =
                RestClient.user(server, mod).patch("/moderation/reports/nope", json("review_result", "reviewed"));

        assertThat(asUser.code()).isEqualTo(17);
        assertThat(badResult.code()).isEqualTo(4);
        assertThat(badDetails.code()).isEqualTo(4);
        assertThat(unknown.code()).isEqualTo(16);
    }

    @Test
    void badFiltersAndPagesAreCode4() {
        RestClient mods = RestClient.user(server, mod);

        RestClient.Response unknownField =
                mods.post("/moderation/reports", json("filter_conditions", json("colour", "red")));
        RestClient.Response badOperator =
                mods.post("/moderation/flags", json("filter_conditions", json("user_id", json("$gt", "a"))));
        RestClient.Response badBool =
                mods.getPayload("/moderation/flags/message", json("filter_conditions", json("is_reviewed", "yes")));
        RestClient.Response bigLimit =
                mods.post("/moderation/reports", json("filter_conditions", json(), "limit", 1000));
        RestClient.Response notObject = mods.post("/moderation/flags", json("filter_conditions", List.of(1)));

        assertThat(List.of(unknownField, badOperator, badBool, bigLimit, notObject))
                .extracting(RestClient.Response::code)
                .containsOnly(4);
    }

    @Test
    void unblockMessageNeedsTheUnblockPermissionAndApprovesTheReport() {
        String m = send(bob, "flag me");
        flagMessage(ann, m);

        RestClient.Response asUser =
                RestClient.user(server, ann).post("/moderation/unblock_message", json("target_message_id", m));
        RestClient.Response missing = RestClient.user(server, mod)
                .post("/moderation/unblock_message", json("target_message_id", "none-" + id));
        RestClient.Response noId = RestClient.user(server, mod).post("/moderation/unblock_message", json());
        RestClient.Response ok =
                RestClient.user(server, mod).post("/moderation/unblock_message", json("target_message_id", m));
        JsonNode report = reports(RestClient.user(server, mod), json("message_id", m));

        assertThat(asUser.code()).isEqualTo(17);
        assertThat(missing.code()).isEqualTo(16);
        assertThat(noId.code()).isEqualTo(4);
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(report.at("/0/review_result").asText()).isEqualTo("approved");
    }
}
