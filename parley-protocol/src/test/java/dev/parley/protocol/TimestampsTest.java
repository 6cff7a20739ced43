package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2026-01-02T03:04:05.123456789+02:00"})
    void timestampsOfFourDigitYearsParseAndHaveMicroseconds(String text) {
        Instant at = Timestamps.parse(text, "at");

        assertThat(Timestamps.fromMicros(Timestamps.toMicros(at))).isEqualTo(at);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+99999-01-01T00:00:00Z",
                "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z",
                "-0001-12-31T23:59:59Z",
                "9999-12-31T23:59:59-01:00"
            })
    void timestampsOutsideTheYears0To9999AreCode4NamingTheField(String text) {
        assertThatThrownBy(() -> Timestamps.parse(text, "last_sync_at"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).startsWith("last_sync_at: ").contains("out of range");
                });
    }

    @Test
    void formatWritesWhatTheIsoFormatterWritesAcrossTheYearsItAccepts() {
        java.time.format.DateTimeFormatter iso = java.time.format.DateTimeFormatter.ofPattern(
                        "uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(42);
        long min = Timestamps.MIN.getEpochSecond();
        long max = Timestamps.MAX.getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            java.time.Instant t = java.time.Instant.ofEpochSecond(
                    min + (long) (random.nextDouble() * (max - min)), random.nextInt(1_000_000_000));
            assertThat(Timestamps.format(t)).isEqualTo(iso.format(t));
        }
        assertThat(Timestamps.format(Timestamps.MIN)).isEqualTo("0000-01-01T00:00:00.000000Z");
        assertThat(Timestamps.format(Timestamps.MAX)).isEqualTo("9999-12-31T23:59:59.999999Z");
        assertThat(Timestamps.format(java.time.Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000000Z");
    }
}
