package dev.parley.server.ratelimit;

/**
 * One fixed-window counter. Not thread-safe: its owner guards it (a lock of {@link InMemoryRateLimiter}, or
 * the event loop of one socket).
 */
final class WindowCounter {
    private final long windowMillis;
    private long windowStart = Long.MIN_VALUE;
    private int count;

    WindowCounter(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** Counts one call when the window of {@code nowMillis} holds fewer than {@code limit}; false otherwise. */
    boolean tryAcquire(long nowMillis, int limit) {
        roll(nowMillis);
        if (count >= limit) {
            return false;
        }
        count++;
        return true;
    }

    /** Calls counted in the window of {@code nowMillis}. */
    int count(long nowMillis) {
        roll(nowMillis);
        return count;
    }

    /** Whether the window this counter last counted in has ended by {@code nowMillis}. */
    boolean expired(long nowMillis) {
        return windowStart(nowMillis) != windowStart;
    }

    long windowEndMillis(long nowMillis) {
        return windowStart(nowMillis) + windowMillis;
    }

    private void roll(long nowMillis) {
        long start = windowStart(nowMillis);
        if (start != windowStart) {
            windowStart = start;
            count = 0;
        }
    }

    private long windowStart(long nowMillis) {
        return Math.floorDiv(nowMillis, windowMillis) * windowMillis;
    }
}
