package dev.parley.server.reminders;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unread reminders against the real server and a real webhook receiver (PROTOCOL.md §7.30): the node reads a
 * clock the test moves past the app's {@code reminders_interval}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreadRemindersTest {
    static final MutableClock clock = new MutableClock(Instant.now());
    static final WebhookReceiver receiver = WebhookReceiver.start();
    static final String TYPE = "user.unread_message_reminder";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(
            clock,
            b -> b.webhookDelivery(new ServerConfig.WebhookDelivery(Duration.ofSeconds(2), 3, Duration.ofMillis(20))));

    @BeforeAll
    static void switchRemindersOn() {
        RestClient admin = RestClient.server(server);
        RestClient.Response type = admin.call("PUT", "/channeltypes/messaging", json("reminders", true));
        assertThat(type.status()).as(type.toString()).isEqualTo(200);
        assertThat(type.body().path("reminders").asBoolean()).isTrue();
        RestClient.Response app = admin.patch("/app", json("webhook_url", receiver.url(), "reminders_interval", 60));
        assertThat(app.status()).as(app.toString()).isEqualTo(200);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    /** Sends a second after whatever came before, as time goes on for a real server. */
    private static String send(String cid, String as, String text) {
        clock.advance(Duration.ofSeconds(1));
        RestClient.Response r = RestClient.user(server, as)
                .post("/channels/messaging/" + cid + "/message", json("message", json("text", text)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body().path("message").path("id").asText();
    }

    /** The next reminder posted for {@code userId}. */
    private static JsonNode reminderOf(String userId) {
        return receiver.next(
                        r -> TYPE.equals(r.type())
                                && r.json().path("user").path("id").asText().equals(userId),
                        Duration.ofSeconds(20))
                .json();
    }

    private static List<String> remindedUsers() {
        List<String> out = new ArrayList<>();
        for (WebhookReceiver.Request r : receiver.all()) {
            if (TYPE.equals(r.type())) {
                out.add(r.json().path("user").path("id").asText());
            }
        }
        return out;
    }

    @Test
    void aMessageLeftUnreadPastTheIntervalIsPostedOnceWithTheChannelAndItsLastMessages() {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String id = Seed.uid("pair");
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
        String first = send(id, ann, "are you there?");

        clock.advance(Duration.ofSeconds(61));
        JsonNode e = reminderOf(bob);

        assertThat(e.path("type").asText()).isEqualTo(TYPE);
        assertThat(e.path("created_at").asText()).isNotEmpty();
        JsonNode entry = e.path("channels").path("messaging:" + id);
        assertThat(entry.path("channel").path("cid").asText()).isEqualTo("messaging:" + id);
        assertThat(entry.path("channel").path("members").findValuesAsText("user_id"))
                .containsExactlyInAnyOrder(ann, bob);
        assertThat(entry.path("messages").get(0).path("id").asText()).isEqualTo(first);
        assertThat(entry.path("messages").get(0).path("text").asText()).isEqualTo("are you there?");

        // Once for those messages; a later message left unread is reminded of again, newest first.
        String second = send(id, ann, "hello?");
        clock.advance(Duration.ofSeconds(61));
        JsonNode again = reminderOf(bob);
        JsonNode messages = again.path("channels").path("messaging:" + id).path("messages");
        List<String> ids = new ArrayList<>();
        messages.forEach(m -> ids.add(m.path("id").asText()));
        assertThat(ids).containsExactly(second, first);
        assertThat(remindedUsers())
                .as("the sender is never reminded of her own messages")
                .doesNotContain(ann);
        assertThat(remindedUsers().stream().filter(bob::equals).count()).isEqualTo(2);
    }

    @Test
    void aMemberWhoReadTheChannelOrAChannelOfMoreThanTenMembersIsNotReminded() {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String carol = Seed.uid("carol");
        String id = Seed.uid("trio");
        Seed.users(server, json("id", ann), json("id", bob), json("id", carol));
        Seed.messaging(server, ann, id, ann, bob, carol);
        List<String> crowd = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            String u = Seed.uid("crowd" + i);
            Seed.users(server, json("id", u));
            crowd.add(u);
        }
        String big = Seed.uid("big");
        Seed.messaging(server, crowd.getFirst(), big, crowd.toArray(String[]::new));
        send(big, crowd.getFirst(), "to the crowd");
        send(id, ann, "read me");
        RestClient.Response read = RestClient.user(server, bob).post("/channels/messaging/" + id + "/read", json());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(61));
        JsonNode e = reminderOf(carol);
        assertThat(e.path("channels").has("messaging:" + id)).isTrue();

        // A second channel's reminder, from a later pass, comes after anything the first pass sent.
        String dave = Seed.uid("dave");
        String later = Seed.uid("later");
        Seed.users(server, json("id", dave));
        Seed.messaging(server, ann, later, ann, dave);
        send(later, ann, "later");
        clock.advance(Duration.ofSeconds(61));
        reminderOf(dave);

        assertThat(remindedUsers()).as("bob read the channel").doesNotContain(bob);
        assertThat(remindedUsers()).as("a channel of 11 members").doesNotContainAnyElementsOf(crowd);
    }

    @Test
    void theIntervalIsOneMinuteToOneDayAndShownByTheApp() {
        RestClient admin = RestClient.server(server);
        for (int bad : new int[] {59, 86_401}) {
            RestClient.Response r = admin.patch("/app", json("reminders_interval", bad));
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body().path("code").asInt()).isEqualTo(4);
            assertThat(r.body().path("message").asText()).contains("reminders_interval");
        }
        assertThat(admin.get("/app")
                        .body()
                        .path("app")
                        .path("reminders_interval")
                        .asInt())
                .isEqualTo(60);
    }
}
