package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NulGuardTest {
    private static boolean found(String json) {
        boolean chars = NulGuard.hasNulEscape(json);
        assertThat(NulGuard.hasNulEscape(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(chars);
        return chars;
    }

    @Test
    void theEscapeOfANulIsFoundButAnEscapedBackslashBeforeU0000IsText() {
        assertThat(found("{\"name\":\"a\\u0000\"}")).isTrue();
        assertThat(found("{\"name\":\"a\\\\\\u0000\"}"))
                .as("an escaped backslash, then the escape")
                .isTrue();
        assertThat(found("{\"name\":\"a\\\\u0000\"}"))
                .as("a backslash followed by the text u0000")
                .isFalse();
        assertThat(found("{\"name\":\"a\\u00001\"}")).isTrue();
        assertThat(found("{\"name\":\"a\\u0001\"}")).isFalse();
        assertThat(found("\\u000")).isFalse();
    }

    @Test
    void aJsonBodyCalledMultipartIsCheckedAsTheJsonItIsReadAs() {
        Router.Handler handler = ctx -> Json.object().set("body", ctx.body());
        Router.Handler guarded = NulGuard.guard(handler);
        HttpCall call = new HttpCall(
                "POST",
                "/users/unblock",
                Map.of(),
                Map.of("content-type", "multipart/form-data; boundary=x"),
                "{\"blocked_user_id\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> guarded.handle(new RequestContext(null, call, Map.of(), "POST /users/unblock")))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("NUL");
    }
}
