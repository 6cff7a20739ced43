package dev.parley.server.reminders;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reminders and saved-for-later messages against the real server (PROTOCOL.md §7.23); the node reads a clock the
 * test moves, so that a reminder comes due when the test says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemindersTest {
    static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private String ann;
    private String bob;
    private String eve;
    private String id;
    private String message;

    @BeforeAll
    static void switchRemindersOn() {
        RestClient.Response r =
                RestClient.server(server).call("PUT", "/channeltypes/messaging", json("user_message_reminders", true));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        eve = Seed.uid("eve");
        id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", bob), json("id", eve));
        Seed.messaging(server, ann, id, ann, bob);
        message = send(bob, "remember me");
    }

    private String send(String as, String text) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                .body()
                .path("message")
                .path("id")
                .asText();
    }

    private static String path(String messageId) {
        return "/messages/" + messageId + "/reminders";
    }

    private static String in(Duration d) {
        return Timestamps.format(clock.instant().plus(d));
    }

    @Test
    void aSavedForLaterMessageGetsATimeAndIsDeletedEachToldToTheUser() {
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            annWs.next("health.check");

            RestClient.Response created = RestClient.user(server, ann).post(path(message), json());
            ObjectNode createdEvent = annWs.next("reminder.created");
            String at = in(Duration.ofHours(2));
            RestClient.Response updated = RestClient.user(server, ann).patch(path(message), json("remind_at", at));
            ObjectNode updatedEvent = annWs.next("reminder.updated");
            RestClient.Response deleted = RestClient.user(server, ann).delete(path(message));
            ObjectNode deletedEvent = annWs.next("reminder.deleted");

            JsonNode r = created.body().path("reminder");
            assertThat(created.status()).isEqualTo(200);
            assertThat(r.path("message_id").asText()).isEqualTo(message);
            assertThat(r.path("user_id").asText()).isEqualTo(ann);
            assertThat(r.path("channel_cid").asText()).isEqualTo("messaging:" + id);
            assertThat(r.path("remind_at").isNull()).isTrue();
            assertThat(r.path("message").path("text").asText()).isEqualTo("remember me");
            assertThat(r.path("user").path("id").asText()).isEqualTo(ann);
            assertThat(createdEvent.path("reminder").path("message_id").asText())
                    .isEqualTo(message);
            assertThat(createdEvent.path("message_id").asText()).isEqualTo(message);
            assertThat(createdEvent.path("user_id").asText()).isEqualTo(ann);
            assertThat(updated.body().path("reminder").path("remind_at").asText())
                    .isEqualTo(at);
            assertThat(updatedEvent.path("reminder").path("remind_at").asText()).isEqualTo(at);
            assertThat(deleted.status()).isEqualTo(200);
            assertThat(deletedEvent.path("message_id").asText()).isEqualTo(message);
        }
    }

    @Test
    void aSecondReminderOfOneMessageAndAMissingOneAreRefusedAsTheSdkExpects() {
        RestClient.user(server, ann).post(path(message), json());

        RestClient.Response twice = RestClient.user(server, ann).post(path(message), json());
        RestClient.Response bobsOwn = RestClient.user(server, bob).post(path(message), json());
        RestClient.Response updateNone = RestClient.user(server, eve).patch(path(message), json());
        RestClient.user(server, ann).delete(path(message));
        RestClient.Response deleteNone = RestClient.user(server, ann).delete(path(message));

        assertThat(twice.code()).isEqualTo(4);
        assertThat(twice.message()).contains("already has reminder created for this message_id");
        assertThat(bobsOwn.status()).as("one per user and message").isEqualTo(200);
        assertThat(updateNone.code()).as("eve may not read the channel").isEqualTo(17);
        assertThat(deleteNone.code()).isEqualTo(16);
        assertThat(deleteNone.message()).contains("reminder does not exist");
    }

    @Test
    void aReminderComesDueOnceWhenItsTimePasses() {
        RestClient.user(server, ann).post(path(message), json("remind_at", in(Duration.ofMinutes(30))));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            annWs.next("health.check");

            clock.advance(Duration.ofMinutes(31));
            ObjectNode due = annWs.next("notification.reminder_due");

            assertThat(due.path("reminder").path("message_id").asText()).isEqualTo(message);
            assertThat(due.path("reminder").path("message").path("text").asText())
                    .isEqualTo("remember me");
            assertThat(due.path("cid").asText()).isEqualTo("messaging:" + id);
            assertThat(annWs.poll("notification.reminder_due", Duration.ofMillis(2_500)))
                    .as("the scheduler ticks every second; none of its next passes sends it again")
                    .isEmpty();
        }
    }

    @Test
    void queryRemindersFiltersSortsAndPages() {
        String second = send(bob, "second");
        String third = send(bob, "third");
        // The node's clock stands still unless moved: each reminder gets its own created_at.
        RestClient.user(server, ann).post(path(message), json("remind_at", in(Duration.ofHours(3))));
        clock.advance(Duration.ofMillis(1));
        RestClient.user(server, ann).post(path(second), json());
        clock.advance(Duration.ofMillis(1));
        RestClient.user(server, ann).post(path(third), json("remind_at", in(Duration.ofHours(1))));
        RestClient.user(server, bob).post(path(message), json());

        JsonNode all =
                RestClient.user(server, ann).post("/reminders/query", json()).body();
        JsonNode saved = RestClient.user(server, ann)
                .post("/reminders/query", json("filter", json("remind_at", json("$exists", false))))
                .body();
        JsonNode byTime = RestClient.user(server, ann)
                .post("/reminders/query", json("sort", List.of(json("field", "remind_at", "direction", 1))))
                .body();
        JsonNode first = RestClient.user(server, ann)
                .post("/reminders/query", json("limit", 2))
                .body();
        JsonNode next = RestClient.user(server, ann)
                .post(
                        "/reminders/query",
                        json("limit", 2, "next", first.path("next").asText()))
                .body();
        JsonNode back = RestClient.user(server, ann)
                .post(
                        "/reminders/query",
                        json("limit", 2, "prev", next.path("prev").asText()))
                .body();

        assertThat(ids(all)).containsExactly(message, second, third);
        assertThat(ids(saved)).containsExactly(second);
        assertThat(ids(byTime)).containsExactly(third, message, second);
        assertThat(ids(first)).containsExactly(message, second);
        assertThat(ids(next)).containsExactly(third);
        assertThat(next.has("next")).isFalse();
        assertThat(ids(back)).containsExactly(message, second);
        assertThat(all.path("reminders").get(0).path("message").path("text").asText())
                .isEqualTo("remember me");
    }

    @Test
    void aChannelsStateShowsTheReadersOwnReminderOnEachMessage() {
        String at = in(Duration.ofHours(4));
        RestClient.user(server, ann).post(path(message), json("remind_at", at));

        JsonNode annState = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json())
                .body();
        JsonNode bobState = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json())
                .body();
        JsonNode listed = RestClient.user(server, ann)
                .post("/channels", json("filter_conditions", json("cid", "messaging:" + id)))
                .body()
                .path("channels")
                .get(0);

        JsonNode reminder = annState.path("messages").get(0).path("reminder");
        assertThat(reminder.path("message_id").asText()).isEqualTo(message);
        assertThat(reminder.path("remind_at").asText()).isEqualTo(at);
        assertThat(reminder.path("user_id").asText()).isEqualTo(ann);
        assertThat(bobState.path("messages").get(0).has("reminder")).isFalse();
        assertThat(listed.path("messages")
                        .get(0)
                        .path("reminder")
                        .path("message_id")
                        .asText())
                .isEqualTo(message);
    }

    @Test
    void aChannelTypeWithRemindersOffRefusesThemWithCode19() {
        String team = Seed.uid("team");
        RestClient.user(server, ann)
                .post("/channels/team/" + team + "/query", json("data", json("members", List.of(ann))));
        String teamMessage = RestClient.user(server, ann)
                .post("/channels/team/" + team + "/message", json("message", json("text", "hi")))
                .body()
                .path("message")
                .path("id")
                .asText();

        RestClient.Response r = RestClient.user(server, ann).post(path(teamMessage), json());

        assertThat(r.code()).isEqualTo(19);
        assertThat(r.message()).contains("reminders are disabled");
    }

    @Test
    void badRemindersAreRefusedWithTheRightCode() {
        RestClient.Response noMessage = RestClient.user(server, ann).post(path("no-such-message"), json());
        RestClient.Response notATime = RestClient.user(server, ann).post(path(message), json("remind_at", 5));
        RestClient.Response badTime = RestClient.user(server, ann).post(path(message), json("remind_at", "tomorrow"));
        RestClient.Response serverWithoutUser = RestClient.server(server).post(path(message), json());
        RestClient.Response badFilter =
                RestClient.user(server, ann).post("/reminders/query", json("filter", json("text", "x")));
        RestClient.Response badSort = RestClient.user(server, ann)
                .post("/reminders/query", json("sort", List.of(json("field", "text", "direction", 1))));
        RestClient.Response badLimit = RestClient.user(server, ann).post("/reminders/query", json("limit", 1000));

        assertThat(noMessage.code()).isEqualTo(16);
        assertThat(notATime.code()).isEqualTo(4);
        assertThat(notATime.message()).contains("remind_at");
        assertThat(badTime.code()).isEqualTo(4);
        assertThat(serverWithoutUser.code()).isEqualTo(4);
        assertThat(serverWithoutUser.message()).contains("user_id");
        assertThat(badFilter.code()).isEqualTo(4);
        assertThat(badSort.code()).isEqualTo(4);
        assertThat(badLimit.code()).isEqualTo(4);
        assertThat(RestClient.server(server)
                        .post("/reminders/query", json("user_id", ann))
                        .body()
                        .path("reminders")
                        .size())
                .as("nothing was stored for ann")
                .isZero();
        assertThat(RestClient.server(server)
                        .post(path(message), json("user_id", ann))
                        .status())
                .isEqualTo(200);
        assertThat(RestClient.user(server, ann).get(path(message), Map.of()).code())
                .as("no GET on a message's reminders")
                .isEqualTo(16);
    }

    private static List<String> ids(JsonNode page) {
        return page.path("reminders")
                .valueStream()
                .map(r -> r.path("message_id").asText())
                .toList();
    }
}
