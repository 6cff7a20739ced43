package dev.parley.server.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding a send's {@code message} once: the fields it reads and the type errors of {@link MessageDocs}. */
class SendRequestTest {
    private static final List<String> FIELDS = List.of(
            "silent",
            "pinned",
            "show_in_channel",
            "id",
            "text",
            "type",
            "parent_id",
            "quoted_message_id",
            "pin_expires");

    private static ObjectNode body(String message) {
        return Json.parseObject("{\"message\": " + message + "}", "body");
    }

    @Test
    void eachFieldOfTheWrongTypeFailsWithCode4AndTheWordsOfCheckTypes() {
        for (String field : FIELDS) {
            for (String wrong : List.of("5", "\"x\"", "true", "[]", "{}")) {
                ObjectNode body = body("{\"" + field + "\": " + wrong + "}");
                ChatException expected = catchThrowableOfType(
                        ChatException.class,
                        () -> MessageDocs.checkTypes((ObjectNode) body.get("message"), "message."));

                ChatException actual = catchThrowableOfType(ChatException.class, () -> SendRequest.of(body));

                if (expected == null) {
                    assertThat(actual).as(field + ": " + wrong).isNull();
                } else {
                    assertThat(actual).as(field + ": " + wrong).isNotNull();
                    assertThat(actual.code()).isEqualTo(4);
                    assertThat(actual.getMessage()).isEqualTo(expected.getMessage());
                }
            }
        }
    }

    @Test
    void severalWrongFieldsNameTheSameFirstFieldAsCheckTypes() {
        ObjectNode body = body(
                "{\"pin_expires\": 1, \"text\": 2, \"id\": 3, \"show_in_channel\": \"a\", \"silent\": \"b\", \"type\": 4}");
        ChatException expected = catchThrowableOfType(
                ChatException.class, () -> MessageDocs.checkTypes((ObjectNode) body.get("message"), "message."));

        assertThatThrownBy(() -> SendRequest.of(body))
                .isInstanceOf(ChatException.class)
                .hasMessage(expected.getMessage())
                .hasMessage("message.silent must be a boolean");
    }

    @Test
    void aMissingOrNonObjectMessageFailsWithCode4() {
        for (String body : List.of("{}", "{\"message\": null}", "{\"message\": []}", "{\"message\": \"hi\"}")) {
            assertThatThrownBy(() -> SendRequest.of(Json.parseObject(body, "body")))
                    .as(body)
                    .isInstanceOf(ChatException.class)
                    .hasMessage("message is required and must be an object");
        }
    }

    @Test
    void absentNullAndEmptyFieldsReadAsDefaults() {
        SendRequest r = SendRequest.of(body(
                "{\"id\": \"\", \"text\": null, \"parent_id\": \"\", \"quoted_message_id\": \"\", \"pinned\": null}"));

        assertThat(r.id()).isNull();
        assertThat(r.text()).isEmpty();
        assertThat(r.type()).isNull();
        assertThat(r.parentId()).isNull();
        assertThat(r.quotedMessageId()).isNull();
        assertThat(r.pinExpires()).isNull();
        assertThat(r.pinned()).isFalse();
        assertThat(r.silent()).isFalse();
        assertThat(r.showInChannel()).isFalse();
        assertThat(r.attachments()).isNull();
        assertThat(r.mentionedUsers()).isNull();
        assertThat(r.authorId()).isEmpty();
    }

    @Test
    void theFieldsAreReadFromTheRequestsOwnTree() {
        ObjectNode body = body("{\"id\": \"m1\", \"text\": \"hi\", \"type\": \"system\", \"parent_id\": \"p\","
                + " \"show_in_channel\": true, \"silent\": true, \"pinned\": true,"
                + " \"pin_expires\": \"2026-01-01T00:00:00Z\", \"quoted_message_id\": \"q\","
                + " \"attachments\": [{\"type\": \"file\"}], \"mentioned_users\": [\"bob\"], \"user\": {\"id\": \"ann\"},"
                + " \"color\": \"red\"}");

        SendRequest r = SendRequest.of(body);

        assertThat(r.json()).isSameAs(body.get("message"));
        assertThat(r.id()).isEqualTo("m1");
        assertThat(r.text()).isEqualTo("hi");
        assertThat(r.type()).isEqualTo("system");
        assertThat(r.parentId()).isEqualTo("p");
        assertThat(r.showInChannel()).isTrue();
        assertThat(r.silent()).isTrue();
        assertThat(r.pinned()).isTrue();
        assertThat(r.pinExpires()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(r.quotedMessageId()).isEqualTo("q");
        assertThat(r.attachments()).isSameAs(body.get("message").get("attachments"));
        assertThat(r.mentionedUsers()).isSameAs(body.get("message").get("mentioned_users"));
        assertThat(r.authorId()).isEqualTo("ann");
    }

    @Test
    void userIdWinsOverUserDotIdForTheAuthor() {
        assertThat(SendRequest.of(body("{\"user_id\": \"bob\", \"user\": {\"id\": \"ann\"}}"))
                        .authorId())
                .isEqualTo("bob");
    }
}
