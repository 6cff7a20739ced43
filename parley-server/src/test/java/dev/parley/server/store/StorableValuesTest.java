package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorableValuesTest {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

    private static User withCustom(String key, JsonNode value) {
        return User.create("ann", T0).toBuilder().custom(Map.of(key, value)).build();
    }

    private static void assertRefused(User u, String messagePart) {
        assertThatThrownBy(() -> StorableValues.checkUser(u))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(4))
                .hasMessageContaining(messagePart);
    }

    @Test
    void aNulAnywhereInTheUserIsRefusedWithItsPath() {
        JsonNode nested = Json.parse("{\"a\":[1,{\"b\":\"x\\u0000\"}]}", "test");
        JsonNode nulKey = Json.parse("{\"k\\u0000\":1}", "test");

        assertRefused(withCustom("name", Json.mapper().valueToTree("a\u0000b")), "user 'ann': name contains a NUL");
        assertRefused(withCustom("prefs", nested), "prefs.a[1].b contains a NUL");
        assertRefused(withCustom("prefs", nulKey), "prefs.k?");
        assertRefused(withCustom("k\u0000", Json.object()), "user 'ann': k? contains a NUL");
        assertRefused(
                User.create("ann", T0).toBuilder().teams(List.of("red\u0000")).build(), "teams");
        assertRefused(User.create("ann", T0).toBuilder().role("admin\u0000").build(), "role");
    }

    @Test
    void loneSurrogatesAreRefusedAndPairsAreKept() {
        assertRefused(withCustom("name", Json.mapper().valueToTree("end\ud83d")), "lone surrogate (U+D83D)");
        assertRefused(withCustom("name", Json.mapper().valueToTree("\ude00start")), "lone surrogate (U+DE00)");
        assertThatCode(() -> StorableValues.checkUser(
                        withCustom("name", Json.mapper().valueToTree("smile \ud83d\ude00"))))
                .doesNotThrowAnyException();
    }

    @Test
    void numbersMustBeFiniteAndFitNumeric() {
        assertRefused(
                withCustom("score", DoubleNode.valueOf(Double.POSITIVE_INFINITY)), "score is a number out of range");
        assertRefused(withCustom("score", DoubleNode.valueOf(Double.NaN)), "out of range");
        assertRefused(withCustom("score", DecimalNode.valueOf(new BigDecimal("1e200000"))), "out of range");
        assertThatCode(() -> StorableValues.checkUser(withCustom("big", Json.parse("9".repeat(1000), "test"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> StorableValues.checkUser(withCustom("pi", Json.parse("3.14159", "test"))))
                .doesNotThrowAnyException();
    }

    @Test
    void indexedTextIsBounded() {
        assertRefused(User.create("ann", T0).toBuilder().role("r".repeat(256)).build(), "role is 256 characters long");
        assertRefused(withCustom("name", Json.mapper().valueToTree("\u00e9".repeat(1025))), "name is 2050 bytes");
        assertThatCode(() -> StorableValues.checkUser(
                        withCustom("name", Json.mapper().valueToTree("n".repeat(2048)))))
                .doesNotThrowAnyException();
    }

    @Test
    void printableReplacesControlsAndLoneSurrogatesAndCutsLongText() {
        assertThat(StorableValues.printable("a\u0000b\nc\ud800")).isEqualTo("a?b?c?");
        assertThat(StorableValues.printable("x".repeat(100))).isEqualTo("x".repeat(64) + "…");
    }
}
