package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class BackoffTest {
    final Backoff backoff = new Backoff(new SplittableRandom(7)::nextLong);

    void assertRange(int failures, long minMs, long maxMs) {
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(failures)).isBetween(Duration.ofMillis(minMs), Duration.ofMillis(maxMs));
        }
    }

    @Test
    void delaysFollowTheRangesOfSection35() {
        assertRange(0, 250, 500);
        assertRange(1, 250, 2500);
        assertRange(2, 2000, 4500);
        assertRange(3, 4000, 6500);
    }

    @Test
    void delaysAreCappedAtTwentyFiveSeconds() {
        assertRange(13, 24_000, 25_000);
        assertThat(backoff.delay(100)).isEqualTo(Duration.ofSeconds(25));
    }

    @Test
    void aNegativeFailureCountIsRefused() {
        assertThatThrownBy(() -> backoff.delay(-1)).hasMessage("failures: -1 (expected: >= 0)");
    }
}
