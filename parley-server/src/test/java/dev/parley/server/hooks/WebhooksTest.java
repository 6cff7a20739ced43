package dev.parley.server.hooks;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks end to end (PROTOCOL.md §13): a real server posts to a real HTTP receiver, which checks the
 * signature and headers, answers errors to force retries, blocks to stand for a slow receiver, and counts.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebhooksTest {
    /** Fast retries, so that a test sees several attempts in well under a second. */
    private static final ServerConfig.WebhookDelivery FAST =
            new ServerConfig.WebhookDelivery(Duration.ofMillis(500), 3, Duration.ofMillis(20));

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    private RestClient start(ServerConfig.WebhookDelivery delivery) {
        server = TestServer.start(b -> b.webhookDelivery(delivery));
        return RestClient.server(server);
    }

    private String channel() {
        Seed.users(server, json("id", "ann"), json("id", "bob"));
        String id = Seed.uid("hook");
        assertThat(Seed.messaging(server, "ann", id, "ann", "bob").status()).isEqualTo(200);
        return id;
    }

    private String send(String channel, String text) {
        Response r = RestClient.user(server, "ann")
                .post("/channels/messaging/" + channel + "/message", json("message", json("text", text)));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.body().path("message").path("id").asText();
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestServer.API_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void aSentMessageIsPostedToTheWebhookSignedWithTheApiSecret() throws Exception {
        RestClient admin = start(FAST);
        assertThat(admin.patch("/app", json("webhook_url", receiver.url())).status())
                .isEqualTo(200);
        String channel = channel();

        String id = send(channel, "hello hooks");

        WebhookReceiver.Request r = receiver.next("message.new");
        assertThat(r.header("X-Signature")).isEqualTo(hmac(r.body()));
        assertThat(r.header("X-Api-Key")).isEqualTo(TestServer.API_KEY);
        assertThat(UUID.fromString(r.header("X-Webhook-Id"))).isNotNull();
        assertThat(r.header("X-Webhook-Attempt")).isEqualTo("1");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode e = r.json();
        assertThat(e.path("cid").asText()).isEqualTo("messaging:" + channel);
        assertThat(e.path("channel_type").asText()).isEqualTo("messaging");
        assertThat(e.path("channel_id").asText()).isEqualTo(channel);
        assertThat(e.path("message").path("id").asText()).isEqualTo(id);
        assertThat(e.path("message").path("text").asText()).isEqualTo("hello hooks");
        assertThat(e.path("user").path("id").asText()).isEqualTo("ann");
        assertThat(e.path("created_at").asText()).isNotEmpty();
        assertThat(e.has("unread_count")).as("no recipient's counters").isFalse();
        assertThat(e.path("request_info").path("type").asText()).isEqualTo("client");
        assertThat(e.path("request_info").path("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(e.path("request_info").path("sdk").asText()).isEqualTo("parley-tests");
        JsonNode members = e.path("members");
        assertThat(members.findValuesAsText("user_id")).containsExactlyInAnyOrder("ann", "bob");
        for (JsonNode m : members) {
            boolean author = m.path("user_id").asText().equals("ann");
            assertThat(m.path("user").path("id").asText())
                    .isEqualTo(m.path("user_id").asText());
            assertThat(m.path("channel_unread_count").asInt()).as("%s", m).isEqualTo(author ? 0 : 1);
            assertThat(m.path("total_unread_count").asInt()).isEqualTo(author ? 0 : 1);
            assertThat(m.path("unread_channels").asInt()).isEqualTo(author ? 0 : 1);
            assertThat(m.path("channel_role").asText()).isNotEmpty();
        }

        RestClient.server(server)
                .post(
                        "/channels/messaging/" + channel + "/message",
                        json("message", json("text", "from the backend", "user_id", "bob")));
        assertThat(receiver.next("message.new")
                        .json()
                        .path("request_info")
                        .path("type")
                        .asText())
                .isEqualTo("server");
    }

    @Test
    void anEventHookGetsOnlyTheEventTypesItNamesAndTheSettingsShowIt() {
        RestClient admin = start(FAST);
        Response patch = admin.patch(
                "/app",
                json(
                        "event_hooks",
                        Json.array()
                                .add(json(
                                        "hook_type",
                                        "webhook",
                                        "webhook_url",
                                        receiver.url(),
                                        "event_types",
                                        List.of("reaction.new")))));
        assertThat(patch.status()).as("%s", patch).isEqualTo(200);
        JsonNode hook = admin.get("/app").body().path("app").path("event_hooks").get(0);
        assertThat(hook.path("id").asText()).isNotEmpty();
        assertThat(hook.path("enabled").asBoolean()).isTrue();
        assertThat(hook.path("created_at").asText()).isNotEmpty();
        String channel = channel();
        String id = send(channel, "react to me");

        Response reacted = RestClient.user(server, "bob")
                .post("/messages/" + id + "/reaction", json("reaction", json("type", "like")));

        assertThat(reacted.status()).isEqualTo(200);
        WebhookReceiver.Request r = receiver.next(x -> true, Duration.ofSeconds(20));
        assertThat(r.type()).as("the first event posted").isEqualTo("reaction.new");
        assertThat(r.json().path("reaction").path("type").asText()).isEqualTo("like");
        assertThat(r.json().path("user").path("id").asText()).isEqualTo("bob");
    }

    @Test
    void aReceiverThatAnswers500GetsTheSameEventAgainWithTheSameIdAndTheNextAttemptNumber() {
        RestClient admin = start(FAST);
        admin.patch("/app", json("webhook_url", receiver.url()));
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> r.type().equals("message.new") && calls.incrementAndGet() == 1 ? 500 : 200);
        String channel = channel();

        String id = send(channel, "retry me");

        WebhookReceiver.Request first = receiver.next("message.new");
        WebhookReceiver.Request second = receiver.next("message.new");
        assertThat(first.json().path("message").path("id").asText()).isEqualTo(id);
        assertThat(second.json().path("message").path("id").asText()).isEqualTo(id);
        assertThat(second.header("X-Webhook-Id")).isEqualTo(first.header("X-Webhook-Id"));
        assertThat(first.header("X-Webhook-Attempt")).isEqualTo("1");
        assertThat(second.header("X-Webhook-Attempt")).isEqualTo("2");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() ->
                        admin.get("/parley/webhooks").body().path("pending").asLong() == 0);
    }

    @Test
    void oneChannelsEventsArriveInTheirOrderEvenWhenOneOfThemIsRetried() {
        RestClient admin = start(FAST);
        admin.patch("/app", json("webhook_url", receiver.url()));
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> r.type().equals("message.new") && calls.incrementAndGet() == 2 ? 503 : 200);
        String channel = channel();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add(send(channel, "m" + i));
        }

        List<String> firstDeliveries = new ArrayList<>();
        while (firstDeliveries.size() < sent.size()) {
            String id = receiver.next("message.new")
                    .json()
                    .path("message")
                    .path("id")
                    .asText();
            if (!firstDeliveries.contains(id)) {
                firstDeliveries.add(id);
            }
        }

        assertThat(firstDeliveries).containsExactlyElementsOf(sent);
        List<String> answeredOrder = receiver.all().stream()
                .filter(r -> r.type().equals("message.new"))
                .map(r -> r.json().path("message").path("id").asText())
                .toList();
        assertThat(answeredOrder)
                .as("the failed one is sent again before any later one")
                .startsWith(sent.get(0), sent.get(1), sent.get(1), sent.get(2));
    }

    @Test
    void afterItsLastAttemptAnEventIsADeadLetterThatTheOperatorSeesAndRetries() {
        RestClient admin = start(FAST);
        admin.patch("/app", json("webhook_url", receiver.url()));
        receiver.answer(r -> r.type().equals("message.new") ? 500 : 200);
        String channel = channel();
        String id = send(channel, "doomed");

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> admin.get("/parley/webhooks")
                                .body()
                                .path("dead_letters")
                                .asLong()
                        == 1);
        Response health = admin.get("/parley/webhooks");
        assertThat(health.body().path("pending").asLong()).isZero();
        assertThat(health.body().path("last_failure").path("error").asText()).isEqualTo("HTTP 500");
        JsonNode dead = admin.get("/parley/webhooks/dead_letters").body().path("dead_letters");
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).path("attempts").asInt()).isEqualTo(3);
        assertThat(dead.get(0).path("payload").path("message").path("id").asText())
                .isEqualTo(id);
        assertThat(receiver.all().stream().filter(r -> r.type().equals("message.new")))
                .hasSize(3);

        receiver.answer(r -> 200);
        Response retried = admin.post(
                "/parley/webhooks/dead_letters/retry",
                json("ids", List.of(dead.get(0).path("id"))));

        assertThat(retried.body().path("retried").asInt()).as("%s", retried).isEqualTo(1);
        WebhookReceiver.Request again = receiver.next("message.new");
        assertThat(again.json().path("message").path("id").asText()).isEqualTo(id);
        assertThat(again.header("X-Webhook-Attempt")).isEqualTo("1");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() ->
                        admin.get("/parley/webhooks").body().path("pending").asLong() == 0);
        assertThat(admin.get("/parley/webhooks").body().path("dead_letters").asLong())
                .isZero();
    }

    @Test
    void aClientErrorIsNotRetriedAndDiscardingEmptiesTheDeadLetters() {
        RestClient admin = start(FAST);
        admin.patch("/app", json("webhook_url", receiver.url()));
        receiver.answer(r -> r.type().equals("message.new") ? 400 : 200);
        send(channel(), "refused");

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> admin.get("/parley/webhooks")
                                .body()
                                .path("dead_letters")
                                .asLong()
                        == 1);
        assertThat(receiver.all().stream().filter(r -> r.type().equals("message.new")))
                .as("one attempt only")
                .hasSize(1);

        Response discarded = admin.post("/parley/webhooks/dead_letters/discard", Json.object());

        assertThat(discarded.body().path("discarded").asInt()).isEqualTo(1);
        assertThat(admin.get("/parley/webhooks").body().path("dead_letters").asLong())
                .isZero();
    }

    @Test
    void aReceiverThatHangsNeitherSlowsASendNorStopsItsEventFromBeingTriedAgain() throws Exception {
        RestClient admin = start(FAST);
        admin.patch("/app", json("webhook_url", receiver.url()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> {
            if (r.type().equals("message.new") && calls.incrementAndGet() == 1) {
                try {
                    release.await(30, TimeUnit.SECONDS); // far beyond the 500 ms timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        });
        String channel = channel();
        String first = send(channel, "into the void");
        receiver.next("message.new"); // the hanging attempt has started

        String second = send(channel, "sent while the receiver hangs");

        assertThat(second).isNotEqualTo(first);
        WebhookReceiver.Request retry = receiver.next("message.new");
        assertThat(retry.json().path("message").path("id").asText()).isEqualTo(first);
        assertThat(retry.header("X-Webhook-Attempt")).isEqualTo("2");
        assertThat(receiver.next("message.new")
                        .json()
                        .path("message")
                        .path("id")
                        .asText())
                .isEqualTo(second);
        release.countDown();
    }

    @Test
    void pendingEventsSurviveARestartAndAreDeliveredAfterIt() {
        RestClient admin = start(new ServerConfig.WebhookDelivery(Duration.ofMillis(500), 20, Duration.ofSeconds(1)));
        admin.patch("/app", json("webhook_url", receiver.url()));
        receiver.answer(r -> r.type().equals("message.new") ? 503 : 200);
        String channel = channel();
        String id = send(channel, "wait for me");
        receiver.next("message.new"); // refused; the next attempt is a second away
        server.server().close();

        receiver.answer(r -> 200);
        TestServer restarted = TestServer.restartOnDataOf(server, b -> b.webhookDelivery(FAST));
        try {
            WebhookReceiver.Request r = receiver.next("message.new");
            assertThat(r.json().path("message").path("id").asText()).isEqualTo(id);
        } finally {
            restarted.server().close();
        }
    }

    @Test
    void hookEventsListsWhatTheServerPosts() {
        start(FAST);

        Response r = RestClient.server(server).get("/hook/events");

        assertThat(r.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        r.body().path("events").forEach(e -> names.add(e.path("name").asText()));
        assertThat(names).contains("message.new", "reaction.new", "member.added", "channel.created", "user.updated");
        assertThat(r.body().path("events").get(0).path("products").get(0).asText())
                .isEqualTo("chat");
    }

    @Test
    void settingsTheServerDoesNotServeAreRefusedByName() {
        RestClient admin = start(FAST);

        Response sqs = admin.patch(
                "/app",
                json("event_hooks", Json.array().add(json("hook_type", "sqs", "sqs_queue_url", "https://q.test/x"))));
        Response unknownType = admin.patch(
                "/app",
                json(
                        "event_hooks",
                        Json.array()
                                .add(json(
                                        "webhook_url",
                                        receiver.url(),
                                        "event_types",
                                        List.of("export.users.success")))));
        Response notAUrl = admin.patch("/app", json("webhook_url", "ftp://example.test/x"));
        Response sns = admin.patch("/app", json("sns_topic_arn", "arn:aws:sns:eu-west-1:1:t"));

        assertThat(sqs.code()).isEqualTo(4);
        assertThat(sqs.message()).contains("sqs");
        assertThat(unknownType.code()).isEqualTo(4);
        assertThat(unknownType.message()).contains("export.users.success");
        assertThat(notAUrl.code()).isEqualTo(4);
        assertThat(notAUrl.message()).contains("webhook_url");
        assertThat(sns.code()).isEqualTo(4);
        assertThat(sns.message()).contains("sns_topic_arn");
        assertThat(admin.get("/app").body().path("app").path("event_hooks")).isEmpty();
    }
}
