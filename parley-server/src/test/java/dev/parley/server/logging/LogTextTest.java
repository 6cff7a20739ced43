package dev.parley.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void controlCharactersAreEscapedSoThatNoClientCanSplitOrForgeALogLine() {
        String escaped = LogText.escape("/users/a\nERROR forged\r\u0000\u001b[31m\\");

        assertThat(escaped).isEqualTo("/users/a\\nERROR forged\\r\\u0000\\u001b[31m\\\\");
        assertThat(escaped.chars().noneMatch(Character::isISOControl)).isTrue();
    }

    @Test
    void longTextIsCutWithACountOfWhatWasLeftOut() {
        String escaped = LogText.escape("x".repeat(LogText.MAX_CHARS + 10));

        assertThat(escaped).hasSize(LogText.MAX_CHARS + "...(10 more)".length()).endsWith("...(10 more)");
    }
}
