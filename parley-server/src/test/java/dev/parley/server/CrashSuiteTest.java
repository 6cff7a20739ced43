package dev.parley.server;

import static dev.parley.server.testing.RestClient.json;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerProcess;
import dev.parley.server.testing.TestServer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} durability, on the store of the test run ({@link TestServer#STORE}): a real server process
 * takes steady sends, replies, reactions and user upserts from a few client threads, is killed with SIGKILL
 * after a burst of random length, and restarts on the same data, several times. After each restart every
 * acknowledged write (a 2xx answer) is there exactly once, and every counter equals the rows it counts,
 * whatever was in flight at the kill: an unacknowledged write may be there or not, but never half.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashSuiteTest {
    private static final int KILLS = 3;
    private static final int WRITERS = 4;
    /** Acknowledged writes per burst: at least this many, plus up to {@link #BURST_SPREAD} more. */
    private static final int BURST_MIN = 150;

    private static final int BURST_SPREAD = 300;
    private static final List<String> CHANNELS = List.of("crash-a", "crash-b");
    private static final List<String> REACTIONS = List.of("like", "love", "wow");
    private static final int UPSERTED_PER_WRITER = 4;

    @TempDir
    Path dir;

    @Test
    void killNineLosesNoAcknowledgedWriteAndLeavesEveryCounterEqualToItsRows() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String schema = "postgresql".equals(TestServer.STORE)
                ? "parley_crash_"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                : null;
        String databaseUrl = schema == null ? null : TestServer.postgresUrl(schema);
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Ledger ledger = new Ledger();
        Violations violations = new Violations();
        ServerProcess server = ServerProcess.start(data, databaseUrl, log);
        try {
            setUp(server.admin());
            for (int kill = 1; kill <= KILLS; kill++) {
                int target = ledger.acked.get() + BURST_MIN + random.nextInt(BURST_SPREAD);
                try (Writers writers = new Writers(server.admin(), ledger, kill, random.nextLong())) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> ledger.acked.get() >= target || writers.allStopped());
                    server.kill();
                }
                server = ServerProcess.start(data, databaseUrl, log);
                check(server.admin(), ledger, violations, "kill " + kill);
            }
        } finally {
            server.close();
            if (schema != null) {
                TestServer.dropSchema(schema);
            }
        }
        System.out.printf(
                "crash suite on %s (seed %d): %d kills; acknowledged %d messages, %d replies, %d reactions,"
                        + " %d user upserts; %d answers were cut by a kill; lost %d, duplicated %d, counters off %d%n",
                TestServer.STORE,
                seed,
                KILLS,
                ledger.count(Kind.MESSAGE),
                ledger.count(Kind.REPLY),
                ledger.count(Kind.REACTION),
                ledger.count(Kind.UPSERT),
                ledger.cut.get(),
                violations.lost.size(),
                violations.duplicated.size(),
                violations.replyCounts.size() + violations.messageCounts.size() + violations.reactionCounts.size());

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(ledger.count(Kind.MESSAGE)
                        + ledger.count(Kind.REPLY)
                        + ledger.count(Kind.REACTION)
                        + ledger.count(Kind.UPSERT))
                .as("acknowledged writes")
                .isGreaterThanOrEqualTo(KILLS * BURST_MIN);
        soft.assertThat(ledger.badAnswers)
                .as("answers other than 2xx while the server was up")
                .isEmpty();
        soft.assertThat(violations.lost)
                .as("acknowledged writes missing after a restart")
                .isEmpty();
        soft.assertThat(violations.duplicated)
                .as("messages stored more than once")
                .isEmpty();
        soft.assertThat(violations.upserts)
                .as("user upserts older than the last acknowledged one")
                .isEmpty();
        soft.assertThat(violations.replyCounts)
                .as("reply_count against the replies stored")
                .isEmpty();
        soft.assertThat(violations.messageCounts)
                .as("channel message_count against the messages stored")
                .isEmpty();
        // Item 8 of issue 10: a reaction and its message's reaction_counts commit in two transactions, so a
        // kill between them leaves the counts behind the stored reactions. This fails, some runs, until
        // that fix is in.
        soft.assertThat(violations.reactionCounts)
                .as("reaction_counts and reaction_scores against the reactions stored (issue 10, item 8)")
                .isEmpty();
        soft.assertAll();
    }

    private static void setUp(RestClient admin) {
        ObjectNode users = Json.object();
        for (int w = 0; w < WRITERS; w++) {
            users.set(writer(w), json("id", writer(w), "name", "Writer " + w));
        }
        expect2xx(admin.post("/users", json("users", users)));
        List<String> members = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            members.add(writer(w));
        }
        for (String channel : CHANNELS) {
            expect2xx(admin.post(
                    "/channels/messaging/" + channel + "/query",
                    json("data", json("created_by_id", writer(0), "members", members))));
        }
    }

    private static String writer(int w) {
        return "crash-w" + w;
    }

    private static void expect2xx(Response r) {
        if (r.status() / 100 != 2) {
            throw new AssertionError("set-up call refused: " + r);
        }
    }

    // ---- what the writers were told

    enum Kind {
        MESSAGE,
        REPLY,
        REACTION,
        UPSERT
    }

    /** An acknowledged message or reply. */
    record Sent(String id, String channel, String parentId) {}

    /** What was acknowledged, and what was attempted, over all bursts. Thread-safe. */
    static final class Ledger {
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger cut = new AtomicInteger();
        final Map<Kind, AtomicInteger> counts = new ConcurrentHashMap<>();
        final Map<String, Sent> messages = new ConcurrentHashMap<>();
        final List<String> topLevel = Collections.synchronizedList(new ArrayList<>());
        final List<String> anyMessage = Collections.synchronizedList(new ArrayList<>());
        /** {@code message id \n user id \n type} of every acknowledged reaction. */
        final Set<String> reactions = ConcurrentHashMap.newKeySet();
        /** Per upserted user: the last acknowledged {@code seq} and the last one sent. */
        final Map<String, long[]> upserts = new ConcurrentHashMap<>();

        final Queue<String> badAnswers = new ConcurrentLinkedQueue<>();

        void acked(Kind kind) {
            counts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            acked.incrementAndGet();
        }

        int count(Kind kind) {
            AtomicInteger n = counts.get(kind);
            return n == null ? 0 : n.get();
        }

        /** One of the last 40 acknowledged ids of {@code from}, or null. */
        static String recent(List<String> from, Random random) {
            synchronized (from) {
                if (from.isEmpty()) {
                    return null;
                }
                return from.get(from.size() - 1 - random.nextInt(Math.min(40, from.size())));
            }
        }
    }

    /** The client threads of one burst; they end when the server stops answering or on close. */
    static final class Writers implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicInteger running = new AtomicInteger();

        Writers(RestClient admin, Ledger ledger, int burst, long seed) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Random random = new Random(seed + w);
                running.incrementAndGet();
                Thread t = new Thread(
                        () -> {
                            try {
                                run(admin, ledger, burst, writer, random);
                            } finally {
                                running.decrementAndGet();
                            }
                        },
                        "crash-writer-" + w);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        boolean allStopped() {
            return running.get() == 0;
        }

        private void run(RestClient admin, Ledger ledger, int burst, int writer, Random random) {
            String user = writer(writer);
            int seq = 0;
            while (!stop.get()) {
                seq++;
                String id = "cm-" + burst + "-" + writer + "-" + seq;
                int dice = random.nextInt(100);
                try {
                    String parent = dice < 20 ? Ledger.recent(ledger.topLevel, random) : null;
                    String target = dice >= 20 && dice < 50 ? Ledger.recent(ledger.anyMessage, random) : null;
                    if (parent != null) {
                        Sent p = ledger.messages.get(parent);
                        Response r = admin.post(
                                "/channels/messaging/" + p.channel() + "/message",
                                json("message", json("id", id, "text", id, "user_id", user, "parent_id", parent)));
                        if (answered(ledger, "reply " + id, r)) {
                            ledger.messages.put(id, new Sent(id, p.channel(), parent));
                            ledger.anyMessage.add(id);
                            ledger.acked(Kind.REPLY);
                        }
                    } else if (target != null) {
                        String type = REACTIONS.get(random.nextInt(REACTIONS.size()));
                        Response r = admin.post(
                                "/messages/" + target + "/reaction",
                                json("reaction", json("type", type, "score", 1 + random.nextInt(3), "user_id", user)));
                        if (answered(ledger, "reaction " + type + " on " + target, r)) {
                            ledger.reactions.add(target + "\n" + user + "\n" + type);
                            ledger.acked(Kind.REACTION);
                        }
                    } else if (dice >= 85) {
                        // seq starts again at each burst; an upsert's must grow across bursts too.
                        upsert(admin, ledger, writer, burst * 1_000_000 + seq, random);
                    } else {
                        String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                        Response r = admin.post(
                                "/channels/messaging/" + channel + "/message",
                                json("message", json("id", id, "text", id, "user_id", user)));
                        if (answered(ledger, "message " + id, r)) {
                            ledger.messages.put(id, new Sent(id, channel, null));
                            ledger.topLevel.add(id);
                            ledger.anyMessage.add(id);
                            ledger.acked(Kind.MESSAGE);
                        }
                    }
                } catch (UncheckedIOException e) {
                    // No answer: the server is gone (killed mid-request or before it). Not acknowledged.
                    ledger.cut.incrementAndGet();
                    return;
                }
            }
        }

        /** Upserts 1 to 3 of this writer's users in one call, each with {@code seq}. */
        private static void upsert(RestClient admin, Ledger ledger, int writer, int seq, Random random) {
            ObjectNode users = Json.object();
            List<String> ids = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                String id = "crash-up-" + writer + "-" + random.nextInt(UPSERTED_PER_WRITER);
                if (!ids.contains(id)) {
                    ids.add(id);
                    users.set(id, json("id", id, "name", "Upserted " + id, "seq", seq));
                }
            }
            // One writer owns each user and sends one call at a time, so seq grows per user.
            ids.forEach(id -> ledger.upserts.computeIfAbsent(id, k -> new long[] {0, 0})[1] = seq);
            Response r = admin.post("/users", json("users", users));
            if (answered(ledger, "upsert " + ids, r)) {
                ids.forEach(id -> ledger.upserts.get(id)[0] = seq);
                ledger.acked(Kind.UPSERT);
            }
        }

        private static boolean answered(Ledger ledger, String what, Response r) {
            if (r.status() / 100 == 2) {
                return true;
            }
            ledger.badAnswers.add(what + ": " + r);
            return false;
        }

        /** Stops the writers still running and waits for them (each request times out in 10 s). */
        @Override
        public void close() {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not end");
                }
            }
        }
    }

    // ---- what a restarted server holds

    static final class Violations {
        final List<String> lost = new ArrayList<>();
        final List<String> duplicated = new ArrayList<>();
        final List<String> upserts = new ArrayList<>();
        final List<String> replyCounts = new ArrayList<>();
        final List<String> messageCounts = new ArrayList<>();
        final List<String> reactionCounts = new ArrayList<>();
    }

    /** Reads everything back from the restarted server and adds what does not hold to {@code v}. */
    private static void check(RestClient admin, Ledger ledger, Violations v, String when) {
        Map<String, JsonNode> stored = new HashMap<>();
        Map<String, String> parentOf = new HashMap<>();
        Map<String, String> channelOf = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        List<String> topLevel = new ArrayList<>();
        for (String channel : CHANNELS) {
            int inChannel = 0;
            int messageCount = -1;
            String before = null;
            while (true) {
                ObjectNode messages = json("limit", 300);
                if (before != null) {
                    messages.put("id_lt", before);
                }
                Response r = admin.post(
                        "/channels/messaging/" + channel + "/query", json("state", true, "messages", messages));
                require2xx(r, "query " + channel);
                if (messageCount < 0) {
                    messageCount =
                            r.body().path("channel").path("message_count").asInt(-1);
                }
                JsonNode page = r.body().path("messages");
                for (JsonNode m : page) {
                    String id = m.path("id").asText();
                    seen.merge(id, 1, Integer::sum);
                    stored.put(id, m);
                    channelOf.put(id, channel);
                    topLevel.add(id);
                    inChannel++;
                }
                if (page.size() < 300) {
                    break;
                }
                before = page.get(0).path("id").asText();
            }
            if (messageCount != inChannel) {
                v.messageCounts.add(
                        when + ": " + channel + " message_count " + messageCount + ", messages stored " + inChannel);
            }
        }
        for (String parent : topLevel) {
            int replies = 0;
            String before = null;
            while (true) {
                Response r = admin.get(
                        "/messages/" + parent + "/replies?limit=300" + (before == null ? "" : "&id_lt=" + before));
                require2xx(r, "replies of " + parent);
                JsonNode page = r.body().path("messages");
                for (JsonNode m : page) {
                    String id = m.path("id").asText();
                    seen.merge(id, 1, Integer::sum);
                    stored.put(id, m);
                    parentOf.put(id, parent);
                    channelOf.put(id, channelOf.get(parent));
                    replies++;
                }
                if (page.size() < 300) {
                    break;
                }
                before = page.get(0).path("id").asText();
            }
            int count = stored.get(parent).path("reply_count").asInt(0);
            if (count != replies) {
                v.replyCounts.add(when + ": " + parent + " reply_count " + count + ", replies stored " + replies);
            }
        }
        seen.forEach((id, n) -> {
            if (n > 1) {
                v.duplicated.add(when + ": " + id + " listed " + n + " times");
            }
        });
        Map<String, Integer> texts = new HashMap<>();
        stored.values().forEach(m -> texts.merge(m.path("text").asText(), 1, Integer::sum));
        texts.forEach((text, n) -> {
            if (n > 1) {
                v.duplicated.add(when + ": text '" + text + "' stored " + n + " times");
            }
        });
        for (Sent s : ledger.messages.values()) {
            if (!stored.containsKey(s.id())) {
                v.lost.add(when + ": " + (s.parentId() == null ? "message " : "reply ") + s.id());
            } else if (!s.channel().equals(channelOf.get(s.id()))
                    || !java.util.Objects.equals(s.parentId(), parentOf.get(s.id()))
                    || !s.id().equals(stored.get(s.id()).path("text").asText())) {
                v.lost.add(when + ": " + s.id() + " stored elsewhere or changed: " + stored.get(s.id()));
            }
        }

        Set<String> reactions = new java.util.HashSet<>();
        for (Map.Entry<String, JsonNode> e : stored.entrySet()) {
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, Integer> scores = new TreeMap<>();
            Response r = admin.get("/messages/" + e.getKey() + "/reactions?limit=300");
            require2xx(r, "reactions of " + e.getKey());
            for (JsonNode reaction : r.body().path("reactions")) {
                String type = reaction.path("type").asText();
                counts.merge(type, 1, Integer::sum);
                scores.merge(type, reaction.path("score").asInt(), Integer::sum);
                reactions.add(e.getKey() + "\n" + reaction.path("user_id").asText() + "\n" + type);
            }
            Map<String, Integer> storedCounts = ints(e.getValue().path("reaction_counts"));
            Map<String, Integer> storedScores = ints(e.getValue().path("reaction_scores"));
            if (!storedCounts.equals(counts) || !storedScores.equals(scores)) {
                v.reactionCounts.add(when + ": " + e.getKey() + " reaction_counts " + storedCounts + " scores "
                        + storedScores + ", reactions stored " + counts + " scores " + scores);
            }
        }
        for (String acked : ledger.reactions) {
            if (!reactions.contains(acked)) {
                v.lost.add(when + ": reaction " + acked.replace('\n', '/'));
            }
        }

        List<String> upserted = new ArrayList<>(ledger.upserts.keySet());
        if (!upserted.isEmpty()) {
            ObjectNode payload = json("filter_conditions", json("id", json("$in", upserted)), "limit", 100);
            Response r = admin.getPayload("/users", payload);
            require2xx(r, "query users");
            Map<String, Long> seqs = new LinkedHashMap<>();
            r.body()
                    .path("users")
                    .forEach(u -> seqs.put(u.path("id").asText(), u.path("seq").asLong(0)));
            ledger.upserts.forEach((id, acked) -> {
                Long seq = seqs.get(id);
                if (acked[0] > 0 && (seq == null || seq < acked[0] || seq > acked[1])) {
                    v.upserts.add(when + ": " + id + " seq " + seq + ", last acknowledged " + acked[0] + ", last sent "
                            + acked[1]);
                }
            });
        }
    }

    private static Map<String, Integer> ints(JsonNode object) {
        Map<String, Integer> out = new TreeMap<>();
        object.properties().forEach(e -> {
            if (e.getValue().asInt() != 0) {
                out.put(e.getKey(), e.getValue().asInt());
            }
        });
        return out;
    }

    private static void require2xx(Response r, String what) {
        if (r.status() / 100 != 2) {
            throw new AssertionError(what + " after a restart: " + r);
        }
    }
}
