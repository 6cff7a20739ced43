package dev.parley.server.polls;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Polls against the real server (PROTOCOL.md §7.21): create, send, vote, answer, close, query, events. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private String ann;
    private String bob;
    private String eve;
    private String id;

    @BeforeEach
    void channel() {
        RestClient.server(server).call("PUT", "/channeltypes/messaging", json("polls", true));
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        eve = Seed.uid("eve");
        id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", bob), json("id", eve));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private static ObjectNode options(String... texts) {
        var a = Json.array();
        for (String t : texts) {
            a.add(json("text", t));
        }
        return json("options", a);
    }

    private JsonNode create(String as, ObjectNode poll) {
        RestClient.Response r = RestClient.user(server, as).post("/polls", poll);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().get("poll");
    }

    private JsonNode createPoll(String as, ObjectNode fields, String... texts) {
        ObjectNode body = options(texts);
        body.put("name", "Lunch?");
        body.setAll(fields);
        return create(as, body);
    }

    private String sendPoll(String as, String pollId) {
        RestClient.Response r = RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "", "poll_id", pollId)));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/message/poll/id").asText()).isEqualTo(pollId);
        return r.body().at("/message/id").asText();
    }

    private RestClient.Response vote(String as, String messageId, String pollId, ObjectNode vote) {
        return RestClient.user(server, as)
                .post("/messages/" + messageId + "/polls/" + pollId + "/vote", json("vote", vote));
    }

    private String optionId(JsonNode poll, int i) {
        return poll.path("options").get(i).path("id").asText();
    }

    private WsProbe watching(String user) {
        WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object());
        String conn = ws.next("health.check").path("connection_id").asText();
        RestClient.user(server, user)
                .withConnectionId(conn)
                .post("/channels/messaging/" + id + "/query", json("watch", true));
        return ws;
    }

    @Test
    void aVoteReachesTheWatchersWithTheNewCountsAndEachReaderSeesItsOwnVotes() {
        JsonNode poll = createPoll(ann, json("description", "where", "mood", "hungry"), "Pizza", "Sushi");
        String pollId = poll.path("id").asText();
        String pizza = optionId(poll, 0);
        String messageId = sendPoll(ann, pollId);
        try (WsProbe annWs = watching(ann)) {
            RestClient.Response cast = vote(bob, messageId, pollId, json("option_id", pizza));
            ObjectNode event = annWs.next("poll.vote_casted");

            assertThat(cast.status()).as(cast.text()).isEqualTo(200);
            assertThat(cast.body().at("/vote/option_id").asText()).isEqualTo(pizza);
            assertThat(event.path("cid").asText()).isEqualTo("messaging:" + id);
            assertThat(event.path("message_id").asText()).isEqualTo(messageId);
            assertThat(event.at("/poll_vote/user_id").asText()).isEqualTo(bob);
            assertThat(event.at("/poll/vote_count").asInt()).isEqualTo(1);
            assertThat(event.at("/poll/vote_counts_by_option/" + pizza).asInt()).isEqualTo(1);
        }
        JsonNode asAnn = RestClient.user(server, ann)
                .get("/messages/" + messageId)
                .body()
                .at("/message/poll");
        JsonNode asBob = RestClient.user(server, bob)
                .get("/messages/" + messageId)
                .body()
                .at("/message/poll");
        assertThat(asAnn.path("own_votes").size()).isZero();
        assertThat(asBob.path("own_votes").size()).isEqualTo(1);
        assertThat(asAnn.path("description").asText()).isEqualTo("where");
        assertThat(asAnn.path("mood").asText()).isEqualTo("hungry");
        assertThat(asAnn.at("/latest_votes_by_option/" + pizza + "/0/user/id").asText())
                .isEqualTo(bob);
        JsonNode channel = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json())
                .body();
        assertThat(channel.at("/messages/0/poll/own_votes/0/option_id").asText())
                .isEqualTo(pizza);
        assertThat(channel.at("/channel/own_capabilities").toString())
                .contains("\"send-poll\"", "\"cast-poll-vote\"", "\"query-poll-votes\"");
    }

    @Test
    void aUniqueVoteMovesAndALimitRefusesTheVotePastIt() {
        JsonNode unique = createPoll(ann, json("enforce_unique_vote", true), "A", "B");
        String uniqueId = unique.path("id").asText();
        String m1 = sendPoll(ann, uniqueId);
        JsonNode limited = createPoll(ann, json("max_votes_allowed", 2), "A", "B", "C");
        String limitedId = limited.path("id").asText();
        String m2 = sendPoll(ann, limitedId);
        try (WsProbe annWs = watching(ann)) {
            vote(bob, m1, uniqueId, json("option_id", optionId(unique, 0)));
            annWs.next("poll.vote_casted");
            RestClient.Response moved = vote(bob, m1, uniqueId, json("option_id", optionId(unique, 1)));
            ObjectNode changed = annWs.next("poll.vote_changed");

            assertThat(moved.status()).as(moved.text()).isEqualTo(200);
            assertThat(changed.at("/poll/vote_count").asInt()).isEqualTo(1);
            assertThat(changed.at("/poll/vote_counts_by_option/" + optionId(unique, 0))
                            .asInt())
                    .isZero();
            assertThat(changed.at("/poll/vote_counts_by_option/" + optionId(unique, 1))
                            .asInt())
                    .isEqualTo(1);
        }
        assertThat(vote(bob, m2, limitedId, json("option_id", optionId(limited, 0)))
                        .status())
                .isEqualTo(200);
        assertThat(vote(bob, m2, limitedId, json("option_id", optionId(limited, 0)))
                        .status())
                .as("the same vote again")
                .isEqualTo(200);
        assertThat(vote(bob, m2, limitedId, json("option_id", optionId(limited, 1)))
                        .status())
                .isEqualTo(200);
        RestClient.Response third = vote(bob, m2, limitedId, json("option_id", optionId(limited, 2)));
        assertThat(third.status()).isEqualTo(400);
        assertThat(third.code()).isEqualTo(4);
        assertThat(RestClient.user(server, bob)
                        .get("/polls/" + limitedId)
                        .body()
                        .at("/poll/vote_count")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void concurrentVotesByOneUserNeverPassTheLimitTogether() throws Exception {
        JsonNode poll = createPoll(ann, json("max_votes_allowed", 1), "A", "B", "C", "D");
        String pollId = poll.path("id").asText();
        String m = sendPoll(ann, pollId);
        List<java.util.concurrent.Callable<Integer>> casts = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String option = optionId(poll, i);
            casts.add(() -> vote(bob, m, pollId, json("option_id", option)).status());
        }
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var f : pool.invokeAll(casts)) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnlyOnce(200);
        }
        assertThat(RestClient.user(server, bob)
                        .get("/polls/" + pollId)
                        .body()
                        .at("/poll/own_votes")
                        .size())
                .isEqualTo(1);
    }

    @Test
    void answersNeedAllowAnswersAndASecondAnswerReplacesTheFirst() {
        JsonNode closedToAnswers = createPoll(ann, json(), "A");
        String m0 = sendPoll(ann, closedToAnswers.path("id").asText());
        assertThat(vote(bob, m0, closedToAnswers.path("id").asText(), json("answer_text", "hi"))
                        .code())
                .isEqualTo(4);

        JsonNode poll = createPoll(ann, json("allow_answers", true), "A");
        String pollId = poll.path("id").asText();
        String m = sendPoll(ann, pollId);
        String first = vote(bob, m, pollId, json("answer_text", "tacos"))
                .body()
                .at("/vote/id")
                .asText();
        RestClient.Response second = vote(bob, m, pollId, json("answer_text", "ramen"));
        JsonNode answers = RestClient.user(server, ann)
                .post("/polls/" + pollId + "/votes", json("filter", json("is_answer", true)))
                .body();

        assertThat(second.body().at("/vote/id").asText()).isEqualTo(first);
        assertThat(second.body().at("/vote/answer_text").asText()).isEqualTo("ramen");
        assertThat(answers.path("votes").size()).isEqualTo(1);
        assertThat(answers.at("/votes/0/answer_text").asText()).isEqualTo("ramen");
        assertThat(answers.at("/votes/0/user/id").asText()).isEqualTo(bob);
        assertThat(RestClient.user(server, ann)
                        .get("/polls/" + pollId)
                        .body()
                        .at("/poll/answers_count")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void onlyTheCreatorClosesAPollAndAClosedPollTakesNoVotes() {
        JsonNode poll = createPoll(ann, json(), "A", "B");
        String pollId = poll.path("id").asText();
        String m = sendPoll(ann, pollId);
        RestClient.Response byBob =
                RestClient.user(server, bob).patch("/polls/" + pollId, json("set", json("is_closed", true)));
        assertThat(byBob.code()).isEqualTo(17);
        try (WsProbe bobWs = watching(bob)) {
            RestClient.Response close =
                    RestClient.user(server, ann).patch("/polls/" + pollId, json("set", json("is_closed", true)));
            ObjectNode closed = bobWs.next("poll.closed");

            assertThat(close.body().at("/poll/is_closed").asBoolean()).isTrue();
            assertThat(closed.at("/poll/id").asText()).isEqualTo(pollId);
        }
        RestClient.Response late = vote(bob, m, pollId, json("option_id", optionId(poll, 0)));
        assertThat(late.code()).isEqualTo(4);
        assertThat(late.message()).contains("closed");
    }

    @Test
    void anAnonymousPollHidesVotersFromOthersButNotFromTheVoter() {
        JsonNode poll = createPoll(ann, json("voting_visibility", "anonymous"), "A");
        String pollId = poll.path("id").asText();
        String m = sendPoll(ann, pollId);
        try (WsProbe annWs = watching(ann);
                WsProbe bobWs = watching(bob)) {
            vote(bob, m, pollId, json("option_id", optionId(poll, 0)));
            ObjectNode seenByAnn = annWs.next("poll.vote_casted");
            ObjectNode seenByBob = bobWs.next("poll.vote_casted");

            assertThat(seenByAnn.path("poll_vote").has("user_id")).isFalse();
            assertThat(seenByAnn.has("user")).isFalse();
            assertThat(seenByBob.at("/poll_vote/user_id").asText()).isEqualTo(bob);
        }
        JsonNode votes = RestClient.user(server, ann)
                .post("/polls/" + pollId + "/votes", json())
                .body();
        assertThat(votes.path("votes").size()).isEqualTo(1);
        assertThat(votes.at("/votes/0").has("user")).isFalse();
    }

    @Test
    void removingAVoteTellsTheWatchersAndNobodyRemovesAnothersVote() {
        JsonNode poll = createPoll(ann, json(), "A");
        String pollId = poll.path("id").asText();
        String m = sendPoll(ann, pollId);
        String voteId = vote(bob, m, pollId, json("option_id", optionId(poll, 0)))
                .body()
                .at("/vote/id")
                .asText();
        RestClient.Response byAnn =
                RestClient.user(server, ann).delete("/messages/" + m + "/polls/" + pollId + "/vote/" + voteId);
        assertThat(byAnn.code()).isEqualTo(16);
        try (WsProbe annWs = watching(ann)) {
            RestClient.Response removed =
                    RestClient.user(server, bob).delete("/messages/" + m + "/polls/" + pollId + "/vote/" + voteId);
            ObjectNode event = annWs.next("poll.vote_removed");

            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            assertThat(event.at("/poll_vote/id").asText()).isEqualTo(voteId);
            assertThat(event.at("/poll/vote_count").asInt()).isZero();
        }
    }

    @Test
    void aPollIsSentOnceByItsCreatorInAChannelTypeWithPollsOn() {
        JsonNode poll = createPoll(ann, json(), "A");
        String pollId = poll.path("id").asText();
        RestClient.Response byBob = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("poll_id", pollId)));
        assertThat(byBob.code()).isEqualTo(17);
        sendPoll(ann, pollId);
        RestClient.Response again = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/message", json("message", json("poll_id", pollId)));
        assertThat(again.code()).isEqualTo(4);

        String team = Seed.uid("team");
        RestClient.server(server)
                .post(
                        "/channels/team/" + team + "/query",
                        json("data", json("created_by_id", ann, "members", List.of(ann, bob))));
        JsonNode other = createPoll(ann, json(), "A");
        RestClient.Response off = RestClient.user(server, ann)
                .post(
                        "/channels/team/" + team + "/message",
                        json("message", json("poll_id", other.path("id").asText())));
        assertThat(off.status()).isEqualTo(400);
        assertThat(off.message()).contains("polls are disabled");
    }

    @Test
    void queriesShowThePollsOfTheCallersChannelsAndOwnPollsOnly() {
        JsonNode open = createPoll(ann, json(), "A");
        sendPoll(ann, open.path("id").asText());
        JsonNode closed = createPoll(ann, json("is_closed", true), "A");
        sendPoll(ann, closed.path("id").asText());
        JsonNode unsent = createPoll(ann, json(), "A");

        JsonNode bobs = RestClient.user(server, bob)
                .post("/polls/query", json("filter", json("created_by_id", ann)))
                .body();
        JsonNode eves = RestClient.user(server, eve)
                .post("/polls/query", json("filter", json()))
                .body();
        JsonNode anns = RestClient.user(server, ann)
                .post(
                        "/polls/query",
                        json(
                                "filter",
                                json("is_closed", false),
                                "sort",
                                Json.array().add(json("field", "created_at"))))
                .body();
        JsonNode page = RestClient.user(server, ann)
                .post("/polls/query", json("filter", json("created_by_id", ann), "limit", 2))
                .body();

        assertThat(ids(bobs))
                .containsExactlyInAnyOrder(
                        open.path("id").asText(), closed.path("id").asText());
        assertThat(ids(eves)).isEmpty();
        assertThat(ids(anns))
                .containsExactly(open.path("id").asText(), unsent.path("id").asText());
        assertThat(page.path("polls").size()).isEqualTo(2);
        assertThat(page.path("next").asText()).isNotEmpty();
        assertThat(RestClient.user(server, eve)
                        .get("/polls/" + open.path("id").asText())
                        .code())
                .isEqualTo(17);
        assertThat(RestClient.user(server, bob)
                        .get("/polls/" + unsent.path("id").asText())
                        .code())
                .isEqualTo(16);
    }

    @Test
    void suggestedOptionsNeedThePollsConsentAndOptionTextsAreUnique() {
        JsonNode strict = createPoll(ann, json(), "A");
        String strictId = strict.path("id").asText();
        sendPoll(ann, strictId);
        RestClient.Response refused =
                RestClient.user(server, bob).post("/polls/" + strictId + "/options", json("text", "B"));
        RestClient.Response duplicate =
                RestClient.user(server, ann).post("/polls/" + strictId + "/options", json("text", " a "));
        assertThat(refused.code()).isEqualTo(17);
        assertThat(duplicate.code()).isEqualTo(4);

        JsonNode open = createPoll(ann, json("allow_user_suggested_options", true), "A");
        String openId = open.path("id").asText();
        sendPoll(ann, openId);
        try (WsProbe annWs = watching(ann)) {
            RestClient.Response added =
                    RestClient.user(server, bob).post("/polls/" + openId + "/options", json("text", "B"));
            ObjectNode updated = annWs.next("poll.updated");

            assertThat(added.status()).as(added.text()).isEqualTo(200);
            assertThat(added.body().at("/poll_option/text").asText()).isEqualTo("B");
            assertThat(updated.at("/poll/options").size()).isEqualTo(2);
        }
    }

    @Test
    void badPollsAreRefusedWithCodeFour() {
        RestClient ann = RestClient.user(server, this.ann);
        assertThat(ann.post("/polls", json("options", Json.array())).code()).isEqualTo(4);
        assertThat(ann.post("/polls", json("name", "x", "max_votes_allowed", 11))
                        .code())
                .isEqualTo(4);
        assertThat(ann.post("/polls", json("name", "x", "voting_visibility", "secret"))
                        .code())
                .isEqualTo(4);
        assertThat(ann.post("/polls", json("name", "x", "options", Json.array().add(json("text", 5))))
                        .code())
                .isEqualTo(4);
        assertThat(ann.post("/polls/query", json("filter", json("mood", "x"))).code())
                .isEqualTo(4);
        assertThat(ann.post("/polls/query", json("next", "x")).code()).isEqualTo(4);
        assertThat(ann.get("/polls/nope").code()).isEqualTo(16);
        String pollId = createPoll(this.ann, json(), "A").path("id").asText();
        String m = sendPoll(this.ann, pollId);
        assertThat(vote(bob, m, pollId, json("option_id", "nope")).code()).isEqualTo(16);
        assertThat(vote(bob, m, pollId, json()).code()).isEqualTo(4);
        assertThat(RestClient.user(server, bob)
                        .post("/messages/" + m + "/polls/" + pollId + "/vote", json("vote", "x"))
                        .code())
                .isEqualTo(4);
        assertThat(vote(eve, m, pollId, json("option_id", "x")).code()).isEqualTo(17);
    }

    @Test
    void deletingAPollTellsTheWatchersAndLeavesItsMessageWithoutOne() {
        String pollId = createPoll(ann, json(), "A").path("id").asText();
        String m = sendPoll(ann, pollId);
        assertThat(RestClient.user(server, bob).delete("/polls/" + pollId).code())
                .isEqualTo(17);
        try (WsProbe bobWs = watching(bob)) {
            assertThat(RestClient.user(server, ann).delete("/polls/" + pollId).status())
                    .isEqualTo(200);
            ObjectNode deleted = bobWs.next("poll.deleted");
            assertThat(deleted.at("/poll/id").asText()).isEqualTo(pollId);
            assertThat(deleted.path("message_id").asText()).isEqualTo(m);
        }

        JsonNode message =
                RestClient.user(server, bob).get("/messages/" + m).body().path("message");
        assertThat(message.path("poll_id").asText()).isEqualTo(pollId);
        assertThat(message.has("poll")).isFalse();
        assertThat(RestClient.user(server, ann).get("/polls/" + pollId).code()).isEqualTo(16);
    }

    private static List<String> ids(JsonNode polls) {
        return java.util.stream.StreamSupport.stream(polls.path("polls").spliterator(), false)
                .map(p -> p.path("id").asText())
                .toList();
    }
}
