package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RawWebSocket;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated hostile input against every write route of the router and against the WebSocket handshake
 * and frames, on the store this run uses ({@link TestServer#STORE}). Every answer must be a JSON body,
 * an error one being the protocol's envelope with a 4xx status and a code; never a 5xx, never silence;
 * the server stays up; and what was stored reads back whole, with no NUL, no lone surrogate and no
 * number turned into text.
 *
 * <p>The inputs come from a seeded generator ({@code -Dparley.fuzz.seed}, {@code -Dparley.fuzz.inputs}),
 * so that a failure names the seed and the input that reproduce it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostileInputTest {
    static final long SEED = Long.getLong("parley.fuzz.seed", 20261206L);
    static final int REST_INPUTS = Integer.getInteger("parley.fuzz.inputs", 700);
    static final int WS_INPUTS = Integer.getInteger("parley.fuzz.ws-inputs", 160);
    static final int ROUND_TRIPS = Integer.getInteger("parley.fuzz.round-trips", 200);

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    static final String ALICE = "fz-alice";
    static final String BOB = "fz-bob";
    static final String MALLORY = "fz-mallory";
    static final String CHANNEL = "fz-room";
    static final List<String> messageIds = new ArrayList<>();

    /** JSON texts that a well-behaved client never sends, placed where a value is expected. */
    static final List<String> HOSTILE_VALUES = List.of(
            "\"\\u0000\"",
            "\"a\\u0000b\"",
            "\"\\ud800\"",
            "\"x\\udfff\"",
            "\"\\udc00\\ud800\"",
            "1e400",
            "-1e400",
            "123456789012345678901234567890",
            "-123456789012345678901234567890",
            "-1",
            "0",
            "2147483648",
            "9223372036854775808",
            "1.5",
            "-0.0",
            "true",
            "false",
            "null",
            "[]",
            "{}",
            "\"\"",
            "\" \"",
            "\"a/b\"",
            "\"../../x\"",
            "\"%2F\"",
            "\"<script>alert(1)</script>\"",
            "\"' OR 1=1 --\"",
            "\"$gt\"",
            "\"9999-12-31T23:59:59Z\"",
            "\"99999-01-01T00:00:00Z\"",
            "\"-999999999-01-01T00:00:00Z\"",
            "\"2024-13-45T99:99:99Z\"",
            "\"1970-01-01T00:00:00Z\"",
            "1e30",
            "-1e30",
            "[\"\\u0000\"]",
            "{\"\\u0000\":1}",
            "{\"$gt\":\"99999-01-01T00:00:00Z\"}",
            "{\"$in\":[1,{\"a\":[]}]}",
            "{\"$nope\":1}",
            "\"\\n\\r\\t\\b\"",
            "\"\\ud83d\\ude00\"",
            "\"\\u202e\"",
            "\"\\uffff\"",
            "\"" + "x".repeat(6000) + "\"",
            "\"" + "y".repeat(70_000) + "\"",
            nested(60),
            nested(3000),
            array(1000),
            "{\"id\":\"\\u0000\",\"name\":\"\\ud800\"}",
            "[{\"type\":\"image\",\"asset_url\":1e400}]");

    /** Ids placed in a path: each must be refused, answered with 404, or handled; never stored unreadable. */
    static final List<String> HOSTILE_IDS = List.of(
            "a/b",
            "\u0000",
            "a\u0000b",
            "..",
            ".",
            "x".repeat(300),
            "a b",
            "*",
            "'",
            "\"",
            "%",
            "%2F",
            "\ud83d\ude00",
            "\u202e",
            ":",
            "a:b",
            "?",
            "#",
            "\\");

    /** Tokens that are not a user's (header-safe: an HTTP client sends them). */
    static final List<String> HOSTILE_TOKENS = List.of(
            "x",
            "a.b.c",
            "eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoiZnotYWxpY2UifQ.",
            "....",
            "a".repeat(5000),
            "Bearer x",
            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjFlMzB9.x",
            "e30.e30.e30",
            "%00");

    /** Whole bodies that are not the JSON object a route expects. */
    static final List<byte[]> HOSTILE_BODIES = List.of(
            bytes(""),
            bytes("{"),
            bytes("null"),
            bytes("[]"),
            bytes("\"s\""),
            bytes("1e400"),
            bytes("{}garbage"),
            bytes("{\"a\":1} {\"b\":2}"),
            bytes("{\"a\":1}}"),
            bytes("\ufeff{}"),
            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'},
            new byte[] {'{', '"', (byte) 0xc3, '"', ':', '1', '}'},
            bytes(nested(5000)),
            bytes("{\"a\":\"\\u00\"}"),
            bytes("{'a':1}"),
            bytes("{\"a\":NaN}"),
            bytes("{\"a\":Infinity}"),
            bytes("{\"a\":01}"),
            bytes("{\"a\":1,}"),
            bytes("{\"a\" 1}"),
            bytes("{\"a\":1,\"a\":2}"));

    static final List<String> FIELD_NAMES = List.of(
            "text",
            "id",
            "user_id",
            "user",
            "name",
            "role",
            "created_at",
            "updated_at",
            "attachments",
            "mentioned_users",
            "parent_id",
            "quoted_message_id",
            "custom",
            "data",
            "members",
            "add_members",
            "remove_members",
            "set",
            "unset",
            "filter_conditions",
            "sort",
            "limit",
            "offset",
            "last_sync_at",
            "channel_cids",
            "type",
            "score",
            "reaction",
            "message",
            "messages",
            "cooldown",
            "frozen",
            "timeout",
            "target_user_id",
            "target_ids",
            "user_ids",
            "hard_delete",
            "truncated_at",
            "message_id",
            "revoke_tokens_issued_before",
            "teams",
            "banned",
            "online",
            "\u0000",
            "",
            "$gt",
            "a.b",
            "__proto__",
            "x".repeat(300));

    @BeforeAll
    static void fixtures() {
        Seed.users(
                server,
                json("id", ALICE, "name", "Alice"),
                json("id", BOB, "name", "Bob"),
                json("id", MALLORY, "name", "Mallory"));
        Seed.messaging(server, ALICE, CHANNEL, ALICE, BOB);
        for (int i = 0; i < 3; i++) {
            RestClient.Response r = RestClient.user(server, ALICE)
                    .post("/channels/messaging/" + CHANNEL + "/message", json("message", json("text", "fixture " + i)));
            assertEquals(200, r.status(), r.text());
            messageIds.add(r.body().path("message").path("id").asText());
        }
    }

    @Test
    void everyWriteRouteAnswersGeneratedHostileInputWithJsonAndNever5xx() {
        List<String> routes = new RestApi(server.server().node())
                .router().routes().stream()
                        .filter(r -> r.handler() != null && !r.method().equals("GET"))
                        .map(r -> r.method() + " " + r.template())
                        .toList();
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> perRoute = new TreeMap<>();
        for (int i = 0; i < REST_INPUTS; i++) {
            String route = routes.get(i < routes.size() ? i : random.nextInt(routes.size()));
            Input input = generate(route, random);
            perRoute.merge(route, 1, Integer::sum);
            RestClient.Response r;
            try {
                r = input.client().send(input.method(), input.path(), input.query(), input.body(), input.headers());
            } catch (RuntimeException e) {
                failures.add("#" + i + " " + input + " → no answer: " + e);
                continue;
            }
            String problem = problem(r);
            outcomes.merge(
                    r.status() < 300
                            ? "2xx"
                            : r.status() + "/" + r.body().path("code").asInt(),
                    1,
                    Integer::sum);
            if (problem != null) {
                failures.add("#" + i + " " + input + " → " + problem);
            }
            if (i % 100 == 99) {
                assertEquals(200, RestClient.server(server).get("/hi").status(), "server up after input #" + i);
            }
        }
        System.out.printf(
                "hostile-input REST (store %s, seed %d): %d inputs over %d write routes, %d clean answers, "
                        + "outcomes %s%n",
                TestServer.STORE, SEED, REST_INPUTS, perRoute.size(), REST_INPUTS - failures.size(), outcomes);
        assertEquals(routes.size(), perRoute.size(), "every write route got input");
        assertTrue(
                failures.isEmpty(),
                failures.size() + " unclean answers (seed " + SEED + "), first ones:\n"
                        + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        assertStoreReadsBackClean();
    }

    @Test
    void hostileHandshakesAndFramesGetAnAnswerAndTheServerStaysUp() {
        Random random = new Random(SEED + 1);
        List<String> failures = new ArrayList<>();
        int clean = 0;
        for (int i = 0; i < WS_INPUTS; i++) {
            String problem = i % 2 == 0 ? hostileHandshake(random) : hostileFrame(random);
            if (problem == null) {
                clean++;
            } else {
                failures.add("#" + i + " " + problem);
            }
        }
        System.out.printf(
                "hostile-input WebSocket (store %s, seed %d): %d inputs, %d clean answers%n",
                TestServer.STORE, SEED + 1, WS_INPUTS, clean);
        assertEquals(200, RestClient.server(server).get("/hi").status(), "server up");
        assertTrue(
                failures.isEmpty(),
                failures.size() + " unclean answers (seed " + (SEED + 1) + "), first ones:\n"
                        + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        assertStoreReadsBackClean();
    }

    @Test
    void valuesThatAreAcceptedReadBackExactlyAndWrongTypesAreRefused() {
        Random random = new Random(SEED + 2);
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < ROUND_TRIPS; i++) {
            String raw = pick(random, HOSTILE_VALUES);
            JsonNode sent = parseOrNull(raw);
            int kind = random.nextInt(6);
            String what = switch (kind) {
                case 0 -> "user upsert";
                case 1 -> "user partial update";
                case 2 -> "message send";
                case 3 -> "message partial update";
                case 4 -> "channel partial update";
                default -> "message text";
            };
            String id = Seed.uid("fz-rt");
            RestClient.Response r = switch (kind) {
                case 0 ->
                    RestClient.server(server)
                            .post("/users", "{\"users\":{\"" + id + "\":{\"id\":\"" + id + "\",\"fz\":" + raw + "}}}");
                case 1 ->
                    RestClient.server(server)
                            .patch("/users", "{\"users\":[{\"id\":\"" + ALICE + "\",\"set\":{\"fz\":" + raw + "}}]}");
                case 2 ->
                    RestClient.user(server, ALICE)
                            .post(
                                    "/channels/messaging/" + CHANNEL + "/message",
                                    "{\"message\":{\"id\":\"" + id + "\",\"text\":\"t\",\"fz\":" + raw + "}}");
                case 3 ->
                    RestClient.user(server, ALICE)
                            .call("PUT", "/messages/" + messageIds.get(1), "{\"set\":{\"fz\":" + raw + "}}");
                case 4 ->
                    RestClient.user(server, ALICE)
                            .patch("/channels/messaging/" + CHANNEL, "{\"set\":{\"fz\":" + raw + "}}");
                default ->
                    RestClient.user(server, ALICE)
                            .post(
                                    "/channels/messaging/" + CHANNEL + "/message",
                                    "{\"message\":{\"id\":\"" + id + "\",\"text\":" + raw + "}}");
            };
            String problem = problem(r);
            String input = "#" + i + " " + what + " with " + abbreviate(raw);
            if (problem != null) {
                failures.add(input + " → " + problem);
                continue;
            }
            if (r.status() >= 300) {
                continue;
            }
            accepted++;
            if (sent == null) {
                failures.add(input + " → accepted, though it is no valid JSON value");
                continue;
            }
            if (kind == 5) {
                if (sent.isNull()) {
                    continue; // a null text is an absent one: a message of attachments only
                }
                if (!sent.isTextual()) {
                    failures.add(input + " → a non-string text was accepted: " + abbreviate(r.text()));
                } else if (!sent.equals(r.body().path("message").path("text"))) {
                    failures.add(input + " → text stored as "
                            + abbreviate(r.body().path("message").path("text").toString()));
                }
                continue;
            }
            JsonNode stored = switch (kind) {
                case 0, 1 ->
                    RestClient.server(server)
                            .getPayload("/users", json("filter_conditions", json("id", kind == 0 ? id : ALICE)))
                            .body()
                            .path("users")
                            .path(0)
                            .path("fz");
                case 2 ->
                    RestClient.user(server, ALICE)
                            .get("/messages/" + id)
                            .body()
                            .path("message")
                            .path("fz");
                case 3 ->
                    RestClient.user(server, ALICE)
                            .get("/messages/" + messageIds.get(1))
                            .body()
                            .path("message")
                            .path("fz");
                default ->
                    RestClient.user(server, ALICE)
                            .post("/channels/messaging/" + CHANNEL + "/query", json("state", false))
                            .body()
                            .path("channel")
                            .path("fz");
            };
            if (!sameJson(sent, stored)) {
                failures.add(input + " → accepted, then read back as " + abbreviate(stored.toString()));
            }
        }
        System.out.printf(
                "hostile-input round trips (store %s, seed %d): %d inputs, %d accepted, %d clean%n",
                TestServer.STORE, SEED + 2, ROUND_TRIPS, accepted, ROUND_TRIPS - failures.size());
        assertTrue(
                failures.isEmpty(),
                failures.size() + " values not kept or not refused (seed " + (SEED + 2) + "), first ones:\n"
                        + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
    }

    private static JsonNode parseOrNull(String raw) {
        try {
            return Json.mapper().readTree(raw);
        } catch (Exception e) {
            return null;
        }
    }

    /** JSON equality where numbers compare by value, whatever their Java type; a null set may read back absent. */
    private static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNull()) {
            return b.isNull() || b.isMissingNode();
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.isFinite(a.asDouble()) && Double.isFinite(b.asDouble())
                    ? a.decimalValue().compareTo(b.decimalValue()) == 0
                    : a.asDouble() == b.asDouble();
        }
        if (a.isContainerNode() && b.isContainerNode() && a.getNodeType() == b.getNodeType() && a.size() == b.size()) {
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    if (!sameJson(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!b.has(e.getKey()) || !sameJson(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    // ---- REST inputs

    record Input(
            RestClient client,
            String caller,
            String method,
            String path,
            Map<String, String> query,
            byte[] body,
            Map<String, String> headers) {
        @Override
        public String toString() {
            String b = body == null ? "-" : new String(body, StandardCharsets.UTF_8);
            return caller + " " + method + " " + path + " " + query + " " + headers + " "
                    + (b.length() > 300 ? b.substring(0, 300) + "…(" + b.length() + ")" : b);
        }
    }

    private Input generate(String route, Random random) {
        String method = route.substring(0, route.indexOf(' '));
        String template = route.substring(route.indexOf(' ') + 1);
        String path = fillPath(method, template, random);
        Map<String, String> query = new LinkedHashMap<>();
        if (random.nextInt(5) == 0) {
            String[] keys = {"payload", "limit", "offset", "hard", "user_id", "id", "url", "month", "connection_id"};
            query.put(keys[random.nextInt(keys.length)], pick(random, HOSTILE_IDS));
        }
        if (method.equals("DELETE") && random.nextBoolean()) {
            query.put("hard", random.nextBoolean() ? "true" : "1");
        }
        byte[] body;
        if (method.equals("DELETE") && random.nextInt(3) > 0) {
            body = null;
        } else if (random.nextInt(6) == 0) {
            body = HOSTILE_BODIES.get(random.nextInt(HOSTILE_BODIES.size()));
        } else {
            body = bytes(mutate(sample(method, template), random));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (body != null && random.nextInt(15) == 0) {
            headers.put("Content-Type", random.nextBoolean() ? "text/plain" : "multipart/form-data; boundary=x");
        }
        String[] callers = {
            "server", "server", "server", "member", "member", "non-member", "anonymous", "bad-token", "no-key"
        };
        String caller = callers[random.nextInt(callers.length)];
        RestClient client = switch (caller) {
            case "server" -> RestClient.server(server);
            case "member" -> RestClient.user(server, ALICE);
            case "non-member" -> RestClient.user(server, MALLORY);
            case "anonymous" -> RestClient.user(server, MALLORY).anonymous();
            case "bad-token" -> RestClient.user(server, ALICE).withToken(pick(random, HOSTILE_TOKENS));
            default -> RestClient.server(server).withApiKey(pick(random, HOSTILE_IDS));
        };
        return new Input(client, caller, method, path, query, body, headers);
    }

    private String fillPath(String method, String template, Random random) {
        boolean destructive = method.equals("DELETE")
                || template.endsWith("/truncate")
                || template.endsWith("/deactivate")
                || template.equals("/channels/delete");
        StringBuilder p = new StringBuilder();
        for (String seg : template.substring(1).split("/")) {
            p.append('/');
            if (!seg.startsWith("{")) {
                p.append(seg);
                continue;
            }
            String value;
            if (random.nextInt(4) == 0) {
                value = pick(random, HOSTILE_IDS);
            } else {
                value = switch (seg) {
                    case "{type}" -> template.startsWith("/messages") ? "like" : "messaging";
                    case "{name}" -> "messaging";
                    case "{user_id}" -> BOB;
                    case "{id}" ->
                        template.startsWith("/channels/")
                                ? (destructive ? Seed.uid("fz-c") : CHANNEL)
                                : template.startsWith("/messages/") ? pick(random, messageIds) : Seed.uid("fz-x");
                    default -> Seed.uid("fz-x");
                };
            }
            p.append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return p.toString();
    }

    /** A valid body for the route, as a client of that route would send it, before mutation. */
    private static ObjectNode sample(String method, String template) {
        String cid = "messaging:" + CHANNEL;
        String m = messageIds.get(0);
        String fresh = Seed.uid("fz-u");
        return switch (method + " " + template) {
            case "POST /users" ->
                json("users", json(fresh, json("id", fresh, "name", "N", "role", "user", "color", "red")));
            case "PATCH /users" ->
                json(
                        "users",
                        Json.array()
                                .add(json(
                                        "id",
                                        fresh,
                                        "set",
                                        json("name", "N", "status", "s"),
                                        "unset",
                                        List.of("color"))));
            case "POST /channels" ->
                json(
                        "filter_conditions",
                        json("members", json("$in", List.of(ALICE))),
                        "sort",
                        Json.array().add(json("field", "last_message_at", "direction", -1)),
                        "limit",
                        10,
                        "state",
                        true,
                        "user_id",
                        ALICE);
            case "POST /channels/{type}/query", "POST /channels/{type}/{id}/query" ->
                json(
                        "data",
                        json("members", List.of(ALICE, BOB), "name", "room"),
                        "state",
                        true,
                        "messages",
                        json("limit", 10),
                        "user_id",
                        ALICE);
            case "POST /channels/{type}/{id}/message" ->
                json(
                        "message",
                        json(
                                "text",
                                "hi",
                                "user_id",
                                ALICE,
                                "attachments",
                                Json.array().add(json("type", "image", "asset_url", "http://x/y.png")),
                                "mentioned_users",
                                List.of(BOB),
                                "mood",
                                "ok"));
            case "POST /messages/{id}" -> json("message", json("text", "edited", "user_id", ALICE, "mood", "ok"));
            case "PUT /messages/{id}" ->
                json("set", json("text", "partly", "mood", "ok"), "unset", List.of("color"), "user_id", ALICE);
            case "POST /messages/{id}/reaction" ->
                json("reaction", json("type", "like", "score", 1, "user_id", ALICE), "enforce_unique", false);
            case "POST /messages/{id}/undelete" -> json("undeleted_by", ALICE);
            case "POST /channels/{type}/{id}/event" -> json("event", json("type", "typing.start", "user_id", ALICE));
            case "POST /channels/{type}/{id}/read", "POST /channels/{type}/{id}/unread" ->
                json("message_id", m, "user_id", ALICE);
            case "POST /channels/read" -> json("user_id", ALICE);
            case "POST /channels/delivered" ->
                json("latest_delivered_messages", Json.array().add(json("cid", cid, "id", m)), "user_id", BOB);
            case "POST /channels/{type}/{id}" ->
                json(
                        "data",
                        json("name", "room", "color", "red"),
                        "message",
                        json("text", "changed", "user_id", ALICE),
                        "user_id",
                        ALICE);
            case "PATCH /channels/{type}/{id}" ->
                json("set", json("name", "room", "color", "blue"), "unset", List.of("topic"), "user_id", ALICE);
            case "PATCH /channels/{type}/{id}/member", "PATCH /channels/{type}/{id}/member/{user_id}" ->
                json("set", json("pinned", true, "archived", false), "user_id", BOB);
            case "POST /channels/{type}/{id}/hide" -> json("clear_history", false, "user_id", ALICE);
            case "POST /channels/{type}/{id}/truncate" ->
                json("hard_delete", false, "skip_push", true, "truncated_at", "2024-01-01T00:00:00Z", "user_id", ALICE);
            case "POST /channels/delete" ->
                json("cids", List.of("messaging:" + Seed.uid("fz-c")), "hard_delete", false);
            case "POST /devices" -> json("id", Seed.uid("dev"), "push_provider", "firebase", "user_id", ALICE);
            case "POST /moderation/ban" ->
                json("target_user_id", fresh, "user_id", ALICE, "timeout", 60, "reason", "r");
            case "POST /moderation/flag", "POST /moderation/unflag" ->
                json("target_message_id", m, "user_id", BOB, "reason", "spam");
            case "POST /moderation/mute", "POST /moderation/unmute" ->
                json("target_ids", List.of(MALLORY), "user_id", BOB, "timeout", 10);
            case "POST /moderation/mute/channel", "POST /moderation/unmute/channel" ->
                json("channel_cid", cid, "user_id", BOB, "expiration", 1000);
            case "POST /sync" ->
                json("channel_cids", List.of(cid), "last_sync_at", "2024-01-01T00:00:00Z", "user_id", ALICE);
            case "POST /threads" -> json("limit", 10, "user_id", ALICE);
            case "POST /unread_batch" -> json("user_ids", List.of(ALICE, BOB));
            case "POST /users/block", "POST /users/unblock" -> json("blocked_user_id", MALLORY, "user_id", BOB);
            case "POST /users/deactivate", "POST /users/reactivate" -> json("user_ids", List.of(fresh));
            case "POST /users/{id}/deactivate", "POST /users/{id}/reactivate" -> json("mark_messages_deleted", false);
            case "PATCH /app" -> json("file_upload_config", json("allowed_file_extensions", List.of(".txt")));
            case "POST /parley/admin/session" -> json("api_key", "k", "api_secret", "s");
            default -> json("user_id", ALICE);
        };
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\"__H(\\d+)__\"");

    /** The sample with 1 to 3 values replaced or fields added, written as JSON text with the raw hostile values. */
    private static String mutate(ObjectNode sample, Random random) {
        List<String> raw = new ArrayList<>();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            String placeholder = "__H" + raw.size() + "__";
            raw.add(HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size())));
            ObjectNode target = randomObject(sample, random);
            if (target.isEmpty() || random.nextInt(3) == 0) {
                target.put(FIELD_NAMES.get(random.nextInt(FIELD_NAMES.size())), placeholder);
            } else {
                List<String> names = new ArrayList<>();
                target.fieldNames().forEachRemaining(names::add);
                target.put(names.get(random.nextInt(names.size())), placeholder);
            }
        }
        Matcher m = PLACEHOLDER.matcher(Json.write(sample));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(raw.get(Integer.parseInt(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static ObjectNode randomObject(ObjectNode root, Random random) {
        List<ObjectNode> all = new ArrayList<>();
        collectObjects(root, all);
        return all.get(random.nextInt(all.size()));
    }

    private static void collectObjects(JsonNode node, List<ObjectNode> into) {
        if (node instanceof ObjectNode o) {
            into.add(o);
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            collectObjects(it.next(), into);
        }
    }

    /** What is wrong with an answer, or null when it is clean. */
    private static String problem(RestClient.Response r) {
        if (r.status() >= 500) {
            return "status " + r.status() + ": " + r.text();
        }
        if (!(r.body() instanceof ObjectNode body)) {
            return "status " + r.status() + " without a JSON object: " + r.text();
        }
        if (r.status() >= 400) {
            if (!body.path("code").isInt()
                    || !body.path("message").isTextual()
                    || body.path("StatusCode").asInt() != r.status()) {
                return "status " + r.status() + " without the error envelope: " + r.text();
            }
            if (r.text().contains("\tat ") || r.text().contains("Exception")) {
                return "internal detail in the answer: " + r.text();
            }
        }
        return null;
    }

    // ---- WebSocket inputs

    private String hostileHandshake(Random random) {
        ObjectNode details = json("id", ALICE, "name", "Alice");
        ObjectNode connect = json("user_id", ALICE, "user_details", details, "server_determines_connection_id", true);
        String jsonText = random.nextInt(5) == 0
                ? new String(pick(random, HOSTILE_BODIES), StandardCharsets.UTF_8)
                : mutate(connect, random);
        String user = random.nextBoolean() ? ALICE : Seed.uid("fz-ws");
        jsonText = jsonText.replace(ALICE, user);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("json", jsonText);
        q.put("api_key", random.nextInt(8) == 0 ? pick(random, HOSTILE_IDS) : server.apiKey());
        q.put("authorization", random.nextInt(8) == 0 ? pick(random, HOSTILE_IDS) : server.userToken(user));
        q.put("stream-auth-type", random.nextInt(10) == 0 ? pick(random, HOSTILE_IDS) : "jwt");
        StringBuilder path = new StringBuilder("/connect?");
        q.forEach((k, v) -> path.append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        String what = "handshake json=" + abbreviate(jsonText) + " key/auth/type="
                + q.get("api_key").length() + "/" + abbreviate(q.get("authorization")) + "/"
                + abbreviate(q.get("stream-auth-type"));
        try (RawWebSocket ws = RawWebSocket.open(server.port(), path.toString(), 10_000)) {
            if (ws == null) {
                return what + " → no answer to the upgrade";
            }
            if (ws.status() != 101) {
                return ws.status() >= 400
                                && ws.status() < 500
                                && ws.readBody(4096).contains("\"code\"")
                        ? null
                        : what + " → HTTP " + ws.status();
            }
            RawWebSocket.Frame first = ws.nextData();
            if (first.opcode() != RawWebSocket.TEXT) {
                return what + " → " + first;
            }
            JsonNode frame = Json.parse(first.text(), "frame");
            String type = frame.path("type").asText();
            if (type.equals("connection.error")) {
                RawWebSocket.Frame close = ws.nextData();
                return close.opcode() == RawWebSocket.CLOSE
                                && frame.path("error").path("code").isInt()
                        ? null
                        : what + " → connection.error then " + close;
            }
            return type.equals("health.check") ? null : what + " → first frame " + first;
        } catch (RuntimeException e) {
            return what + " → " + e;
        }
    }

    private String hostileFrame(Random random) {
        String user = Seed.uid("fz-ws");
        String path = "/connect?json="
                + URLEncoder.encode(
                        Json.write(json(
                                "user_id",
                                user,
                                "user_details",
                                json("id", user),
                                "server_determines_connection_id",
                                true)),
                        StandardCharsets.UTF_8)
                + "&api_key=" + server.apiKey()
                + "&authorization=" + server.userToken(user) + "&stream-auth-type=jwt";
        try (RawWebSocket ws = RawWebSocket.open(server.port(), path, 10_000)) {
            if (ws == null || ws.status() != 101 || !ws.nextData().text().contains("health.check")) {
                return "a valid connect failed";
            }
            String what = sendHostileFrame(ws, random);
            ws.sendText("[{\"type\":\"health.check\",\"client_id\":\"fz\"}]");
            RawWebSocket.Frame answer = ws.nextData();
            if (answer.opcode() == RawWebSocket.CLOSE) {
                int code = answer.closeCode();
                return code >= 1000 && code != 1005 && code != 1006 && code != 1011 ? null : what + " → " + answer;
            }
            if (answer.opcode() == RawWebSocket.TEXT) {
                return null; // the socket lives on and answers
            }
            return what + " → " + answer;
        }
    }

    private static String sendHostileFrame(RawWebSocket ws, Random random) {
        switch (random.nextInt(9)) {
            case 0 -> {
                String text = mutate(json("type", "health.check", "client_id", "fz"), random);
                ws.sendText(text);
                return "text frame " + abbreviate(text);
            }
            case 1 -> {
                byte[] b = pick(random, HOSTILE_BODIES);
                ws.send(RawWebSocket.TEXT, true, b);
                return "text frame of a hostile body " + abbreviate(new String(b, StandardCharsets.UTF_8));
            }
            case 2 -> {
                ws.send(RawWebSocket.TEXT, true, new byte[] {'[', (byte) 0xff, (byte) 0xc0, ']'});
                return "text frame with invalid UTF-8";
            }
            case 3 -> {
                ws.send(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
                return "binary frame";
            }
            case 4 -> {
                ws.send(3 + random.nextInt(5), true, new byte[] {1});
                return "frame with a reserved opcode";
            }
            case 5 -> {
                ws.send(RawWebSocket.TEXT, true, new byte[70_000]);
                return "text frame over 64 KiB";
            }
            case 6 -> {
                byte[] part = new byte[40_000];
                ws.send(RawWebSocket.TEXT, false, part);
                ws.send(0, true, part);
                return "fragmented text message over 64 KiB";
            }
            case 7 -> {
                ws.send(RawWebSocket.PING, true, new byte[200]);
                return "ping with a payload over 125 bytes";
            }
            default -> {
                ws.send(0, true, bytes("orphan"));
                return "continuation frame without a start";
            }
        }
    }

    // ---- what was stored

    /** Every user and every message of the fixture channel reads back, and no stored text is corrupt. */
    private static void assertStoreReadsBackClean() {
        RestClient admin = RestClient.server(server);
        List<String> corrupt = new ArrayList<>();
        int users = 0;
        for (int offset = 0; offset <= 1000; offset += 100) {
            RestClient.Response r = admin.getPayload(
                    "/users",
                    json(
                            "filter_conditions",
                            Json.object(),
                            "limit",
                            100,
                            "offset",
                            offset,
                            "sort",
                            Json.array().add(json("field", "created_at", "direction", 1))));
            assertEquals(200, r.status(), r.text());
            for (JsonNode u : r.body().path("users")) {
                users++;
                scan("user " + u.path("id").asText(), u, corrupt);
            }
            if (r.body().path("users").size() < 100) {
                break;
            }
        }
        RestClient.Response channel = RestClient.user(server, ALICE)
                .post("/channels/messaging/" + CHANNEL + "/query", json("state", true, "messages", json("limit", 300)));
        assertEquals(200, channel.status(), channel.text());
        scan("channel", channel.body(), corrupt);
        for (JsonNode msg : channel.body().path("messages")) {
            RestClient.Response replies = RestClient.user(server, ALICE)
                    .get("/messages/" + msg.path("id").asText() + "/replies", Map.of("limit", "300"));
            assertEquals(200, replies.status(), replies.text());
            assertEquals(
                    msg.path("reply_count").asInt(),
                    replies.body().path("messages").size(),
                    "reply_count of " + msg.path("id").asText() + " equals its replies");
        }
        assertTrue(users >= 3, "users read back: " + users);
        assertTrue(corrupt.isEmpty(), "corrupt stored values:\n" + String.join("\n", corrupt));
    }

    private static void scan(String where, JsonNode node, List<String> corrupt) {
        if (node.isTextual()) {
            String s = node.asText();
            if (s.indexOf('\0') >= 0
                    || hasLoneSurrogate(s)
                    || s.equals("Infinity")
                    || s.equals("-Infinity")
                    || s.equals("NaN")) {
                corrupt.add(where + ": " + abbreviate(Json.write(node)));
            }
            return;
        }
        if (node.isNumber() && !Double.isFinite(node.asDouble())) {
            corrupt.add(where + ": number " + node);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().indexOf('\0') >= 0 || hasLoneSurrogate(e.getKey())) {
                corrupt.add(where + ": key " + abbreviate(Json.write(e.getKey())));
            }
            scan(where, e.getValue(), corrupt);
        }
        if (node.isArray()) {
            node.forEach(n -> scan(where, n, corrupt));
        }
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    // ---- helpers

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String array(int n) {
        return "[" + String.join(",", java.util.Collections.nCopies(n, "\"v\"")) + "]";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + ")" : s;
    }
}
