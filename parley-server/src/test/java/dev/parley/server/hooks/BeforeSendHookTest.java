package dev.parley.server.hooks;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WebhookReceiver;
import dev.parley.server.testing.WebhookReceiver.Reply;
import dev.parley.server.testing.WsProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The before-message-send hook (PROTOCOL.md §15.4) against a real receiver: it sees the message before it is
 * stored, and its answer passes, rewrites or rejects it; when it fails or is late, the message goes through
 * unchanged (fail-open).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BeforeSendHookTest {
    private final WebhookReceiver hook = WebhookReceiver.start();
    private TestServer server;
    private RestClient admin;
    private String channel;

    @BeforeEach
    void start() {
        server = TestServer.start();
        admin = RestClient.server(server);
        Seed.users(server, json("id", "ann"), json("id", "bob"));
        channel = Seed.uid("gate");
        assertThat(Seed.messaging(server, "ann", channel, "ann", "bob").status())
                .isEqualTo(200);
        assertThat(admin.patch(
                                "/app",
                                json(
                                        "before_message_send_hook_url",
                                        hook.url(),
                                        "before_message_send_hook_attempt_timeout_ms",
                                        400))
                        .status())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
        hook.close();
    }

    private Response send(String text) {
        return RestClient.user(server, "ann")
                .post("/channels/messaging/" + channel + "/message", json("message", json("text", text)));
    }

    private int storedMessages() {
        return admin.post("/channels/messaging/" + channel + "/query", json("state", true))
                .body()
                .path("messages")
                .size();
    }

    @Test
    void theHookSeesTheSignedMessageUserAndChannelAndAnEmptyAnswerLetsItThrough() throws Exception {
        Response r = send("hello gate");

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        WebhookReceiver.Request seen = hook.next(x -> true, Duration.ofSeconds(10));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestServer.API_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(seen.header("X-Signature")).isEqualTo(HexFormat.of().formatHex(mac.doFinal(seen.body())));
        assertThat(seen.json().path("message").path("text").asText()).isEqualTo("hello gate");
        assertThat(seen.json().path("message").path("id").asText())
                .isEqualTo(r.body().path("message").path("id").asText());
        assertThat(seen.json().path("user").path("id").asText()).isEqualTo("ann");
        assertThat(seen.json().path("channel").path("cid").asText()).isEqualTo("messaging:" + channel);
        assertThat(r.body().path("message").path("text").asText()).isEqualTo("hello gate");
        assertThat(storedMessages()).isEqualTo(1);
    }

    @Test
    void aRewriteChangesWhatIsStoredAndWhatWatchersGet() {
        hook.reply(x -> new Reply(
                200,
                Json.write(json(
                        "message",
                        json("text", "[redacted]", "moderated", true, "created_at", "2000-01-01T00:00:00Z")))));
        try (WsProbe bob = WsProbe.connect(server, "bob", server.userToken("bob"), Json.object())) {
            String conn = bob.next("health.check").path("connection_id").asText();
            RestClient.user(server, "bob")
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + channel + "/query", json("watch", true));

            Response r = send("something rude");

            JsonNode m = r.body().path("message");
            assertThat(m.path("text").asText()).isEqualTo("[redacted]");
            assertThat(m.path("html").asText()).contains("[redacted]");
            assertThat(m.path("moderated").asBoolean())
                    .as("a custom field of the hook's")
                    .isTrue();
            assertThat(m.path("created_at").asText())
                    .as("server fields stay the server's")
                    .doesNotStartWith("2000");
            JsonNode event = bob.next("message.new");
            assertThat(event.path("message").path("text").asText()).isEqualTo("[redacted]");
        }
        JsonNode stored = admin.get("/messages/"
                        + admin.post("/channels/messaging/" + channel + "/query", json("state", true))
                                .body()
                                .path("messages")
                                .get(0)
                                .path("id")
                                .asText())
                .body()
                .path("message");
        assertThat(stored.path("text").asText()).isEqualTo("[redacted]");
    }

    @Test
    void aRejectionAnswersAnErrorMessageAndStoresNothing() {
        hook.reply(x -> new Reply(200, "{\"message\":{\"type\":\"error\",\"text\":\"not on this channel\"}}"));

        Response r = send("spam spam");

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.body().path("message").path("type").asText()).isEqualTo("error");
        assertThat(r.body().path("message").path("text").asText()).isEqualTo("not on this channel");
        assertThat(admin.get("/messages/" + r.body().path("message").path("id").asText())
                        .status())
                .isEqualTo(404);
        assertThat(storedMessages()).isZero();
    }

    @Test
    void aHookThatFailsOrHangsLetsTheMessageThroughUnchanged() {
        hook.reply(x -> new Reply(500, "{\"message\":{\"type\":\"error\",\"text\":\"no\"}}"));
        Response failed = send("through a 500");

        CountDownLatch release = new CountDownLatch(1);
        hook.reply(x -> {
            try {
                release.await(20, TimeUnit.SECONDS); // far beyond the 400 ms limit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Reply(200, "{\"message\":{\"type\":\"error\",\"text\":\"too late\"}}");
        });
        Response late = send("through a timeout");
        release.countDown();

        hook.reply(x -> new Reply(200, "{\"message\":{\"text\":\"" + "x".repeat(6000) + "\"}}"));
        Response tooLong = send("through a rewrite past the limit");

        assertThat(failed.body().path("message").path("text").asText()).isEqualTo("through a 500");
        assertThat(late.body().path("message").path("text").asText()).isEqualTo("through a timeout");
        assertThat(tooLong.body().path("message").path("text").asText()).isEqualTo("through a rewrite past the limit");
        assertThat(storedMessages()).isEqualTo(3);
        assertThat(server.server().node().metrics().scrape())
                .contains("parley_before_send_hook_total{outcome=\"failed_open\"} 2.0");
    }

    @Test
    void theTimeLimitSettingIsCheckedAndAnInvalidUrlIsRefused() {
        Response tooLong = admin.patch("/app", json("before_message_send_hook_attempt_timeout_ms", 9000));
        Response badUrl = admin.patch("/app", json("before_message_send_hook_url", "not a url"));

        assertThat(tooLong.code()).isEqualTo(4);
        assertThat(tooLong.message()).contains("before_message_send_hook_attempt_timeout_ms");
        assertThat(badUrl.code()).isEqualTo(4);
        assertThat(badUrl.message()).contains("before_message_send_hook_url");
    }
}
