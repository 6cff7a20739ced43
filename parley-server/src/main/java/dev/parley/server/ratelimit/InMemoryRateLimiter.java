package dev.parley.server.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link RateLimiter} of a single node: fixed-window counters in memory.
 *
 * <p>Memory is bounded: at most {@code maxKeys} counters are kept, spread over {@link #STRIPES} locks so that
 * callers on different keys rarely wait for each other. When a stripe is full, counters of ended windows go
 * first; when none has ended, the counter created longest ago goes. Evicting a live counter gives its key a
 * fresh window, so a key can escape its limit only after {@code maxKeys} other keys were created since its
 * counter was: flooding under fresh keys is bounded by how many keys one can make, not by this map.
 */
public final class InMemoryRateLimiter implements RateLimiter {
    static final int STRIPES = 16;

    private final long windowMillis;
    private final int keysPerStripe;
    private final Stripe[] stripes = new Stripe[STRIPES];

    /** Counters live in insertion order, so that the eldest is the one to evict. */
    private final class Stripe extends LinkedHashMap<String, WindowCounter> {
        private static final long serialVersionUID = 1L;

        WindowCounter counter(String key, long nowMillis) {
            WindowCounter c = get(key);
            if (c == null) {
                if (size() >= keysPerStripe) {
                    evict(nowMillis);
                }
                c = new WindowCounter(windowMillis);
                put(key, c);
            }
            return c;
        }

        private void evict(long nowMillis) {
            int before = size();
            for (Iterator<WindowCounter> it = values().iterator(); it.hasNext(); ) {
                if (it.next().expired(nowMillis)) {
                    it.remove();
                }
            }
            if (size() == before) {
                Iterator<Map.Entry<String, WindowCounter>> eldest = entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
    }

    /**
     * @param window length of every window, at least one second
     * @param maxKeys most counters kept, at least {@link #STRIPES}
     */
    public InMemoryRateLimiter(Duration window, int maxKeys) {
        requireNonNull(window, "window");
        if (window.toMillis() < 1000) {
            throw new IllegalArgumentException("window: " + window + " (expected: >= 1s)");
        }
        if (maxKeys < STRIPES) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= " + STRIPES + ")");
        }
        this.windowMillis = window.toMillis();
        this.keysPerStripe = maxKeys / STRIPES;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    @Override
    public Usage acquire(String key, int limit, Instant now) {
        long t = now.toEpochMilli();
        Stripe s = stripe(key);
        synchronized (s) {
            WindowCounter c = s.counter(key, t);
            boolean allowed = c.tryAcquire(t, limit);
            return usage(c, limit, allowed, t);
        }
    }

    @Override
    public Usage peek(String key, int limit, Instant now) {
        long t = now.toEpochMilli();
        Stripe s = stripe(key);
        synchronized (s) {
            WindowCounter c = s.get(key);
            if (c == null) {
                return new Usage(
                        limit, 0, true, Math.floorDiv(new WindowCounter(windowMillis).windowEndMillis(t), 1000));
            }
            return usage(c, limit, c.count(t) < limit, t);
        }
    }

    /** Counters kept now, for tests of the bound. */
    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private static Usage usage(WindowCounter c, int limit, boolean allowed, long nowMillis) {
        return new Usage(
                limit, Math.min(limit, c.count(nowMillis)), allowed, Math.floorDiv(c.windowEndMillis(nowMillis), 1000));
    }

    private Stripe stripe(String key) {
        int h = key.hashCode();
        return stripes[Math.floorMod(h ^ (h >>> 16), STRIPES)];
    }
}
