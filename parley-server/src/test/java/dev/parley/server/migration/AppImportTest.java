package dev.parley.server.migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.ChatRows;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parley import} of a whole app in the import format (PROTOCOL.md §17), on the store of this test run
 * (embedded, or PostgreSQL in the build's second run): every record type read back through the REST API, a
 * second run that changes nothing, a per-record report of a bad file with nothing written by a dry run, and a
 * 200,000-message file imported by a process with a small heap.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class AppImportTest {
    @TempDir
    Path dir;

    private final List<TestServer> servers = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void close() {
        servers.reversed().forEach(TestServer::close);
    }

    /** A stopped server: its data (folder, and schema on PostgreSQL) exists, and nothing uses it. */
    private TestServer stopped() {
        TestServer s = TestServer.start();
        servers.add(s);
        s.server().close();
        return s;
    }

    private TestServer restart(TestServer previous) {
        TestServer s = TestServer.restartOnDataOf(previous, b -> {});
        servers.add(s);
        return s;
    }

    private AppImport.Result importInto(ServerConfig config, Path file, AppImport.Options options) {
        try (Store store = Stores.open(config.databaseUrl(), config.dataDir())) {
            return new AppImport(
                            store,
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8),
                            false)
                    .run(file, options);
        }
    }

    private <T> T withStore(ServerConfig config, java.util.function.Function<Store, T> read) {
        try (Store store = Stores.open(config.databaseUrl(), config.dataDir())) {
            return read.apply(store);
        }
    }

    private static final List<String> APP = List.of(
            "{\"type\":\"user\",\"item\":{\"id\":\"ann\",\"name\":\"Ann\",\"created_at\":\"2024-01-01T00:00:00Z\","
                    + "\"user_mutes\":[\"bob\"],\"channel_mutes\":[\"messaging:general\"],"
                    + "\"push_notifications\":{\"disabled\":true}}}",
            "{\"type\":\"user\",\"item\":{\"id\":\"bob\",\"name\":\"Bob\",\"teams\":[\"red\"],"
                    + "\"created_at\":\"2024-01-01T00:00:00Z\"}}",
            "{\"type\":\"user\",\"item\":{\"id\":\"cat\",\"name\":\"Cat\",\"created_at\":\"2024-01-01T00:00:00Z\"}}",
            "{\"type\":\"channel\",\"item\":{\"id\":\"general\",\"type\":\"messaging\",\"created_by\":\"ann\","
                    + "\"name\":\"General\",\"topic\":\"all\",\"created_at\":\"2024-01-02T00:00:00Z\"}}",
            "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"general\",\"user_id\":\"ann\","
                    + "\"is_moderator\":true,\"last_read\":\"2024-01-03T00:00:05Z\",\"created_at\":\"2024-01-02T00:00:00Z\"}}",
            "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"general\",\"user_id\":\"bob\","
                    + "\"last_read\":\"2024-01-02T00:00:00Z\",\"created_at\":\"2024-01-02T00:00:00Z\"}}",
            "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"general\",\"user_id\":\"cat\","
                    + "\"invited\":true,\"last_read\":\"2024-01-09T00:00:00Z\",\"created_at\":\"2024-01-02T00:00:00Z\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m1\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"ann\",\"text\":\"hello @bob\",\"mentioned_users_ids\":[\"bob\"],"
                    + "\"created_at\":\"2024-01-03T00:00:00Z\",\"attachments\":[{\"type\":\"image\","
                    + "\"image_url\":\"https://example.com/a.png\"}],\"pinned_at\":\"2024-01-03T00:00:01Z\","
                    + "\"pinned_by_id\":\"ann\",\"priority\":\"high\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m2\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"bob\",\"text\":\"reply one\",\"parent_id\":\"m1\",\"created_at\":\"2024-01-03T00:00:02Z\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m3\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"cat\",\"text\":\"reply shown\",\"parent_id\":\"m1\",\"show_in_channel\":true,"
                    + "\"created_at\":\"2024-01-03T00:00:03Z\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m4\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"bob\",\"text\":\"edited\",\"created_at\":\"2024-01-03T00:00:04Z\","
                    + "\"updated_at\":\"2024-01-03T01:00:00Z\",\"message_text_updated_at\":\"2024-01-03T01:00:00Z\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m5\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"bob\",\"text\":\"gone\",\"type\":\"deleted\",\"created_at\":\"2024-01-03T00:00:06Z\","
                    + "\"deleted_at\":\"2024-01-03T02:00:00Z\"}}",
            "{\"type\":\"message\",\"item\":{\"id\":\"m6\",\"channel_type\":\"messaging\",\"channel_id\":\"general\","
                    + "\"user\":\"cat\",\"text\":\"after ann read\",\"created_at\":\"2024-01-03T00:00:07Z\"}}",
            "{\"type\":\"reaction\",\"item\":{\"message_id\":\"m1\",\"user_id\":\"bob\",\"type\":\"like\","
                    + "\"created_at\":\"2024-01-03T00:00:10Z\"}}",
            "{\"type\":\"reaction\",\"item\":{\"message_id\":\"m1\",\"user_id\":\"cat\",\"type\":\"love\",\"score\":2,"
                    + "\"created_at\":\"2024-01-03T00:00:11Z\"}}",
            "{\"type\":\"device\",\"item\":{\"id\":\"dev-1\",\"user_id\":\"ann\",\"push_provider_type\":\"firebase\","
                    + "\"created_at\":\"2024-01-01T00:00:00Z\"}}");

    private Path write(String name, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** The same records as a pretty JSON array: one record over several lines. */
    private Path writeArray(String name, List<String> records) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(
                file, "[\n  " + String.join(",\n  ", records).replace(",\"item\":", ",\n   \"item\":") + "\n]\n");
        return file;
    }

    private static List<String> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.path("id").asText())
                .toList();
    }

    @Test
    void everyRecordTypeIsImportedAndReadBackAsStreamsSdkWouldWithNoEventsAndNoActiveUsers() throws IOException {
        TestServer before = stopped();
        AppImport.Result r = importInto(before.config(), write("app.jsonl", APP), AppImport.Options.defaults());
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(r.records()).isEqualTo(APP.size());
        assertThat(r.bad()).isZero();
        withStore(before.config(), store -> {
            assertThat(store.countActiveUsers(YearMonth.now(ZoneOffset.UTC))).isZero();
            assertThat(store.chat().eventsSince(List.of("messaging:general"), "ann", Instant.EPOCH, 10))
                    .isEmpty();
            assertThat(store.moderation().userMutes("ann", Instant.now()))
                    .extracting(m -> m.targetId())
                    .containsExactly("bob");
            assertThat(store.moderation().channelMutes("ann", Instant.now()))
                    .extracting(m -> m.cid())
                    .containsExactly("messaging:general");
            assertThat(store.push().preferences(List.of("ann"), null))
                    .extracting(p -> p.chatLevel())
                    .containsExactly("none");
            return null;
        });

        TestServer s = restart(before);
        RestClient ann = RestClient.user(s, "ann");
        JsonNode q = ann.post("/channels/messaging/general/query", RestClient.json("state", true))
                .body();
        assertThat(q.path("channel").path("name").asText()).isEqualTo("General");
        assertThat(q.path("channel").path("topic").asText()).isEqualTo("all");
        assertThat(q.path("channel").path("member_count").asInt()).isEqualTo(3);
        assertThat(ids(q.path("messages"))).containsExactly("m1", "m3", "m4", "m5", "m6");
        JsonNode m1 = q.path("messages").get(0);
        assertThat(m1.path("reply_count").asInt()).isEqualTo(2);
        assertThat(m1.path("reaction_counts").path("like").asInt()).isEqualTo(1);
        assertThat(m1.path("reaction_scores").path("love").asInt()).isEqualTo(2);
        assertThat(m1.path("latest_reactions")).hasSize(2);
        assertThat(m1.path("pinned").asBoolean()).isTrue();
        assertThat(m1.path("pinned_by").path("id").asText()).isEqualTo("ann");
        assertThat(m1.path("mentioned_users").get(0).path("id").asText()).isEqualTo("bob");
        assertThat(m1.path("attachments").get(0).path("type").asText()).isEqualTo("image");
        assertThat(m1.path("priority").asText()).isEqualTo("high");
        assertThat(m1.path("user").path("name").asText()).isEqualTo("Ann");
        assertThat(ids(m1.path("thread_participants"))).containsExactly("ann", "bob", "cat");
        assertThat(m1.path("created_at").asText()).startsWith("2024-01-03T00:00:00");
        JsonNode m4 = q.path("messages").get(2);
        assertThat(m4.path("message_text_updated_at").asText()).startsWith("2024-01-03T01:00:00");
        JsonNode m5 = q.path("messages").get(3);
        assertThat(m5.path("type").asText()).isEqualTo("deleted");
        assertThat(m5.path("deleted_at").asText()).startsWith("2024-01-03T02:00:00");
        assertThat(q.path("pinned_messages").get(0).path("id").asText()).isEqualTo("m1");
        Map<String, Integer> unread = new java.util.HashMap<>();
        q.path("read")
                .forEach(rd -> unread.put(
                        rd.path("user").path("id").asText(),
                        rd.path("unread_messages").asInt()));
        assertThat(unread).containsEntry("ann", 1).containsEntry("bob", 3).containsEntry("cat", 0);
        Map<String, JsonNode> members = new java.util.HashMap<>();
        q.path("members").forEach(m -> members.put(m.path("user_id").asText(), m));
        assertThat(members.get("ann").path("channel_role").asText()).isEqualTo("channel_moderator");
        assertThat(members.get("cat").path("invited").asBoolean()).isTrue();

        JsonNode replies = ann.get("/messages/m1/replies").body();
        assertThat(ids(replies.path("messages"))).containsExactly("m2", "m3");
        JsonNode reactions = ann.get("/messages/m1/reactions").body();
        assertThat(reactions.path("reactions"))
                .extracting(n -> n.path("user").path("id").asText())
                .containsExactlyInAnyOrder("bob", "cat");
        JsonNode users = RestClient.server(s)
                .get("/users", Map.of("payload", "{\"filter_conditions\":{\"id\":{\"$in\":[\"ann\",\"bob\"]}}}"))
                .body();
        assertThat(users.path("users"))
                .extracting(u -> u.path("name").asText())
                .containsExactlyInAnyOrder("Ann", "Bob");
        assertThat(users.path("users"))
                .anySatisfy(u -> assertThat(u.path("created_at").asText()).startsWith("2024-01-01"));
        JsonNode devices = ann.get("/devices").body();
        assertThat(ids(devices.path("devices"))).containsExactly("dev-1");
    }

    /** What the import wrote, read straight from the store. */
    private static List<Object> snapshot(Store store) {
        List<Object> rows = new ArrayList<>();
        rows.add(store.findUsers(List.of("ann", "bob", "cat")));
        rows.add(store.chat().findChannel("messaging:general"));
        rows.add(store.chat().members("messaging:general", 100, 0));
        rows.add(store.chat().channelMessages("messaging:general", ChatRows.MessageRange.latest(100)));
        rows.add(store.chat().replies("m1", ChatRows.MessageRange.latest(100)));
        rows.add(store.chat().reactions("m1", 100, 0));
        rows.add(store.chat().thread("m1"));
        rows.add(store.chat().threadParticipants("m1", 100));
        rows.add(store.chat().devices("ann"));
        rows.add(store.moderation().userMutes("ann", Instant.EPOCH));
        rows.add(store.moderation().channelMutes("ann", Instant.EPOCH));
        return rows;
    }

    @Test
    void aSecondRunInEitherModeAndAJsonArrayOfTheSameRecordsChangeNothing() throws IOException {
        TestServer s = stopped();
        Path file = write("app.jsonl", APP);
        importInto(s.config(), file, AppImport.Options.defaults());
        List<Object> first = withStore(s.config(), AppImportTest::snapshot);

        AppImport.Result insert =
                importInto(s.config(), file, new AppImport.Options(AppImport.Mode.INSERT, 1000, false, false));
        assertThat(insert.written()).isZero();
        assertThat(insert.skipped()).isPositive();
        assertThat(withStore(s.config(), AppImportTest::snapshot)).isEqualTo(first);

        AppImport.Result upsert =
                importInto(s.config(), file, new AppImport.Options(AppImport.Mode.UPSERT, 3, false, false));
        assertThat(upsert.bad()).isZero();
        assertThat(withStore(s.config(), AppImportTest::snapshot)).isEqualTo(first);

        Path array = writeArray("app.json", APP);
        array.toFile().setLastModified(file.toFile().lastModified());
        AppImport.Result again = importInto(s.config(), array, AppImport.Options.defaults());
        assertThat(again.records()).isEqualTo(APP.size());
        assertThat(again.bad()).isZero();
        assertThat(withStore(s.config(), AppImportTest::snapshot)).isEqualTo(first);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anInterruptedImportResumesAfterItsCheckpointWithTheMutesThatWaitedAndEndsAsOneRunWould() throws IOException {
        Path file = write("app.jsonl", APP);
        TestServer once = stopped();
        importInto(once.config(), file, AppImport.Options.defaults());
        List<Object> expected = withStore(once.config(), AppImportTest::snapshot);

        TestServer twice = stopped();
        AppImport.Result first =
                importInto(twice.config(), file, new AppImport.Options(AppImport.Mode.UPSERT, 2, false, false, 5));
        assertThat(first.complete()).isFalse();
        Path checkpoint = file.resolveSibling("app.jsonl" + AppImport.CHECKPOINT_SUFFIX);
        assertThat(checkpoint).exists();
        assertThat(Files.readString(checkpoint)).contains("\"ordinal\":5").contains("messaging:general");
        withStore(twice.config(), store -> {
            assertThat(store.chat().findChannel("messaging:general")).isPresent();
            assertThat(store.moderation().userMutes("ann", Instant.EPOCH)).isEmpty();
            return null;
        });

        AppImport.Result rest = importInto(twice.config(), file, AppImport.Options.defaults());
        assertThat(rest.complete()).isTrue();
        assertThat(rest.bad()).isZero();
        assertThat(checkpoint).doesNotExist();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("resuming after record 5");
        assertThat(withStore(twice.config(), AppImportTest::snapshot)).isEqualTo(expected);
    }

    @Test
    void aBadFileIsReportedRecordByRecordWithLineAndFieldAndAValidateOnlyRunWritesNothing() throws IOException {
        TestServer s = stopped();
        List<String> lines = new ArrayList<>(APP);
        lines.add(2, "{\"type\":\"user\",\"item\":{\"id\":\"not valid!\"}}"); // line 3
        lines.add(
                3,
                "{\"type\":\"message\",\"item\":{\"id\":\"early\",\"channel_type\":\"messaging\","
                        + "\"channel_id\":\"general\",\"user\":\"ann\"}}"); // before its channel: line 4
        lines.add(6, "{\"type\":\"channel\",\"item\":{\"id\":\"x\",\"type\":\"messaging\",\"created_by\":\"nobody\"}}");
        lines.add("{\"type\":\"message\",\"item\":{\"id\":\"orphan\",\"channel_type\":\"messaging\","
                + "\"channel_id\":\"general\",\"user\":\"bob\",\"parent_id\":\"nope\"}}");
        lines.add("{\"type\":\"message\",\"item\":{\"id\":\"nested\",\"channel_type\":\"messaging\","
                + "\"channel_id\":\"general\",\"user\":\"bob\",\"parent_id\":\"m2\"}}");
        lines.add("{\"type\":\"reaction\",\"item\":{\"message_id\":\"m1\",\"user_id\":\"bob\"}}");
        lines.add("{\"type\":\"poll\",\"item\":{}}");
        lines.add("{\"type\":\"message\",\"item\": broken");
        lines.add("{\"type\":\"message\",\"item\":{\"id\":\"del\",\"channel_type\":\"messaging\","
                + "\"channel_id\":\"general\",\"user\":\"bob\",\"type\":\"deleted\"}}");
        Path file = write("bad.jsonl", lines);
        int n = APP.size() + 3;

        AppImport.Result r =
                importInto(s.config(), file, new AppImport.Options(AppImport.Mode.UPSERT, 1000, false, true));
        String report = err.toString(StandardCharsets.UTF_8);
        assertThat(report.lines().toList())
                .containsExactly(
                        "bad.jsonl:3: user.id: not a valid user id (expected 1-255 characters of a-z, A-Z, 0-9, @, _ and -)",
                        "bad.jsonl:4: message.channel_id: channel 'messaging:general' is neither earlier in the file nor stored",
                        "bad.jsonl:7: channel.created_by: user 'nobody' is neither earlier in the file nor stored",
                        "bad.jsonl:" + (n + 1)
                                + ": message.parent_id: message 'nope' is neither earlier in the file nor stored",
                        "bad.jsonl:" + (n + 2) + ": message.parent_id: message 'm2' is a reply: threads have one level",
                        "bad.jsonl:" + (n + 3) + ": reaction.type: required",
                        "bad.jsonl:" + (n + 4)
                                + ": type: unknown record type 'poll' (expected: user, channel, member, message, reaction or device)",
                        "bad.jsonl:" + (n + 5) + ": record: not valid JSON: Unrecognized token 'broken': was expecting"
                                + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                        "bad.jsonl:" + (n + 6) + ": message.deleted_at: required when type is deleted");
        assertThat(r.bad()).isEqualTo(9);
        assertThat(r.written()).isZero();
        withStore(s.config(), store -> {
            assertThat(store.findUsers(List.of("ann", "bob", "cat"))).isEmpty();
            assertThat(store.chat().findChannel("messaging:general")).isEmpty();
            return null;
        });
        assertThat(Files.exists(file.resolveSibling("bad.jsonl" + AppImport.CHECKPOINT_SUFFIX)))
                .isFalse();

        err.reset();
        AppImport.Result real = importInto(s.config(), file, AppImport.Options.defaults());
        assertThat(real.bad()).isEqualTo(9);
        withStore(s.config(), store -> {
            assertThat(store.findUsers(List.of("ann", "bob", "cat"))).hasSize(3);
            assertThat(store.chat().findMessage("m6")).isPresent();
            assertThat(store.chat().findMessage("orphan")).isEmpty();
            return null;
        });
    }

    /** A generated app: 20 users, 4 channels with every user a member, and {@code messages} messages (1 in 10 a reply, 1 in 7 with a reaction). */
    private Path generated(int messages) throws IOException {
        Path file = dir.resolve("big.json");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("[\n");
            Consumer<String> rec = line -> {
                try {
                    w.write(line);
                    w.write(",\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            for (int u = 0; u < 20; u++) {
                rec.accept("{\"type\":\"user\",\"item\":{\"id\":\"u" + u + "\",\"name\":\"User " + u
                        + "\",\"created_at\":\"2024-01-01T00:00:00Z\"}}");
            }
            for (int c = 0; c < 4; c++) {
                rec.accept("{\"type\":\"channel\",\"item\":{\"id\":\"c" + c + "\",\"type\":\"messaging\","
                        + "\"created_by\":\"u0\",\"created_at\":\"2024-01-01T00:00:00Z\"}}");
                for (int u = 0; u < 20; u++) {
                    rec.accept("{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"c" + c
                            + "\",\"user_id\":\"u" + u + "\",\"created_at\":\"2024-01-01T00:00:00Z\","
                            + "\"last_read\":\"2030-01-01T00:00:00Z\"}}");
                }
            }
            Instant t0 = Instant.parse("2024-02-01T00:00:00Z");
            for (int i = 0; i < messages; i++) {
                int c = i % 4;
                String parent = i % 10 == 9 ? ",\"parent_id\":\"g" + (i - 5) + "\"" : "";
                rec.accept("{\"type\":\"message\",\"item\":{\"id\":\"g" + i + "\",\"channel_type\":\"messaging\","
                        + "\"channel_id\":\"c" + (i % 10 == 9 ? (i - 5) % 4 : c) + "\",\"user\":\"u" + (i % 20)
                        + "\",\"text\":\"message number " + i + " of the generated history, "
                        + "long enough to make a file"
                        + " larger than the heap of the process that imports it\",\"created_at\":\""
                        + t0.plusMillis(i * 10L) + "\"" + parent + "}}");
                if (i % 7 == 0) {
                    rec.accept("{\"type\":\"reaction\",\"item\":{\"message_id\":\"g" + i + "\",\"user_id\":\"u"
                            + ((i + 1) % 20) + "\",\"type\":\"like\",\"created_at\":\"" + t0.plusMillis(i * 10L + 5)
                            + "\"}}");
                }
            }
            w.write("{\"type\":\"device\",\"item\":{\"id\":\"d0\",\"user_id\":\"u0\",\"push_provider_type\":\"apn\","
                    + "\"created_at\":\"2024-01-01T00:00:00Z\"}}\n]\n");
        }
        return file;
    }

    @Test
    void twoHundredThousandMessagesImportInAProcessWithASmallHeap() throws Exception {
        TestServer s = stopped();
        Path file = generated(200_000);
        assertThat(Files.size(file)).isGreaterThan(48L << 20); // more than the importing process's whole heap
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.parley.server.app.Main",
                "import",
                file.toString(),
                "--data-dir",
                s.config().dataDir().toString()));
        if (s.config().databaseUrl() != null) {
            cmd.add("--database-url");
            cmd.add(s.config().databaseUrl());
        }
        Path log = dir.resolve("import.log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean ended = p.waitFor(500, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as(output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("0 bad records");
        withStore(s.config(), store -> {
            assertThat(store.chat().findChannel("messaging:c0").orElseThrow().messageCount())
                    .isEqualTo(50_000);
            assertThat(store.chat()
                            .findMessage("g4")
                            .orElseThrow()
                            .doc()
                            .path("reply_count")
                            .asInt())
                    .isEqualTo(1);
            assertThat(store.chat()
                            .findMessage("g199990")
                            .orElseThrow()
                            .doc()
                            .path("reaction_counts")
                            .path("like")
                            .asInt())
                    .isEqualTo(1);
            assertThat(store.countActiveUsers(YearMonth.now(ZoneOffset.UTC))).isZero();
            return null;
        });
    }
}
