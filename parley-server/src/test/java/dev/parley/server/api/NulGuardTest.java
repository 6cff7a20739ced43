package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
}
