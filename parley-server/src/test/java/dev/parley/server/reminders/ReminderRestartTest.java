package dev.parley.server.reminders;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A reminder that comes due while the server is down is sent after it starts again, and only once. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReminderRestartTest {
    @Test
    void aReminderDueAfterARestartIsSentOnceAndNotAgainAfterTheNext() {
        MutableClock first = new MutableClock(Instant.now());
        TestServer before = TestServer.start(first, b -> {});
        TestServer after = null;
        TestServer third = null;
        try {
            String ann = Seed.uid("ann");
            String id = Seed.uid("room");
            Seed.users(before, json("id", ann));
            Seed.messaging(before, ann, id, ann);
            RestClient.server(before).call("PUT", "/channeltypes/messaging", json("user_message_reminders", true));
            String message = RestClient.user(before, ann)
                    .post("/channels/messaging/" + id + "/message", json("message", json("text", "later")))
                    .body()
                    .path("message")
                    .path("id")
                    .asText();
            String at = Timestamps.format(first.instant().plus(Duration.ofHours(1)));
            assertThat(RestClient.user(before, ann)
                            .post("/messages/" + message + "/reminders", json("remind_at", at))
                            .status())
                    .isEqualTo(200);
            before.server().close();

            MutableClock second = new MutableClock(Instant.now());
            after = TestServer.restartOnDataOf(before, second, b -> {});
            try (WsProbe ws = WsProbe.connect(after, ann, after.userToken(ann), Json.object())) {
                ws.next("health.check");
                second.advance(Duration.ofHours(2));
                assertThat(ws.next("notification.reminder_due")
                                .path("reminder")
                                .path("message_id")
                                .asText())
                        .isEqualTo(message);
            }
            after.server().close();
            after = null;

            MutableClock later = new MutableClock(Instant.now().plus(Duration.ofHours(3)));
            third = TestServer.restartOnDataOf(before, later, b -> {});
            try (WsProbe ws = WsProbe.connect(third, ann, third.userToken(ann), Json.object())) {
                ws.next("health.check");
                assertThat(ws.poll("notification.reminder_due", Duration.ofMillis(2_500)))
                        .as("claimed before the restart: never sent twice")
                        .isEmpty();
            }
        } finally {
            // The restarted servers run on the first one's data, which its close deletes.
            for (TestServer restarted : new TestServer[] {after, third}) {
                if (restarted != null) {
                    restarted.server().close();
                }
            }
            before.close();
        }
    }
}
