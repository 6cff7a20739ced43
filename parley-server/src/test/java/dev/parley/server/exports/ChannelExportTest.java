package dev.parley.server.exports;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.migration.AppImport;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.store.TaskStore;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel and user exports as tasks (PROTOCOL.md §17.6), on the store of this test run (embedded, or PostgreSQL in
 * the build's second run): a populated server exported, its file downloaded through the signed link and imported
 * into a fresh store of the same kind and of the other kind, and the servers compared through the API; the errors of each route; the
 * signed link tampered with and expired; and a task that a stopped server left running, taken up by the next start.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelExportTest {
    @TempDir
    Path dir;

    private final List<TestServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.reversed().forEach(TestServer::close);
    }

    private TestServer started() {
        TestServer s = TestServer.start();
        servers.add(s);
        return s;
    }

    private static String send(TestServer s, String as, String channel, ObjectNode message) {
        RestClient.Response r =
                RestClient.user(s, as).post("/channels/messaging/" + channel + "/message", json("message", message));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body().path("message").path("id").asText();
    }

    private static void ok(RestClient.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** Waits for the task to end and answers its status. */
    private static JsonNode finished(TestServer s, String path) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    RestClient.Response r = RestClient.server(s).get(path);
                    last.set(r.body());
                    String status = r.body().path("status").asText();
                    return status.equals("completed") || status.equals("failed");
                });
        return last.get();
    }

    private static HttpResponse<String> download(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    /** The app of the round trip: ann, bob and cat in three channels, with every kind of message state. */
    private record App(List<String> users, List<String> channels, String thread, String deleted) {}

    private static App populate(TestServer s) {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String cat = Seed.uid("cat");
        ok(Seed.users(
                s,
                json("id", ann, "name", "Ann", "color", "red"),
                json("id", bob, "name", "Bob", "teams", List.of("blue")),
                json("id", cat, "name", "Cat", "role", "admin")));
        String one = Seed.uid("one");
        String two = Seed.uid("two");
        String three = Seed.uid("three");
        ok(RestClient.user(s, ann)
                .post(
                        "/channels/messaging/" + one + "/query",
                        json("data", json("members", List.of(ann, bob, cat), "name", "One", "topic", "all"))));
        ok(Seed.messaging(s, bob, two, ann, bob));
        ok(Seed.messaging(s, cat, three, cat, bob));

        String first =
                send(s, ann, one, json("text", "hello @" + bob, "mentioned_users", List.of(bob), "mood", "sunny"));
        String reply = send(s, bob, one, json("text", "a reply", "parent_id", first));
        send(s, cat, one, json("text", "a shown reply", "parent_id", first, "show_in_channel", true));
        String edited = send(s, bob, one, json("text", "before the edit"));
        ok(RestClient.user(s, bob).post("/messages/" + edited, json("message", json("text", "after the edit"))));
        String gone = send(s, cat, one, json("text", "deleted later"));
        ok(RestClient.user(s, cat).delete("/messages/" + gone));
        String pinned = send(
                s,
                ann,
                one,
                json(
                        "text",
                        "pin me",
                        "attachments",
                        List.of(json("type", "image", "image_url", "https://e.x/a.png"))));
        ok(RestClient.user(s, ann)
                .post(
                        "/messages/" + pinned,
                        json(
                                "message",
                                json(
                                        "text",
                                        "pin me",
                                        "pinned",
                                        true,
                                        "attachments",
                                        List.of(json("type", "image", "image_url", "https://e.x/a.png"))))));
        send(s, ann, one, json("text", "quoting", "quoted_message_id", first));
        for (String[] r :
                new String[][] {{bob, first, "like"}, {cat, first, "love"}, {ann, pinned, "like"}, {bob, reply, "wow"}
                }) {
            ok(RestClient.user(s, r[0]).post("/messages/" + r[1] + "/reaction", json("reaction", json("type", r[2]))));
        }
        ok(RestClient.user(s, ann)
                .post("/messages/" + first + "/reaction", json("reaction", json("type", "like", "score", 3))));
        ok(RestClient.user(s, bob).post("/channels/messaging/" + one + "/read", json()));
        send(s, ann, one, json("text", "unread by bob"));
        send(s, bob, two, json("text", "in two"));
        send(s, ann, two, json("text", "back in two"));
        ok(RestClient.user(s, ann).post("/channels/messaging/" + two + "/read", json()));
        send(s, cat, three, json("text", "in three"));
        return new App(List.of(ann, bob, cat), List.of(one, two, three), first, gone);
    }

    /** What the API shows of the app to each of its users: channels, members, reads, pages, threads, unread counts. */
    private static ObjectNode view(TestServer s, App app) {
        ObjectNode out = Json.object();
        List<String> cids = app.channels().stream().map(c -> "messaging:" + c).toList();
        for (String user : app.users()) {
            RestClient.Response q = RestClient.user(s, user)
                    .post(
                            "/channels",
                            json(
                                    "filter_conditions",
                                    json("cid", json("$in", cids)),
                                    "sort",
                                    List.of(json("field", "cid", "direction", 1)),
                                    "state",
                                    true,
                                    "message_limit",
                                    100));
            ok(q);
            ArrayNode channels = out.putArray("channels of " + user);
            for (JsonNode c : q.body().path("channels")) {
                ObjectNode ch = channels.addObject();
                JsonNode meta = c.path("channel");
                for (String k : List.of("cid", "name", "topic", "member_count", "created_at", "frozen")) {
                    ch.set(k, meta.path(k));
                }
                ch.set("created_by", meta.path("created_by").path("id"));
                ArrayNode members = ch.putArray("members");
                c.path("members")
                        .forEach(m -> members.addObject()
                                .put("user_id", m.path("user_id").asText())
                                .put("role", m.path("channel_role").asText())
                                .put("created_at", m.path("created_at").asText()));
                ArrayNode reads = ch.putArray("read");
                c.path("read")
                        .forEach(r -> reads.addObject()
                                .put("user", r.path("user").path("id").asText())
                                .put("last_read", r.path("last_read").asText())
                                .put(
                                        "unread_messages",
                                        r.path("unread_messages").asInt()));
                sortBy(reads, "user");
                ArrayNode messages = ch.putArray("messages");
                c.path("messages").forEach(m -> messages.add(message(m)));
                ch.put("pinned", c.path("pinned_messages").size());
            }
            RestClient.Response unread = RestClient.user(s, user).get("/unread");
            ok(unread);
            out.put(
                    "unread of " + user,
                    unread.body().path("total_unread_count").asInt());
            RestClient.Response replies = RestClient.user(s, user).get("/messages/" + app.thread() + "/replies");
            ok(replies);
            ArrayNode r = out.putArray("replies for " + user);
            replies.body().path("messages").forEach(m -> r.add(message(m)));
        }
        RestClient.Response users = RestClient.server(s)
                .getPayload("/users", json("filter_conditions", json("id", json("$in", app.users()))));
        ok(users);
        ArrayNode list = out.putArray("users");
        users.body().path("users").forEach(u -> {
            ObjectNode x = list.addObject();
            for (String k : List.of("id", "name", "role", "teams", "color", "created_at", "updated_at")) {
                x.set(k, u.path(k));
            }
        });
        sortBy(list, "id");
        return out;
    }

    private static ObjectNode message(JsonNode m) {
        ObjectNode x = Json.object();
        for (String k : List.of(
                "id",
                "text",
                "html",
                "type",
                "parent_id",
                "show_in_channel",
                "reply_count",
                "pinned",
                "pinned_at",
                "deleted_at",
                "created_at",
                "updated_at",
                "message_text_updated_at",
                "reaction_counts",
                "reaction_scores",
                "attachments",
                "quoted_message_id",
                "mood")) {
            x.set(k, m.path(k));
        }
        x.set("user", m.path("user").path("name"));
        x.set("pinned_by", m.path("pinned_by").path("id"));
        ArrayNode mentioned = x.putArray("mentioned");
        m.path("mentioned_users").forEach(u -> mentioned.add(u.path("id").asText()));
        ArrayNode latest = x.putArray("latest_reactions");
        m.path("latest_reactions")
                .forEach(r -> latest.add(r.path("user_id").asText() + " "
                        + r.path("type").asText() + " " + r.path("score").asInt()));
        return x;
    }

    private static void sortBy(ArrayNode list, String key) {
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        items.sort(Comparator.comparing(n -> n.path(key).asText()));
        list.removeAll();
        items.forEach(list::add);
    }

    private AppImport.Result importInto(TestServer fresh, Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Store store =
                Stores.open(fresh.config().databaseUrl(), fresh.config().dataDir())) {
            AppImport.Result r = new AppImport(
                            store,
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8),
                            false)
                    .run(file, AppImport.Options.defaults());
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
            return r;
        }
    }

    private static String exportAll(TestServer s, App app) {
        ArrayNode channels = Json.array();
        app.channels().forEach(c -> channels.add(json("type", "messaging", "id", c)));
        RestClient.Response r = RestClient.server(s).post("/export_channels", json("channels", channels));
        ok(r);
        return r.body().path("task_id").asText();
    }

    @Test
    void anExportOfEveryChannelImportedIntoAFreshStoreShowsTheSameChannelsMessagesThreadsReactionsReadsAndUsers()
            throws Exception {
        TestServer source = started();
        App app = populate(source);
        ObjectNode before = view(source, app);
        // The view holds what the round trip must keep, so that the comparison below can fail.
        String ann = app.users().get(0);
        String bob = app.users().get(1);
        JsonNode annsOne = before.path("channels of " + ann).get(0);
        assertThat(before.path("channels of " + ann)).hasSize(2);
        assertThat(annsOne.path("member_count").asInt()).isEqualTo(3);
        assertThat(annsOne.path("pinned").asInt()).isEqualTo(1);
        assertThat(annsOne.path("messages")).hasSizeGreaterThanOrEqualTo(7);
        assertThat(annsOne.toString())
                .contains("\"like\":2", "\"like\":4", "\"mood\":\"sunny\"", "after the edit", "\"deleted\"")
                .contains("\"reply_count\":2", "https://e.x/a.png", "\"quoted_message_id\":\"" + app.thread());
        assertThat(before.path("unread of " + bob).asInt()).isEqualTo(3);
        assertThat(before.path("replies for " + ann)).hasSize(2);
        assertThat(before.path("replies for " + ann).toString()).contains("wow");
        assertThat(before.path("users").toString()).contains("\"color\":\"red\"", "blue", "admin");

        String task = exportAll(source, app);
        JsonNode status = finished(source, "/export_channels/" + task);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
        assertThat(status.path("task_id").asText()).isEqualTo(task);
        String url = status.path("result").path("url").asText();
        assertThat(url).startsWith(source.baseUrl() + "/export_files/" + task + "/");
        assertThat(RestClient.server(source)
                        .get("/tasks/" + task)
                        .body()
                        .path("status")
                        .asText())
                .isEqualTo("completed");

        HttpResponse<String> file = download(url);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<String> lines = file.body().lines().toList();
        List<String> types = lines.stream()
                .map(l -> Json.parseObject(l, "record").path("type").asText())
                .toList();
        assertThat(types.subList(0, 3)).containsOnly("user");
        assertThat(types).doesNotContain("device").contains("channel", "member", "message", "reaction");
        assertThat(types.indexOf("channel")).isGreaterThan(types.lastIndexOf("user"));
        Path saved = dir.resolve("export.ndjson");
        Files.writeString(saved, file.body());

        TestServer fresh = started();
        fresh.server().close();
        AppImport.Result imported = importInto(fresh, saved);
        assertThat(imported.bad()).isZero();
        assertThat(imported.records()).isEqualTo(lines.size());
        TestServer target = TestServer.restartOnDataOf(fresh, b -> {});
        servers.add(target);

        ObjectNode after = view(target, app);
        assertThat(after.toPrettyString()).isEqualTo(before.toPrettyString());

        // The same file into the other store: from the embedded store to PostgreSQL, and the other way round.
        boolean toPostgres = !"postgresql".equals(TestServer.STORE);
        String otherSchema =
                "parley_rt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            TestServer other =
                    TestServer.start(b -> b.databaseUrl(toPostgres ? TestServer.postgresUrl(otherSchema) : null));
            servers.add(other);
            other.server().close();
            assertThat(importInto(other, saved).bad()).isZero();
            TestServer otherTarget = TestServer.restartOnDataOf(other, b -> {});
            servers.add(otherTarget);
            assertThat(otherTarget.config().databaseUrl() != null).isEqualTo(toPostgres);
            assertThat(view(otherTarget, app).toPrettyString()).isEqualTo(before.toPrettyString());
        } finally {
            if (toPostgres) {
                servers.reversed().forEach(TestServer::close);
                servers.clear();
                TestServer.dropSchema(otherSchema);
            }
        }
    }

    @Test
    void deletedTextIsClearedWhenAskedAndTheTimeWindowKeepsRepliesWithTheirParents() throws Exception {
        TestServer s = started();
        App app = populate(s);
        String one = app.channels().getFirst();
        RestClient.Response r = RestClient.server(s)
                .post(
                        "/export_channels",
                        json("channels", List.of(json("cid", "messaging:" + one)), "clear_deleted_message_text", true));
        ok(r);
        JsonNode status =
                finished(s, "/export_channels/" + r.body().path("task_id").asText());
        List<ObjectNode> records = download(status.path("result").path("url").asText())
                .body()
                .lines()
                .map(l -> Json.parseObject(l, "record"))
                .toList();
        JsonNode deleted = records.stream()
                .filter(x -> x.path("item").path("id").asText().equals(app.deleted()))
                .findFirst()
                .orElseThrow()
                .path("item");
        assertThat(deleted.path("type").asText()).isEqualTo("deleted");
        assertThat(deleted.path("text").asText()).isEmpty();
        assertThat(records.stream().filter(x -> x.path("type").asText().equals("channel")))
                .hasSize(1);

        // A window that starts after the thread's parent leaves its replies out too.
        JsonNode parent =
                RestClient.server(s).get("/messages/" + app.thread()).body().path("message");
        Instant after = Instant.parse(parent.path("created_at").asText()).plusNanos(1_000);
        RestClient.Response windowed = RestClient.server(s)
                .post(
                        "/export_channels",
                        json(
                                "channels",
                                List.of(json("type", "messaging", "id", one, "messages_since", after.toString()))));
        ok(windowed);
        JsonNode w = finished(
                s, "/export_channels/" + windowed.body().path("task_id").asText());
        List<ObjectNode> items = download(w.path("result").path("url").asText())
                .body()
                .lines()
                .map(l -> Json.parseObject(l, "record"))
                .filter(x -> x.path("type").asText().equals("message"))
                .toList();
        assertThat(items).isNotEmpty();
        assertThat(items).allSatisfy(x -> {
            assertThat(x.path("item").path("id").asText()).isNotEqualTo(app.thread());
            assertThat(x.path("item").path("parent_id").asText("")).isNotEqualTo(app.thread());
            assertThat(x.path("item").has("quoted_message_id")).isFalse();
        });
    }

    @Test
    void aUsersExportHoldsEachUserAndItsDevices() throws Exception {
        TestServer s = started();
        String ann = Seed.uid("ann");
        ok(Seed.users(s, json("id", ann, "name", "Ann")));
        ok(RestClient.user(s, ann).post("/devices", json("id", "device-" + ann, "push_provider", "firebase")));
        RestClient.Response r = RestClient.server(s).post("/export/users", json("user_ids", List.of(ann)));
        ok(r);
        JsonNode status = finished(s, "/tasks/" + r.body().path("task_id").asText());
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
        List<String> lines = download(status.path("result").path("url").asText())
                .body()
                .lines()
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(Json.parseObject(lines.get(0), "r").path("item").path("name").asText())
                .isEqualTo("Ann");
        assertThat(Json.parseObject(lines.get(1), "r").path("type").asText()).isEqualTo("device");
    }

    @Test
    void badRequestsAreRefusedWithTheRightCodeAndOnlyTheServerSideMayExport() {
        TestServer s = started();
        String ann = Seed.uid("ann");
        String one = Seed.uid("one");
        ok(Seed.users(s, json("id", ann)));
        ok(Seed.messaging(s, ann, one, ann));
        RestClient server = RestClient.server(s);
        Map<Object, Integer> codes = new java.util.LinkedHashMap<>();
        codes.put(json(), 4);
        codes.put(json("channels", List.of()), 4);
        codes.put(json("channels", List.of(json("type", "messaging"))), 4);
        codes.put(json("channels", List.of(json("cid", "no-colon"))), 4);
        codes.put(json("channels", List.of(json("cid", "messaging:" + one, "messages_since", "yesterday"))), 4);
        codes.put(
                json(
                        "channels",
                        List.of(json(
                                "cid",
                                "messaging:" + one,
                                "messages_since",
                                "2024-02-01T00:00:00Z",
                                "messages_until",
                                "2024-01-01T00:00:00Z"))),
                4);
        codes.put(json("channels", List.of(json("cid", "messaging:" + one)), "export_users", "yes"), 4);
        codes.put(json("channels", List.of(json("cid", "messaging:" + one), json("type", "messaging", "id", one))), 4);
        ArrayNode many = Json.array();
        for (int i = 0; i < Exports.MAX_CHANNELS + 1; i++) {
            many.add(json("cid", "messaging:c" + i));
        }
        codes.put(json("channels", many), 4);
        codes.put(json("channels", List.of(json("cid", "messaging:" + Seed.uid("nowhere")))), 16);
        codes.forEach((body, code) -> {
            RestClient.Response r = server.post("/export_channels", body);
            assertThat(r.code()).as(body + " -> " + r).isEqualTo(code);
        });

        RestClient.Response asUser = RestClient.user(s, ann)
                .post("/export_channels", json("channels", List.of(json("cid", "messaging:" + one))));
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.code()).isEqualTo(17);
        assertThat(RestClient.user(s, ann).get("/export_channels/x").code()).isEqualTo(17);
        assertThat(RestClient.user(s, ann)
                        .post("/export/users", json("user_ids", List.of(ann)))
                        .code())
                .isEqualTo(17);

        RestClient.Response unknown = server.get("/export_channels/" + java.util.UUID.randomUUID());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo(16);
        assertThat(server.get("/export_channels/not-a-task").code()).isEqualTo(16);
        String usersTask = server.post("/export/users", json("user_ids", List.of(ann)))
                .body()
                .path("task_id")
                .asText();
        assertThat(server.get("/export_channels/" + usersTask).code())
                .as("a task of another kind")
                .isEqualTo(16);

        assertThat(server.post("/export/users", json("user_ids", List.of())).code())
                .isEqualTo(4);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= Exports.MAX_USERS; i++) {
            tooMany.add("u" + i);
        }
        assertThat(server.post("/export/users", json("user_ids", tooMany)).code())
                .isEqualTo(4);
        assertThat(server.post("/export/users", json("user_ids", List.of("bad id!")))
                        .code())
                .isEqualTo(4);
        assertThat(server.post("/export/users", json("user_ids", List.of(Seed.uid("nobody"))))
                        .code())
                .isEqualTo(16);
    }

    @Test
    void aTamperedOrExpiredLinkIsRefusedWithCode17AndAMissingFileIs404() throws Exception {
        TestServer s = started();
        String ann = Seed.uid("ann");
        ok(Seed.users(s, json("id", ann)));
        String task = RestClient.server(s)
                .post("/export/users", json("user_ids", List.of(ann)))
                .body()
                .path("task_id")
                .asText();
        String url = finished(s, "/tasks/" + task).path("result").path("url").asText();
        assertThat(download(url).statusCode()).isEqualTo(200);

        String sig = url.substring(url.indexOf("signature=") + "signature=".length());
        String flipped = url.substring(0, url.length() - 1) + (sig.endsWith("0") ? "1" : "0");
        HttpResponse<String> tampered = download(flipped);
        assertThat(tampered.statusCode()).isEqualTo(403);
        assertThat(Json.parseObject(tampered.body(), "error").path("code").asInt())
                .isEqualTo(17);
        assertThat(download(url.replaceFirst("expires=[0-9]+", "expires=99999999999"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(download(url.substring(0, url.indexOf('?'))).statusCode()).isEqualTo(403);

        ExportLinks links = new ExportLinks(TestServer.API_SECRET);
        String path = "/export_files/" + task + "/users.ndjson";
        long past = Instant.now().minusSeconds(60).getEpochSecond();
        HttpResponse<String> expired = download(
                s.baseUrl() + path + "?expires=" + past + "&signature=" + links.sign(task, "users.ndjson", past));
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(Json.parseObject(expired.body(), "error").path("code").asInt())
                .isEqualTo(17);

        String other = links.url(s.baseUrl(), task, "other.ndjson", Instant.now());
        assertThat(download(other).statusCode()).isEqualTo(404);
        assertThat(download(s.baseUrl() + "/export_files/" + task + "/..%2Fx?expires=1&signature=0")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void aTaskThatAStoppedServerLeftRunningIsRunAgainByTheNextStartAndABatchTaskIsStillThere() throws Exception {
        TestServer first = started();
        String ann = Seed.uid("ann");
        String one = Seed.uid("one");
        ok(Seed.users(first, json("id", ann)));
        ok(Seed.messaging(first, ann, one, ann));
        send(first, ann, one, json("text", "kept"));
        RestClient.Response batch = RestClient.server(first).post("/users/deactivate", json("user_ids", List.of(ann)));
        ok(batch);
        String batchTask = batch.body().path("task_id").asText();
        first.server().close();

        String running = java.util.UUID.randomUUID().toString();
        String worn = java.util.UUID.randomUUID().toString();
        Instant long_ago = Instant.parse("2024-01-01T00:00:00Z");
        ObjectNode params = json(
                "channels",
                List.of(json(
                        "cid",
                        "messaging:" + one,
                        "messages_since",
                        "0001-01-01T00:00:00Z",
                        "messages_until",
                        "9999-12-31T00:00:00Z")));
        try (Store store =
                Stores.open(first.config().databaseUrl(), first.config().dataDir())) {
            store.tasks()
                    .insert(new TaskStore.Task(
                            running, "export_channels", TaskStore.RUNNING, params, null, null, 1, long_ago, long_ago));
            store.tasks()
                    .insert(new TaskStore.Task(
                            worn, "export_channels", TaskStore.RUNNING, params, null, null, 3, long_ago, long_ago));
        }

        TestServer second = TestServer.restartOnDataOf(first, b -> {});
        servers.add(second);
        JsonNode status = finished(second, "/export_channels/" + running);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
        assertThat(download(status.path("result").path("url").asText()).body()).contains("\"text\":\"kept\"");
        JsonNode deactivated =
                RestClient.server(second).get("/tasks/" + batchTask).body();
        assertThat(deactivated.path("status").asText())
                .as("a batch's task outlives the restart")
                .isEqualTo("completed");
        assertThat(deactivated.path("result").path("users").asInt()).isEqualTo(1);
        JsonNode failed = finished(second, "/tasks/" + worn);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").path("type").asText()).isEqualTo("interrupted");
        assertThat(failed.path("error").path("description").asText()).contains("3 times");
    }

    @Test
    void aChannelLargerThanAPageComesOutWholeWithEachRecordOnceAndRepliesAfterTheirParents() throws Exception {
        TestServer fresh = started();
        fresh.server().close();
        int users = ExportFile.PAGE + 100;
        int messages = 2 * ExportFile.PAGE + 200;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            lines.add("{\"type\":\"user\",\"item\":{\"id\":\"u" + i + "\",\"created_at\":\"2024-01-01T00:00:00Z\"}}");
        }
        lines.add("{\"type\":\"channel\",\"item\":{\"type\":\"messaging\",\"id\":\"big\",\"created_by\":\"u0\","
                + "\"created_at\":\"2024-01-01T00:00:00Z\"}}");
        for (int i = 0; i < users; i++) {
            lines.add("{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"big\","
                    + "\"user_id\":\"u" + i + "\",\"created_at\":\"2024-01-01T00:00:00Z\"}}");
        }
        Instant t0 = Instant.parse("2024-01-02T00:00:00Z");
        for (int i = 0; i < messages; i++) {
            // every tenth message is a reply to the one before it
            String parent = i % 10 == 9 ? ",\"parent_id\":\"m" + (i - 1) + "\"" : "";
            lines.add("{\"type\":\"message\",\"item\":{\"id\":\"m" + i + "\",\"channel_type\":\"messaging\","
                    + "\"channel_id\":\"big\",\"user\":\"u" + (i % users) + "\",\"text\":\"n" + i + "\"" + parent
                    + ",\"created_at\":\"" + t0.plusMillis(i) + "\"}}");
            lines.add("{\"type\":\"reaction\",\"item\":{\"message_id\":\"m" + i + "\",\"user_id\":\"u"
                    + ((i + 1) % users) + "\",\"type\":\"like\",\"created_at\":\"" + t0.plusMillis(i) + "\"}}");
        }
        Path input = dir.resolve("big.ndjson");
        Files.write(input, lines, StandardCharsets.UTF_8);
        assertThat(importInto(fresh, input).bad()).isZero();
        TestServer s = TestServer.restartOnDataOf(fresh, b -> {});
        servers.add(s);

        RestClient.Response r =
                RestClient.server(s).post("/export_channels", json("channels", List.of(json("cid", "messaging:big"))));
        ok(r);
        JsonNode status =
                finished(s, "/export_channels/" + r.body().path("task_id").asText());
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
        JsonNode counted = status.path("result").path("records");
        assertThat(counted.path("message").asInt()).isEqualTo(messages);
        assertThat(counted.path("member").asInt()).isEqualTo(users);
        List<ObjectNode> records = download(status.path("result").path("url").asText())
                .body()
                .lines()
                .map(l -> Json.parseObject(l, "record"))
                .toList();
        Map<String, Long> byType = new java.util.TreeMap<>();
        records.forEach(x -> byType.merge(x.path("type").asText(), 1L, Long::sum));
        assertThat(byType)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "user", (long) users,
                        "channel", 1L,
                        "member", (long) users,
                        "message", (long) messages,
                        "reaction", (long) messages));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ObjectNode x : records) {
            JsonNode item = x.path("item");
            String key = x.path("type").asText() + " " + item.path("id").asText() + " "
                    + item.path("user_id").asText() + " "
                    + item.path("message_id").asText();
            assertThat(seen.add(key)).as("written once: " + key).isTrue();
            if (item.hasNonNull("parent_id")) {
                assertThat(seen).contains("message " + item.get("parent_id").asText() + "  ");
            }
            if (x.path("type").asText().equals("reaction")) {
                assertThat(seen).contains("message " + item.get("message_id").asText() + "  ");
            }
        }
    }

    @Test
    void aSoftDeletedChannelIsExportedOnlyWhenAskedFor() throws Exception {
        TestServer s = started();
        String ann = Seed.uid("ann");
        String gone = Seed.uid("gone");
        ok(Seed.users(s, json("id", ann)));
        ok(Seed.messaging(s, ann, gone, ann));
        send(s, ann, gone, json("text", "before the delete"));
        ok(RestClient.server(s).delete("/channels/messaging/" + gone));
        ObjectNode body = json("channels", List.of(json("type", "messaging", "id", gone)));

        assertThat(RestClient.server(s).post("/export_channels", body).code()).isEqualTo(16);
        body.put("include_soft_deleted_channels", true);
        RestClient.Response r = RestClient.server(s).post("/export_channels", body);
        ok(r);
        JsonNode status =
                finished(s, "/export_channels/" + r.body().path("task_id").asText());
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
        String file = download(status.path("result").path("url").asText()).body();
        assertThat(file).contains("\"type\":\"channel\"", "\"id\":\"" + gone + "\"");
    }
}
