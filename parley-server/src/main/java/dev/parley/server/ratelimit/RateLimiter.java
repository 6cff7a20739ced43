package dev.parley.server.ratelimit;

import java.time.Instant;

/**
 * Counters of calls in fixed windows, shared by everything that limits a rate of calls across the app:
 * REST calls per user and per endpoint, connects, wrong admin secrets per source address. One node keeps
 * them in memory ({@link InMemoryRateLimiter}); a cluster keeps them in a store every node shares, so that
 * a limit holds across nodes, not per node.
 *
 * <p>Windows are aligned to multiples of the window length since the epoch, so every node agrees on where
 * a window ends without talking to the others. Implementations are thread-safe; they may block (a shared
 * store is a network call), so call them from a virtual thread, never from an event loop.
 */
public interface RateLimiter {

    /**
     * The state of one counter after a call.
     *
     * @param limit the most calls the window allows
     * @param count calls counted in the window, never more than {@code limit}
     * @param allowed whether this call was within the limit (and was counted)
     * @param resetEpochSecond when the window ends, in Unix seconds
     */
    record Usage(int limit, int count, boolean allowed, long resetEpochSecond) {
        /** Calls left in the window. */
        public int remaining() {
            return Math.max(0, limit - count);
        }
    }

    /**
     * Counts one call on {@code key} when the window of {@code now} has room for it.
     *
     * @return the usage after the call; {@code allowed} is false (and nothing is counted) when the window
     *     already held {@code limit} calls
     */
    Usage acquire(String key, int limit, Instant now);

    /** The usage of {@code key} in the window of {@code now}, counting nothing. */
    Usage peek(String key, int limit, Instant now);
}
