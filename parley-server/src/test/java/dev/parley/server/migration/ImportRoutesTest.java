package dev.parley.server.migration;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.store.ImportStore.ImportRow;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's import routes on a running server (PROTOCOL.md §17.5), on the store of this test run: the signed upload
 * URL, the file's PUT, the task's analysis and import, what the running server serves right after, and an import
 * cut short by a stop that resumes when the node starts again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportRoutesTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static TestServer server;
    private final List<TestServer> extra = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeExtra() {
        extra.reversed().forEach(TestServer::close);
    }

    /** An app of two users and one channel with a thread and a reaction, its ids made unique by {@code p}. */
    private static List<String> app(String p, String channel) {
        return List.of(
                "{\"type\":\"user\",\"item\":{\"id\":\"" + p + "ann\",\"name\":\"Ann\"}}",
                "{\"type\":\"user\",\"item\":{\"id\":\"" + p + "bob\",\"name\":\"Bob\"}}",
                "{\"type\":\"channel\",\"item\":{\"id\":\"" + channel + "\",\"type\":\"messaging\",\"created_by\":\""
                        + p + "ann\",\"name\":\"Imported\"}}",
                "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"" + channel
                        + "\",\"user_id\":\"" + p + "ann\"}}",
                "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"" + channel
                        + "\",\"user_id\":\"" + p + "bob\"}}",
                "{\"type\":\"message\",\"item\":{\"id\":\"" + p
                        + "m1\",\"channel_type\":\"messaging\",\"channel_id\":\""
                        + channel + "\",\"user\":\"" + p + "ann\",\"text\":\"first\","
                        + "\"created_at\":\"2024-01-03T00:00:00Z\"}}",
                "{\"type\":\"message\",\"item\":{\"id\":\"" + p
                        + "m2\",\"channel_type\":\"messaging\",\"channel_id\":\""
                        + channel + "\",\"user\":\"" + p + "bob\",\"text\":\"a reply\",\"parent_id\":\"" + p + "m1\","
                        + "\"created_at\":\"2024-01-03T00:00:01Z\"}}",
                "{\"type\":\"reaction\",\"item\":{\"message_id\":\"" + p + "m1\",\"user_id\":\"" + p
                        + "bob\",\"type\":\"like\"}}");
    }

    private static byte[] lines(List<String> records) {
        return (String.join("\n", records) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode importUrl(TestServer s, String fileName) {
        RestClient.Response r = RestClient.server(s).post("/import_urls", json("filename", fileName));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    /** The PUT a client makes to the upload URL: the bytes alone, no key and no token. */
    private static HttpResponse<String> put(String url, byte[] body) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode finished(TestServer s, String id) {
        RestClient admin = RestClient.server(s);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            String state = admin.get("/imports/" + id)
                    .body()
                    .path("import_task")
                    .path("state")
                    .asText();
            return state.equals("completed")
                    || state.equals("analyzing_failed")
                    || state.equals("importing_failed")
                    || state.equals("failed");
        });
        return admin.get("/imports/" + id).body().path("import_task");
    }

    @Test
    void aFileUploadedToItsSignedUrlIsAnalysedImportedAndServedAtOnceByTheRunningServer() {
        String p = Seed.uid("i") + "-";
        String channel = Seed.uid("imp");
        // The channel exists and has been read before the import, so the server holds its row and roster.
        Seed.users(server, json("id", p + "ann"));
        Seed.messaging(server, p + "ann", channel, p + "ann");
        RestClient ann = RestClient.user(server, p + "ann");
        JsonNode before = ann.post("/channels/messaging/" + channel + "/query", json("state", true))
                .body();
        assertThat(before.path("channel").path("member_count").asInt()).isEqualTo(1);

        JsonNode url = importUrl(server, "app.jsonl");
        assertThat(url.path("path").asText()).endsWith("/app.jsonl");
        HttpResponse<String> put = put(url.path("upload_url").asText(), lines(app(p, channel)));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        RestClient.Response created = RestClient.server(server)
                .post("/imports", json("path", url.path("path").asText(), "mode", "upsert"));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode task = created.body().path("import_task");
        assertThat(task.path("state").asText()).isEqualTo("uploaded");
        assertThat(task.path("size").asLong()).isEqualTo(lines(app(p, channel)).length);

        JsonNode done = finished(server, task.path("id").asText());

        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("result").path("records").asInt()).isEqualTo(8);
        assertThat(done.path("result").path("bad").asInt()).isZero();
        assertThat(done.path("history"))
                .extracting(h -> h.path("next_state").asText())
                .containsExactly("uploaded", "analyzing", "importing", "completed");
        JsonNode after = ann.post("/channels/messaging/" + channel + "/query", json("state", true))
                .body();
        assertThat(after.path("channel").path("name").asText()).isEqualTo("Imported");
        assertThat(after.path("channel").path("member_count").asInt()).isEqualTo(2);
        assertThat(after.path("messages")).hasSize(1);
        JsonNode m1 = after.path("messages").get(0);
        assertThat(m1.path("reply_count").asInt()).isEqualTo(1);
        assertThat(m1.path("reaction_counts").path("like").asInt()).isEqualTo(1);
        assertThat(RestClient.server(server).get("/imports").body().path("import_tasks"))
                .extracting(t -> t.path("id").asText())
                .contains(task.path("id").asText());
    }

    @Test
    void aFileWithABadRecordFailsItsAnalysisWithLineAndFieldAndNothingIsWritten() {
        String p = Seed.uid("b") + "-";
        String channel = Seed.uid("bad");
        List<String> records = new ArrayList<>(app(p, channel));
        records.add(
                3,
                "{\"type\":\"message\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"" + channel
                        + "\",\"user\":\"" + p + "ann\",\"text\":\"no id\"}}");
        JsonNode url = importUrl(server, "bad.jsonl");
        assertThat(put(url.path("upload_url").asText(), lines(records)).statusCode())
                .isEqualTo(200);
        String id = RestClient.server(server)
                .post("/imports", json("path", url.path("path").asText()))
                .body()
                .path("import_task")
                .path("id")
                .asText();

        JsonNode done = finished(server, id);

        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("analyzing_failed");
        assertThat(done.path("result").path("bad").asInt()).isEqualTo(1);
        JsonNode error = done.path("result").path("errors").get(0);
        assertThat(error.path("line").asInt()).isEqualTo(4);
        assertThat(error.path("field").asText()).isEqualTo("message.id");
        RestClient.Response user = RestClient.server(server)
                .get("/users", Map.of("payload", "{\"filter_conditions\":{\"id\":\"" + p + "ann\"}}"));
        assertThat(user.body().path("users")).isEmpty();
    }

    @Test
    void theUploadUrlAdmitsOnlyItsOwnSignatureAndTheRoutesRefuseWhatTheyCannotDo() {
        JsonNode url = importUrl(server, "refused.jsonl");
        String upload = url.path("upload_url").asText();
        String path = url.path("path").asText();

        int at = upload.indexOf("signature=") + "signature=".length();
        char other = upload.charAt(at) == '0' ? '1' : '0'; // a signature that differs in its first character
        String tamperedUrl = upload.substring(0, at) + other + upload.substring(at + 1);
        HttpResponse<String> tampered = put(tamperedUrl, lines(List.of("{}")));
        assertThat(tampered.statusCode()).isEqualTo(403);
        assertThat(tampered.body()).contains("\"code\":17");
        HttpResponse<String> unsigned = put(upload.substring(0, upload.indexOf('?')), lines(List.of("{}")));
        assertThat(unsigned.statusCode()).isEqualTo(403);

        RestClient admin = RestClient.server(server);
        RestClient.Response early = admin.post("/imports", json("path", path));
        assertThat(early.code()).as(early.toString()).isEqualTo(4);
        assertThat(early.message()).contains("has not been uploaded");
        assertThat(admin.post("/imports", json("path", "imports/nothing/here.json"))
                        .code())
                .isEqualTo(16);
        assertThat(admin.post("/imports", json("path", path, "mode", "merge")).code())
                .isEqualTo(4);
        assertThat(admin.post("/import_urls", json("filename", "../up.json")).code())
                .isEqualTo(4);
        assertThat(admin.get("/imports/" + Seed.uid("none")).code()).isEqualTo(16);
        assertThat(admin.get("/imports", Map.of("limit", "1000")).code()).isEqualTo(4);

        RestClient.Response asUser = RestClient.user(server, Seed.uid("u")).post("/import_urls", json("filename", "a"));
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.code()).isEqualTo(17);

        assertThat(put(upload, lines(List.of("{}"))).statusCode()).isEqualTo(200);
        assertThat(admin.post("/imports", json("path", path)).status()).isEqualTo(200);
        HttpResponse<String> again = put(upload, lines(List.of("{}")));
        assertThat(again.statusCode())
                .as("a file whose import has begun is not replaced")
                .isEqualTo(400);
        assertThat(admin.post("/imports", json("path", path)).message()).contains("imported already");
    }

    @Test
    void anImportCutShortByAStopResumesWhenTheNodeStartsAgain() throws IOException {
        TestServer first = TestServer.start();
        extra.add(first);
        String p = Seed.uid("r") + "-";
        String channel = Seed.uid("resume");
        JsonNode url = importUrl(first, "resume.jsonl");
        assertThat(put(url.path("upload_url").asText(), lines(app(p, channel))).statusCode())
                .isEqualTo(200);
        String id = url.path("path").asText().split("/")[1];
        first.server().close();
        // As a node killed in the middle of an import leaves it: importing, its file on the node's disk.
        try (Store store =
                Stores.open(first.config().databaseUrl(), first.config().dataDir())) {
            ImportRow row = store.imports().find(id).orElseThrow();
            Instant now = Instant.now();
            assertThat(store.imports()
                            .replace(
                                    new ImportRow(
                                            row.id(),
                                            row.path(),
                                            row.fileName(),
                                            "upsert",
                                            "importing",
                                            row.size(),
                                            row.node(),
                                            now,
                                            now,
                                            "[]",
                                            null),
                                    "file_received"))
                    .isTrue();
        }
        assertThat(Files.exists(first.config().dataDir().resolve("imports").resolve(id)))
                .isTrue();

        TestServer second = TestServer.restartOnDataOf(first, b -> {});
        extra.add(second);
        JsonNode done = finished(second, id);

        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("result").path("records").asInt()).isEqualTo(8);
        JsonNode q = RestClient.user(second, p + "ann")
                .post("/channels/messaging/" + channel + "/query", json("state", true))
                .body();
        assertThat(q.path("messages")).hasSize(1);
        assertThat(Files.exists(first.config().dataDir().resolve("imports").resolve(id)))
                .as("a finished import's file is deleted")
                .isFalse();
    }
}
