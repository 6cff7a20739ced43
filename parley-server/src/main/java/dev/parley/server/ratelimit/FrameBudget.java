package dev.parley.server.ratelimit;

import java.time.Instant;

/**
 * How many frames one socket may send in a minute. A socket lives on one node, so its budget is a plain
 * counter owned by the socket's event loop, not a {@link RateLimiter} entry: counting a frame must never
 * wait for a shared store. Not thread-safe: use it from the socket's event loop only.
 */
public final class FrameBudget {
    private final int limit;
    private final WindowCounter counter = new WindowCounter(RateLimits.WINDOW.toMillis());

    FrameBudget(int limit) {
        this.limit = limit;
    }

    /** Counts one frame; false once the socket has sent {@link #limit()} frames in the current minute. */
    public boolean tryFrame(Instant now) {
        return counter.tryAcquire(now.toEpochMilli(), limit);
    }

    public int limit() {
        return limit;
    }
}
