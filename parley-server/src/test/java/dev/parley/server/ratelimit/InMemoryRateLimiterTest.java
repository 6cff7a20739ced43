package dev.parley.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InMemoryRateLimiterTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:15Z");
    private static final long NEXT_MINUTE =
            Instant.parse("2026-03-01T10:01:00Z").getEpochSecond();

    private final InMemoryRateLimiter limiter = new InMemoryRateLimiter(Duration.ofMinutes(1), 1024);

    @Test
    void countsUpToTheLimitThenRefusesWithoutCountingUntilTheMinuteEnds() {
        for (int i = 1; i <= 3; i++) {
            RateLimiter.Usage u = limiter.acquire("k", 3, T0.plusSeconds(i));
            assertThat(u.allowed()).isTrue();
            assertThat(u.remaining()).isEqualTo(3 - i);
            assertThat(u.resetEpochSecond()).isEqualTo(NEXT_MINUTE);
        }
        RateLimiter.Usage refused = limiter.acquire("k", 3, T0.plusSeconds(44));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.count()).isEqualTo(3);
        assertThat(refused.remaining()).isZero();
        assertThat(limiter.acquire("other", 3, T0).allowed()).isTrue();

        RateLimiter.Usage next = limiter.acquire("k", 3, T0.plusSeconds(45));
        assertThat(next.allowed()).isTrue();
        assertThat(next.remaining()).isEqualTo(2);
        assertThat(next.resetEpochSecond()).isEqualTo(NEXT_MINUTE + 60);
    }

    @Test
    void peekCountsNothing() {
        limiter.acquire("k", 5, T0);
        assertThat(limiter.peek("k", 5, T0).remaining()).isEqualTo(4);
        assertThat(limiter.peek("k", 5, T0).remaining()).isEqualTo(4);
        assertThat(limiter.peek("never", 5, T0).remaining()).isEqualTo(5);
        assertThat(limiter.peek("never", 5, T0).resetEpochSecond()).isEqualTo(NEXT_MINUTE);
        assertThat(limiter.size()).isEqualTo(1);
    }

    @Test
    void keysNeverOutgrowTheBoundAndEndedWindowsGoFirst() {
        for (int i = 0; i < 50_000; i++) {
            limiter.acquire("flood-" + i, 10, T0);
        }
        assertThat(limiter.size()).isLessThanOrEqualTo(1024);

        InMemoryRateLimiter small = new InMemoryRateLimiter(Duration.ofMinutes(1), 16);
        small.acquire("old", 1, T0);
        for (int i = 0; i < 200; i++) {
            small.acquire("new-" + i, 1, T0.plusSeconds(60));
        }
        assertThat(small.size()).isLessThanOrEqualTo(16);
    }
}
