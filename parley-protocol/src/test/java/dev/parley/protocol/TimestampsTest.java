package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2026-01-02T03:04:05.123456789+02:00"})
    void timestampsOfFourDigitYearsParseAndHaveMicroseconds(String text) {
        Instant at = Timestamps.parse(text, "at");

        assertThat(Timestamps.fromMicros(Timestamps.toMicros(at))).isEqualTo(at);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+99999-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "-0001-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00"})
    void timestampsOutsideTheYears0To9999AreCode4NamingTheField(String text) {
        assertThatThrownBy(() -> Timestamps.parse(text, "last_sync_at"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).startsWith("last_sync_at: ").contains("out of range");
                });
    }
}
