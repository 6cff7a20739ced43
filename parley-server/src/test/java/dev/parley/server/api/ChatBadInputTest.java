package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed requests to the chat endpoints are answered with the error envelope and a 4xx, never a 500. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatBadInputTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    @BeforeAll
    static void seedUsersAndChannel() {
        Seed.users(server, json("id", "ann"));
        Seed.messaging(server, "ann", "bad", "ann");
        RestClient.user(server, "ann")
                .post("/channels/messaging/bad/message", json("message", json("id", "bad-msg", "text", "kept")));
    }

    private static String longText(int chars) {
        return "x".repeat(chars);
    }

    private static String mentions(int count) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
        }
        return s.append(']').toString();
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"text\": \"a\\u0000b\"}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": \"text\"}", 4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"attachments\": 3}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"id\": \"a,b\"}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"mentioned_users\": {}}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/query", "{\"members\": {\"limit\": \"many\"}}", 4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/query",
                        "{\"messages\": {\"created_at_before\": \"yesterday\"}}",
                        4),
                Arguments.of("POST", "/channels/messaging/" + "x".repeat(65) + "/query", "{}", 4),
                Arguments.of("POST", "/channels/no-such-type/x/query", "{}", 16),
                Arguments.of("POST", "/channels/messaging/query", "{\"data\": {}}", 4),
                Arguments.of("POST", "/channels/messaging/new/query", "{\"data\": {\"members\": [1, 2]}}", 4),
                Arguments.of("POST", "/channels", "{\"filter_conditions\": {\"members\": {\"$in\": [1]}}}", 4),
                Arguments.of(
                        "POST", "/channels", "{\"filter_conditions\": {\"last_message_at\": {\"$gt\": \"soon\"}}}", 4),
                Arguments.of("POST", "/channels", "{\"sort\": [{\"field\": \"frozen\", \"direction\": 1}]}", 4),
                Arguments.of("POST", "/channels", "{\"limit\": -1}", 4),
                Arguments.of("POST", "/channels/messaging/bad/event", "{\"event\": {}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/unread", "{}", 4),
                Arguments.of("POST", "/channels/messaging/bad/unread", "{\"message_id\": \"nope\"}", 16),
                Arguments.of("POST", "/messages/nope/reaction", "{\"reaction\": {\"type\": \"like\"}}", 16),
                Arguments.of("POST", "/messages/nope/reaction", "{\"reaction\": {}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/query", "{\"messages\": {\"limit\": \"lots\"}}", 4),
                Arguments.of("GET", "/messages/nope/replies?limit=lots", null, 16),
                Arguments.of("POST", "/sync", "{\"channel_cids\": \"all\"}", 4),
                Arguments.of("POST", "/sync", "{\"channel_cids\": [], \"last_sync_at\": \"2000-01-01T00:00:00Z\"}", 4),
                Arguments.of("GET", "/members?payload=%7B%7D", null, 4),
                Arguments.of("PATCH", "/channels/messaging/bad", "[1]", 4),
                Arguments.of("DELETE", "/messages/any?delete_for_me=true&hard=true", null, 4),
                Arguments.of(
                        "POST",
                        "/channels",
                        "{\"filter_conditions\": {\"last_message_at\": {\"$gt\": \"+99999-01-01T00:00:00Z\"}}}",
                        4),
                Arguments.of(
                        "POST",
                        "/channels",
                        "{\"filter_conditions\": {\"created_at\": {\"$lt\": \"-999999999-01-01T00:00:00Z\"}}}",
                        4),
                Arguments.of("POST", "/channels", "{\"filter_conditions\": {\"created_at\": {\"$gt\": -1e30}}}", 4),
                Arguments.of(
                        "POST",
                        "/sync",
                        "{\"channel_cids\": [\"messaging:bad\"], \"last_sync_at\": \"+999999999-12-31T23:59:59Z\"}",
                        4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/query",
                        "{\"messages\": {\"created_at_before\": \"+999999999-12-31T23:59:59Z\"}}",
                        4),
                Arguments.of(
                        "GET",
                        "/search?payload="
                                + RestClient.encode(
                                        "{\"filter_conditions\": {\"cid\": \"messaging:bad\"}, "
                                                + "\"message_filter_conditions\": {\"created_at\": {\"$gt\": \"+999999999-12-31T23:59:59Z\"}}}"),
                        null,
                        4),
                Arguments.of(
                        "GET",
                        "/users?payload="
                                + RestClient.encode("{\"filter_conditions\": {\"created_at\": "
                                        + "{\"$gt\": \"-999999999-01-01T00:00:00Z\"}}}"),
                        null,
                        4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"text\": 5}}", 4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"text\": \"x\", \"silent\": \"yes\"}}",
                        4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"text\": \"x\", \"parent_id\": 7}}",
                        4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"id\": \"a/b\"}}", 4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"text\": \"" + longText(5001) + "\"}}",
                        20),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"text\": \"x\", \"blob\": \"" + longText(5200) + "\"}}",
                        4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"attachments\": [{\"type\": \"file\", " + "\"title\": \"" + longText(33_000)
                                + "\"}]}}",
                        4),
                Arguments.of(
                        "POST",
                        "/channels/messaging/bad/message",
                        "{\"message\": {\"mentioned_users\": " + mentions(26) + "}}",
                        4),
                Arguments.of("POST", "/messages/bad-msg", "{\"message\": {\"text\": \"" + longText(5001) + "\"}}", 20),
                Arguments.of("POST", "/messages/bad-msg", "{\"message\": {\"text\": [\"x\"]}}", 4),
                Arguments.of("PUT", "/messages/bad-msg", "{\"set\": {\"text\": \"" + longText(5001) + "\"}}", 20),
                Arguments.of("PUT", "/messages/bad-msg", "{\"set\": {\"blob\": \"" + longText(5200) + "\"}}", 4),
                Arguments.of("PUT", "/messages/bad-msg", "{\"set\": {\"pinned\": \"true\"}}", 4),
                Arguments.of("PUT", "/messages/bad-msg", "{\"set\": {\"mentioned_users\": " + mentions(26) + "}}", 4),
                Arguments.of("PUT", "/messages/bad-msg", "{\"set\": \"text\"}", 4),
                Arguments.of("POST", "/channels/messaging/bad", "{\"data\": {\"frozen\": \"yes\"}}", 4),
                Arguments.of("PATCH", "/channels/messaging/bad", "{\"set\": {\"cooldown\": \"5\"}}", 4),
                Arguments.of("POST", "/channels/messaging/typed/query", "{\"data\": {\"team\": 5}}", 4),
                Arguments.of("POST", "/channels/messaging/query/query", "{}", 4),
                Arguments.of("PATCH", "/channels/messaging/bad", "{\"set\": {\"name\": 5}}", 4),
                Arguments.of("POST", "/channels/messaging/bad/message", "{\"message\": {\"id\": \"history\"}}", 4));
    }

    @ParameterizedTest(name = "{0} {1} {2} fails with code {3}")
    @MethodSource("requests")
    void malformedChatRequestFailsWithItsCodeAndNeverA500(String method, String path, String body, int code) {
        RestClient.Response r = RestClient.user(server, "ann").call(method, path, body);

        assertThat(r.status()).isBetween(400, 499);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.body().has("StatusCode")).isTrue();
        assertThat(RestClient.user(server, "ann")
                        .get("/messages/bad-msg")
                        .body()
                        .path("message")
                        .path("text")
                        .asText())
                .isEqualTo("kept");
    }
}
