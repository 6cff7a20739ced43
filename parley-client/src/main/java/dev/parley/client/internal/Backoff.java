package dev.parley.client.internal;

import java.time.Duration;
import java.util.function.LongBinaryOperator;

/**
 * The reconnect delay of PROTOCOL.md §3.5: with {@code n} consecutive failures, a random delay between
 * {@code min(max(250, (n-1)*2000), 25000)} and {@code min(500 + n*2000, 25000)} milliseconds.
 * Thread-safe when its random source is.
 */
public final class Backoff {
    static final long CAP_MS = 25_000;

    /** A random long from its first argument (inclusive) to its second (exclusive). */
    private final LongBinaryOperator random;

    public Backoff(LongBinaryOperator random) {
        this.random = random;
    }

    /** The delay before the next attempt after {@code failures} consecutive failures (at least 0). */
    public Duration delay(int failures) {
        if (failures < 0) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: >= 0)");
        }
        long n = failures;
        long min = Math.min(Math.max(250, (n - 1) * 2000), CAP_MS);
        long max = Math.min(500 + n * 2000, CAP_MS);
        return Duration.ofMillis(min == max ? min : random.applyAsLong(min, max + 1));
    }
}
