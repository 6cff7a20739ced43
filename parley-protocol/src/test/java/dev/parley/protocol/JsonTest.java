package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"a\": 1} x",
                "{\"a\": 1}{}",
                "[1] 2",
                "{\"text\": \"\\ud800\"}",
                "{\"\\udc00\": 1}",
                "{\"text\": \"a\\ud800b\"}",
                "{\"n\": 1e400}",
                "{\"n\": -1e400}",
                "[[1.7976931348623157e309]]"
            })
    void inputThatCannotBeKeptAsSentIsCode4NamingTheInput(String text) {
        assertThatThrownBy(() -> Json.parse(text.getBytes(StandardCharsets.UTF_8), "request body"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).startsWith("request body ").doesNotContain("DeserializationFeature");
                });
        assertThatThrownBy(() -> Json.parse(text, "payload")).isInstanceOf(ChatException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"text\": \"\\ud83d\\ude00 ok\"}", "{\"n\": 1e300}", "{\"a\": [1, 2]}  \n"})
    void validJsonWithPairedSurrogatesAndFiniteNumbersParses(String text) {
        assertThat(Json.parse(text, "body").isObject()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aRequestNestedDeeperThan64LevelsIsCode4WhileAnAnswerWrappingSuchDataStillReads() {
        String stored = "[".repeat(Json.MAX_DEPTH - 1) + "]".repeat(Json.MAX_DEPTH - 1);
        assertThat(Json.parseRequest("{\"a\":" + stored + "}", "request body").isObject())
                .isTrue();
        assertThatThrownBy(() -> Json.parseRequest("{\"a\":[" + stored + "]}", "request body"))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("nested deeper than 64 levels");
        String answer = "{\"channels\":[{\"messages\":[{\"quoted_message\":{\"a\":" + stored + "}}]}]}";
        assertThat(Json.parse(answer, "answer").path("channels").isArray()).isTrue();
    }
}
