package dev.parley.server.channels;

import dev.parley.server.store.ChatRows.ChannelRow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Paces {@code user.watching.start} / {@code user.watching.stop} of large channels (PROTOCOL.md §4.4).
 *
 * <p>Each such event goes to every other watcher, so N users starting to watch one channel cost N²/2
 * frames: 12.5 million at 5,000 watchers, which is what kept the W3 benchmark's watches from finishing.
 * Up to {@link #LARGE} watching users a channel gets every event at once, as before. Above it, a
 * channel gets at most one watching event per interval: {@link #INTERVAL_NANOS}, or longer in a channel so large
 * that one event a second would cost more than {@link #FRAMES_PER_SECOND} frames a second (an interval of
 * watchers / 10,000 seconds: 9.5 s at 95,000 watchers, where one event a second took a whole core). An event
 * inside the interval replaces the one waiting, and the waiting one is sent at the end of the interval with
 * the watcher count of that moment. Clients therefore always end with the right {@code watcher_count} (it is also in
 * every {@code message.new}); in a large channel they see the latest watcher change of each second
 * rather than every one, as Stream throttles typing and read events above 100 watchers.
 *
 * <p>In a cluster the interval is the channel's, not the node's ({@link Gate}): every node's events reach every
 * watcher, so three nodes pacing alone would send three events a second to each of them. At 45,000 watchers over
 * three nodes sharing a core that was more than the core could write, and the backlog held up everything behind it.
 *
 * <p>Thread-safe. Holds one entry per large channel with an event in its current interval.
 */
final class WatchingEvents {
    /** Watching users above which a channel's watching events are paced. */
    static final int LARGE = 100;

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The frames a second a large channel's watching events may cost at most (each goes to every watcher). */
    static final int FRAMES_PER_SECOND = 10_000;

    /** The interval of a channel with {@code watchers} watching users. */
    static long intervalFor(int watchers) {
        return Math.max(INTERVAL_NANOS, watchers * (TimeUnit.SECONDS.toNanos(1) / FRAMES_PER_SECOND));
    }

    /** Sends one watching event now. */
    interface Sender {
        void send(String kind, String userId, ChannelRow ch);
    }

    /**
     * Who may send a large channel's next watching event: a node alone always may; in a cluster one node per
     * interval does (docs/PROTOCOL.md §8.5). May block briefly.
     */
    interface Gate {
        /** A gate that always lets the event through: a node alone. */
        Gate OPEN = (cid, nanos) -> 0;

        /**
         * Claims {@code cid}'s next interval of {@code intervalNanos}: 0 when this node may send now, else how long
         * until another node's interval ends.
         */
        long claim(String cid, long intervalNanos);
    }

    /** Runs a task after a delay, on a thread that may block. */
    interface Scheduler {
        void after(long nanos, Runnable task);
    }

    private record Pending(String kind, String userId, ChannelRow ch) {}

    private static final class Window {
        long sentAt;
        /** The channel's interval, from its latest watcher count. */
        long interval = INTERVAL_NANOS;
        /** The event that waits for the end of the interval; null when none waits. */
        @Nullable
        Pending pending;
        /** Removed from the map: a late caller must take a fresh window. */
        boolean closed;
    }

    private final Sender sender;
    private final Gate gate;
    private final Scheduler scheduler;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    WatchingEvents(Sender sender, Gate gate, Scheduler scheduler, LongSupplier nanoTime) {
        this.sender = sender;
        this.gate = gate;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
    }

    /** A user started or stopped watching {@code ch}, which now has {@code watchers} watching users. */
    void changed(String kind, String userId, ChannelRow ch, int watchers) {
        String cid = ch.cid();
        if (watchers <= LARGE && !windows.containsKey(cid)) {
            sender.send(kind, userId, ch);
            return;
        }
        long now = nanoTime.getAsLong();
        long interval = intervalFor(watchers);
        boolean sendNow;
        long wait = 0;
        Window w;
        while (true) {
            w = windows.computeIfAbsent(cid, k -> {
                Window fresh = new Window();
                fresh.sentAt = now - interval;
                return fresh;
            });
            synchronized (w) {
                if (w.closed) {
                    continue;
                }
                w.interval = interval;
                if (w.pending == null && now - w.sentAt >= interval) {
                    w.sentAt = now;
                    sendNow = true;
                } else {
                    sendNow = false;
                    boolean first = w.pending == null;
                    w.pending = new Pending(kind, userId, ch);
                    wait = first ? Math.max(0, w.sentAt + interval - now) : -1;
                }
                break;
            }
        }
        if (sendNow) {
            send(cid, w, new Pending(kind, userId, ch), interval);
        } else if (wait >= 0) {
            scheduler.after(wait, () -> flush(cid));
        }
    }

    /**
     * Sends {@code p} if the gate lets this node have the channel's interval, then looks again at its end;
     * otherwise keeps it waiting (unless a later event took its place) until the other node's interval ends.
     */
    private void send(String cid, Window w, Pending p, long interval) {
        long busy = gate.claim(cid, interval);
        if (busy > 0) {
            synchronized (w) {
                if (w.pending == null) {
                    w.pending = p;
                }
            }
            scheduler.after(busy, () -> flush(cid));
            return;
        }
        sender.send(p.kind(), p.userId(), p.ch());
        scheduler.after(interval, () -> flush(cid));
    }

    /** End of an interval: sends the waiting event, or forgets the channel when nothing waits. */
    private void flush(String cid) {
        Window w = windows.get(cid);
        if (w == null) {
            return;
        }
        Pending p;
        long interval;
        synchronized (w) {
            p = w.pending;
            w.pending = null;
            interval = w.interval;
            if (p == null) {
                if (nanoTime.getAsLong() - w.sentAt >= interval) {
                    w.closed = true;
                    windows.remove(cid, w);
                }
                return;
            }
            w.sentAt = nanoTime.getAsLong();
        }
        send(cid, w, p, interval);
    }

    /** Channels with an open interval (for tests). */
    int open() {
        return windows.size();
    }
}
