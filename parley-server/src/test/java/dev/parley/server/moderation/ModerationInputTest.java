package dev.parley.server.moderation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The input rules shared by mutes and bans: target lists and expiries. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModerationInputTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static ObjectNode body(String json) {
        return Json.parseObject(json, "body");
    }

    @Test
    void targetsMergeBothSpellingsWithoutDuplicates() {
        assertThat(Moderation.targets(
                        body("{\"channel_cid\": \"a:1\", \"channel_cids\": [\"a:2\", \"a:1\"]}"),
                        "channel_cid",
                        "channel_cids",
                        "X"))
                .containsExactly("a:1", "a:2");
        assertThat(Moderation.targets(
                        body("{\"target_id\": \"bob\", \"target_ids\": null}"), "target_id", "target_ids", "X"))
                .containsExactly("bob");
    }

    @Test
    void missingEmptyOrMistypedTargetsAreCode4() {
        for (String json : new String[] {
            "{}",
            "{\"target_id\": \"\"}",
            "{\"target_id\": 5}",
            "{\"target_ids\": \"bob\"}",
            "{\"target_ids\": []}",
            "{\"target_ids\": [1]}"
        }) {
            assertThatThrownBy(() -> Moderation.targets(body(json), "target_id", "target_ids", "X"))
                    .as(json)
                    .isInstanceOfSatisfying(
                            ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        }
        StringBuilder many = new StringBuilder("{\"target_ids\": [");
        for (int i = 0; i <= Moderation.MAX_TARGETS; i++) {
            many.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
        }
        assertThatThrownBy(() -> Moderation.targets(body(many + "]}"), "target_id", "target_ids", "X"))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void expiryCountsMinutesOrMillisecondsFromNow() {
        assertThat(Moderation.expiry(null, "timeout", Duration.ofMinutes(1), NOW))
                .isNull();
        assertThat(Moderation.expiry(Json.parse("15", "t"), "timeout", Duration.ofMinutes(1), NOW))
                .isEqualTo(NOW.plus(Duration.ofMinutes(15)));
        assertThat(Moderation.expiry(Json.parse("1500", "t"), "expiration", Duration.ofMillis(1), NOW))
                .isEqualTo(NOW.plusMillis(1500));
    }

    @Test
    void expiryRefusesNonPositiveHugeAndNonNumericValues() {
        for (String v : new String[] {"0", "-3", "\"10\"", "1e300", "true"}) {
            assertThatThrownBy(() -> Moderation.expiry(Json.parse(v, "t"), "timeout", Duration.ofMinutes(1), NOW))
                    .as(v)
                    .isInstanceOfSatisfying(
                            ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        }
    }
}
