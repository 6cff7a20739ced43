package dev.parley.server.messages;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The exact bytes of a send's answer, its {@code message.new} and a reaction's answer, for a message that uses
 * every field a send takes (text, attachments, mentions, custom fields, a quote, a pin, a thread parent); the
 * expected documents are in {@code send-response-bytes/}. The clock stands still, so every timestamp is fixed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SendResponseBytesTest {
    private static final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private static final String ANN = "golden-ann";
    private static final String BOB = "golden-bob";
    private static final String CHANNEL = "golden-room";

    @BeforeAll
    static void seed() {
        Seed.users(server, json("id", ANN, "name", "Ann"), json("id", BOB, "name", "Bob", "team", "blue"));
        Seed.messaging(server, ANN, CHANNEL, ANN, BOB);
        send(ANN, json("id", "golden-parent", "text", "the thread"));
        send(BOB, Json.parseObject("""
                {"id": "golden-quoted", "text": "quote me", "attachments": [{"type": "file"}], "mood": "ok"}""", "m"));
    }

    private static RestClient.Response send(String as, ObjectNode message) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + CHANNEL + "/message", json("message", message));
    }

    private static String expected(String name) throws IOException {
        try (InputStream in = SendResponseBytesTest.class.getResourceAsStream("send-response-bytes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** The answer without its {@code duration}, the one field that varies from run to run. */
    private static String withoutDuration(String text) {
        return text.replaceFirst(",\"duration\":\"[^\"]*\"}$", "}");
    }

    @Test
    @Order(1)
    void aSendWithEveryFieldAnswersAndAnnouncesTheSameBytesAsBefore() throws IOException {
        try (WsProbe bobWs = WsProbe.connect(server, BOB, server.userToken(BOB), Json.object())) {
            String conn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, BOB)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + CHANNEL + "/query", json("watch", true));

            RestClient.Response r =
                    RestClient.user(server, ANN).post("/channels/messaging/" + CHANNEL + "/message", """
                            {"message": {
                              "id": "golden-message",
                              "text": "Hi <b>Bob</b> & \\"all\\"\\nsecond line \\u00e9\\ud83d\\ude00",
                              "attachments": [
                                {"type": "image", "image_url": "https://example.com/a.png"},
                                {"type": "file", "title": "b.pdf", "file_size": 1234, "extra": null}
                              ],
                              "mentioned_users": ["golden-bob", {"id": "golden-ann"}, "nobody", "golden-bob"],
                              "color": "red",
                              "priority": 2,
                              "ratio": 2.50,
                              "big": 12345678901,
                              "nested": {"a": [1, 2.5, true, "x", null], "b": {"c": null}},
                              "dropped": null,
                              "html": "<p>ignored</p>",
                              "created_at": "2020-01-01T00:00:00Z",
                              "reply_count": 7,
                              "quoted_message_id": "golden-quoted",
                              "pinned": true,
                              "pin_expires": "2026-04-01T00:00:00.123456789+02:00",
                              "parent_id": "golden-parent",
                              "show_in_channel": true,
                              "silent": false
                            }}""");
            ObjectNode event = bobWs.next("message.new");

            assertThat(r.status()).isEqualTo(200);
            assertThat(withoutDuration(r.text())).isEqualTo(expected("send.json"));
            assertThat(Json.write(event)).isEqualTo(expected("message-new.json"));
        }
    }

    @Test
    @Order(2)
    void aReactionWithCustomFieldsAnswersTheSameBytesAsBefore() throws IOException {
        send(BOB, json("id", "golden-reacted", "text", "react to me"));

        RestClient.Response r = RestClient.user(server, ANN).post("/messages/golden-reacted/reaction", """
                        {"reaction": {
                          "type": "love",
                          "emoji_code": "heart",
                          "score": 3,
                          "weight": 1.50,
                          "big": 12345678901,
                          "huge": 123456789012345678901234567890,
                          "tags": ["a", {"b": null}],
                          "gone": null,
                          "user_id": "ignored",
                          "message_id": "other",
                          "created_at": "2020-01-01T00:00:00Z"
                        }, "enforce_unique": false}""");

        assertThat(r.status()).isEqualTo(200);
        assertThat(withoutDuration(r.text())).isEqualTo(expected("reaction.json"));
    }
}
