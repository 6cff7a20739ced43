package dev.parley.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.parley.server.store.ChatRows.StoredEvent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each channel's stored events to this node's watchers in sequence order, each once, whichever node
 * published them and whatever Redis lost (docs/PROTOCOL.md §8.5). Per channel it keeps the last sequence number
 * delivered: an event at or below it is a duplicate and dropped; the next one is delivered; one further ahead
 * is held while the missing ones are read from the store, which has them (a channel's number is taken under a
 * transaction lock, so a later number is committed after every earlier one). Events for one user only are not
 * filled (they travel on that user's topic); their numbers are skipped.
 *
 * <p>Bounds: a channel holds at most {@link #MAX_HELD} events and fills at most {@link #MAX_GAP} at once; past
 * either, {@code tooFar} runs for the channel (its watchers are closed with a code on which clients reconnect
 * and query it again) and the channel starts over. Thread-safe; delivery runs under the channel's lock and must
 * not block; fills run on {@code fills}.
 */
public final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    static final int MAX_HELD = 1_000;
    static final int MAX_GAP = 300;

    /** The store's side: the stored events of a channel from {@code from} to {@code to}, in order. */
    public interface Store {
        List<StoredEvent> read(String cid, long from, long to);
    }

    /** One channel's position. */
    private static final class Channel {
        /** The last number delivered; -1 before the first. */
        long last = -1;

        final TreeMap<Long, Held> held = new TreeMap<>();
        boolean filling;
    }

    /** An event waiting for its turn: what delivers it, and what releases it if it never gets one. */
    private record Held(Runnable deliver, Runnable drop) {}

    private static final Held MARKER = new Held(() -> {}, () -> {});

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Store store;
    private final Executor fills;
    private final Consumer<StoredEventDelivery> deliverStored;
    private final Consumer<String> tooFar;

    /** A stored event read by a fill, to deliver to the channel's watchers. */
    record StoredEventDelivery(String cid, StoredEvent event) {}

    Sequencer(Store store, Executor fills, Consumer<StoredEventDelivery> deliverStored, Consumer<String> tooFar) {
        this.store = requireNonNull(store, "store");
        this.fills = requireNonNull(fills, "fills");
        this.deliverStored = requireNonNull(deliverStored, "deliverStored");
        this.tooFar = requireNonNull(tooFar, "tooFar");
    }

    /** Starts following a channel from {@code last} (what its watchers' state already holds). */
    void start(String cid, long last) {
        Channel c = channels.computeIfAbsent(cid, k -> new Channel());
        synchronized (c) {
            c.last = Math.max(c.last, last);
        }
    }

    /** Stops following a channel (no watcher left on this node). */
    void stop(String cid) {
        channels.remove(cid);
    }

    /** The channels followed, with their last numbers delivered. */
    Map<String, Long> positions() {
        Map<String, Long> out = new java.util.HashMap<>();
        channels.forEach((cid, c) -> {
            synchronized (c) {
                if (c.last >= 0 && !c.filling) {
                    out.put(cid, c.last);
                }
            }
        });
        return out;
    }

    /**
     * Offers the event numbered {@code seq} of channel {@code cid}: {@code deliver} runs now, later (after a
     * fill) or never (a duplicate: then {@code drop} runs, to release what it holds).
     */
    void offer(String cid, long seq, Runnable deliver, Runnable drop) {
        Channel c = channels.get(cid);
        if (c == null) {
            deliver.run(); // not followed: a channel no local socket watches has nobody to order for
            return;
        }
        boolean fill;
        synchronized (c) {
            if (c.last < 0 || seq == c.last + 1) {
                c.last = seq;
                deliver.run();
                drain(c);
                return;
            }
            Held already = c.held.get(seq);
            if (seq <= c.last || (already != null && already != MARKER)) {
                log.debug("{}: {} dropped, {} delivered already", cid, seq, c.last);
                drop.run();
                return;
            }
            c.held.put(seq, new Held(deliver, drop));
            log.debug("{}: {} held, {} delivered, filling: {}", cid, seq, c.last, c.filling);
            if (c.held.size() > MAX_HELD) {
                overflow(cid, c);
                return;
            }
            fill = !c.filling;
            c.filling = true;
        }
        if (fill) {
            fills.execute(() -> fill(cid, c));
        }
    }

    /** Fills channel {@code cid} up to {@code upTo} when its last delivered number is below (a position check). */
    void catchUp(String cid, long upTo) {
        Channel c = channels.get(cid);
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.filling || c.last < 0 || upTo <= c.last) {
                return;
            }
            c.held.putIfAbsent(upTo + 1, MARKER); // past the end, so that the fill reaches upTo
            c.filling = true;
        }
        fills.execute(() -> fill(cid, c));
    }

    private void fill(String cid, Channel c) {
        while (true) {
            long from;
            long to;
            synchronized (c) {
                if (channels.get(cid) != c || c.held.isEmpty()) {
                    c.filling = false;
                    return;
                }
                from = c.last + 1;
                to = c.held.firstKey() - 1;
                if (to < from) {
                    drain(c);
                    if (c.held.isEmpty() || c.held.firstKey() == c.last + 1) {
                        c.filling = false;
                        return;
                    }
                    continue;
                }
                if (to - from + 1 > MAX_GAP) {
                    overflow(cid, c);
                    return;
                }
            }
            List<StoredEvent> rows;
            try {
                rows = store.read(cid, from, to);
                log.debug("{}: filled {}..{} with {} stored events", cid, from, to, rows.size());
            } catch (RuntimeException e) {
                log.warn("cluster: filling {} {}..{} from the store failed: {}", cid, from, to, e.toString());
                synchronized (c) {
                    overflow(cid, c);
                }
                return;
            }
            synchronized (c) {
                if (channels.get(cid) != c) {
                    return;
                }
                for (StoredEvent e : rows) {
                    if (e.seq() == c.last + 1) {
                        c.last = e.seq();
                        if (e.targetUserId() == null) {
                            deliverStored.accept(new StoredEventDelivery(cid, e));
                        }
                    }
                }
                if (c.last < to) {
                    // The store has no row for a number: none can appear (numbers are committed in order).
                    c.last = to;
                }
                drain(c);
                if (c.held.isEmpty() || c.held.firstKey() == c.last + 1) {
                    drain(c);
                    c.filling = false;
                    return;
                }
            }
        }
    }

    /** Delivers the held events that now follow in order; drops the ones already passed. */
    private static void drain(Channel c) {
        while (!c.held.isEmpty()) {
            long next = c.held.firstKey();
            if (next <= c.last) {
                c.held.pollFirstEntry().getValue().drop().run();
            } else if (next == c.last + 1) {
                Held h = c.held.pollFirstEntry().getValue();
                if (h == MARKER) {
                    continue; // a position check's marker: nothing to deliver, and the number is not taken
                }
                c.last = next;
                h.deliver().run();
            } else {
                return;
            }
        }
    }

    private void overflow(String cid, Channel c) {
        c.held.values().forEach(h -> h.drop().run());
        c.held.clear();
        c.filling = false;
        c.last = -1;
        log.warn("cluster: channel {} fell too far behind; its watchers on this node are closed to recover", cid);
        tooFar.accept(cid);
    }

    /** For tests: the last number delivered of a channel, or null when not followed. */
    @Nullable
    Long last(String cid) {
        Channel c = channels.get(cid);
        if (c == null) {
            return null;
        }
        synchronized (c) {
            return c.last;
        }
    }
}
