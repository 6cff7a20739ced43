package dev.parley.server.hooks;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.ServerProcess;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox under {@code kill -9} (PROTOCOL.md §15.2): a server process takes sends, reactions and user
 * updates while its webhook receiver refuses every event, is killed with SIGKILL in the middle of it, and
 * restarts on the same data; once the receiver accepts, every acknowledged change reaches it. The three
 * changes take the outbox's three ways in: the message's own transaction, the transaction of an event
 * {@code /sync} keeps, and the shared commit of other events.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WebhookCrashTest {
    private static final int ACKED_BEFORE_KILL = 150;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedChangeReachesTheWebhookAfterAKillNine() throws Exception {
        String schema = "postgresql".equals(TestServer.STORE)
                ? "parley_hookcrash_"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                : null;
        String databaseUrl = schema == null ? null : TestServer.postgresUrl(schema);
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        String[] flags = {"--webhook-timeout", "500ms", "--webhook-retry-base", "100ms", "--webhook-max-attempts", "100"
        };
        AtomicBoolean down = new AtomicBoolean(true);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.answer(r -> {
                if (down.get()) {
                    return 503;
                }
                String k = key(r.json());
                if (k != null) {
                    seen.add(k);
                }
                return 200;
            });
            ServerProcess server = ServerProcess.start(data, databaseUrl, log, flags);
            try {
                RestClient admin = server.admin();
                assertThat(admin.patch("/app", json("webhook_url", receiver.url()))
                                .status())
                        .isEqualTo(200);
                admin.post("/users", json("users", json("ann", json("id", "ann"), "bob", json("id", "bob"))));
                for (String ch : List.of("crash-a", "crash-b")) {
                    admin.post(
                            "/channels/messaging/" + ch + "/query",
                            json("data", json("created_by_id", "ann", "members", List.of("ann", "bob"))));
                }
                AtomicInteger cut = new AtomicInteger();
                List<Thread> writers = new ArrayList<>();
                for (String ch : List.of("crash-a", "crash-b")) {
                    writers.add(Thread.ofVirtual().start(() -> write(admin, ch, acked, cut)));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ACKED_BEFORE_KILL);
                server.kill();
                for (Thread w : writers) {
                    w.join(Duration.ofSeconds(30));
                }

                down.set(false);
                server = ServerProcess.start(data, databaseUrl, log, flags);

                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> seen.containsAll(acked));
                System.out.printf(
                        "webhook crash test on %s: %d acknowledged changes, %d answers cut by the kill, %d events"
                                + " posted after the restart%n",
                        TestServer.STORE, acked.size(), cut.get(), seen.size());
            } finally {
                server.close();
                if (schema != null) {
                    TestServer.dropSchema(schema);
                }
            }
        }
    }

    /** Sends, reacts and updates a user in a loop until the server is gone; records what was acknowledged. */
    private static void write(RestClient admin, String channel, Set<String> acked, AtomicInteger cut) {
        for (int i = 0; i < 10_000; i++) {
            try {
                String text = channel + "-" + i;
                RestClient.Response sent = admin.post(
                        "/channels/messaging/" + channel + "/message",
                        json("message", json("text", text, "user_id", "ann")));
                if (sent.status() != 200) {
                    return;
                }
                String id = sent.body().path("message").path("id").asText();
                acked.add("message.new " + id);
                RestClient.Response reacted = admin.post(
                        "/messages/" + id + "/reaction", json("reaction", json("type", "like", "user_id", "bob")));
                if (reacted.status() != 200) {
                    return;
                }
                acked.add("reaction.new " + id);
                String user = "w-" + channel;
                RestClient.Response updated =
                        admin.post("/users", json("users", json(user, json("id", user, "n", text))));
                if (updated.status() != 200) {
                    return;
                }
                acked.add("user.updated " + user + " " + text);
            } catch (RuntimeException gone) { // the kill cut the answer
                cut.incrementAndGet();
                return;
            }
        }
    }

    /** What a posted event acknowledges, as the writers record it; null for events they do not record. */
    private static String key(JsonNode e) {
        return switch (e.path("type").asText()) {
            case "message.new" -> "message.new " + e.path("message").path("id").asText();
            case "reaction.new" ->
                "reaction.new " + e.path("reaction").path("message_id").asText();
            case "user.updated" ->
                "user.updated " + e.path("user").path("id").asText() + " "
                        + e.path("user").path("n").asText();
            default -> null;
        };
    }
}
