package dev.parley.server.events;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The per-channel locks that serialise every change of one channel (so that message order, reply counts,
 * reaction totals and event sequence numbers are never lost or reordered) while channels proceed in parallel.
 * Striped: a fixed number of reentrant locks, a channel maps to one of them by its id.
 *
 * <p>Thread-safe. Hold them on virtual threads only, never on an event loop.
 */
public final class ChannelLocks {
    private static final int STRIPES = 1024;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    /** Per stripe, the last message time handed out; read and written under the stripe's lock only. */
    private final @Nullable Instant[] lastTimes = new Instant[STRIPES];

    public ChannelLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Runs {@code work} holding the lock of channel {@code cid}. */
    public <T> T underLock(String cid, Supplier<T> work) {
        ReentrantLock lock = locks[stripe(cid)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The creation time of a new message of channel {@code cid}: {@code now}, unless that is not after
     * {@code floor} (the channel's stored last message) or after the last time handed out on this node to a
     * channel of the same stripe; then one microsecond after the later of them. Message times of a channel are
     * thus strictly increasing without reading the channel again under its lock. Call holding the channel's lock.
     */
    public Instant nextMessageTime(String cid, Instant now, @Nullable Instant floor) {
        int i = stripe(cid);
        if (!locks[i].isHeldByCurrentThread()) {
            throw new IllegalStateException("nextMessageTime needs the lock of channel " + cid);
        }
        Instant t = now.truncatedTo(ChronoUnit.MICROS); // the precision the protocol and the stores keep
        Instant after = lastTimes[i];
        if (floor != null && (after == null || floor.isAfter(after))) {
            after = floor;
        }
        if (after != null && !t.isAfter(after)) {
            t = after.plus(1, ChronoUnit.MICROS);
        }
        lastTimes[i] = t;
        return t;
    }

    private static int stripe(String cid) {
        return (cid.hashCode() & 0x7fffffff) % STRIPES;
    }
}
