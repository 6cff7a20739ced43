package dev.parley.server.store;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A bounded cache of values derived from the store, kept exact by the writes that change them. A write that
 * can say how it changes a value {@link #begin begins} before it touches the database and {@link #end ends}
 * after the commit: the change is applied to the cached value only when no other change of the same key
 * overlapped it (otherwise the value is dropped, since the commits' order is unknown). A write that cannot
 * say {@link #invalidate invalidates} after its commit. A value loaded from the database is installed only
 * when no change of its key began or ended while it was loading, so a load never installs what a concurrent
 * write is about to change, nor counts a committed change twice.
 *
 * <p>Bounded: past {@code maxEntries} keys, idle keys are dropped (no particular order; the store stays the
 * truth, so a dropped key costs one load). Thread-safe; values must be safe to share between threads or be
 * changed only inside {@link #end}.
 */
final class HotCache<K, V> {
    private static final class Slot<V> {
        @Nullable
        V value;

        int inFlight;
        long version;
    }

    private final Map<K, Slot<V>> slots = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    /** The version at which a slot was last dropped: a load older than it may not create a slot. */
    private final AtomicLong floor = new AtomicLong();

    private final int maxEntries;

    HotCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * The cached value of {@code key}, or the loaded one, installed when no change raced with the load; null when
     * nothing is cached and the loader returns null.
     */
    @Nullable
    V get(K key, Function<K, V> loader) {
        Slot<V> slot = slots.get(key);
        if (slot != null) {
            synchronized (slot) {
                if (slot.value != null) {
                    return slot.value;
                }
            }
        }
        long before = versions.get();
        V loaded = loader.apply(key);
        if (loaded == null) {
            return null;
        }
        install(key, loaded, before);
        trim();
        return loaded;
    }

    /** The cached value, or null; never loads. */
    @Nullable
    V peek(K key) {
        Slot<V> slot = slots.get(key);
        if (slot == null) {
            return null;
        }
        synchronized (slot) {
            return slot.value;
        }
    }

    /**
     * A write of {@code key} is about to reach the database; returns the token to {@link #end} it with. Every
     * begin is followed by one end.
     */
    long begin(K key) {
        long[] token = new long[1];
        slots.compute(key, (k, s) -> {
            if (s == null) {
                s = new Slot<>();
            }
            synchronized (s) {
                s.inFlight++;
                s.version = versions.incrementAndGet();
                token[0] = s.version;
            }
            return s;
        });
        return token[0];
    }

    /**
     * The write of {@code key} begun with {@code token} is over: when it overlapped no other change of the key,
     * {@code change} gives the new cached value from the old one (called only when a value is cached; returning
     * null drops it); otherwise, or when {@code change} is null, the value is dropped.
     */
    void end(K key, long token, @Nullable UnaryOperator<V> change) {
        slots.computeIfPresent(key, (k, s) -> {
            synchronized (s) {
                boolean alone = s.inFlight == 1 && s.version == token;
                s.inFlight--;
                s.version = versions.incrementAndGet();
                if (s.value != null) {
                    s.value = change == null || !alone ? null : change.apply(s.value);
                }
                return s;
            }
        });
    }

    /**
     * Drops the value of {@code key}; call after the write that changed it committed. A load that read the
     * database before that commit does not install its value.
     */
    void invalidate(K key) {
        end(key, begin(key), null);
    }

    /** As {@link #get}, for several keys: the missing ones are loaded together. */
    Map<K, V> getAll(java.util.Collection<K> keys, Function<java.util.Collection<K>, Map<K, V>> loader) {
        Map<K, V> out = new java.util.HashMap<>();
        java.util.List<K> missing = new java.util.ArrayList<>();
        for (K key : keys) {
            V v = peek(key);
            if (v != null) {
                out.put(key, v);
            } else {
                missing.add(key);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        long before = versions.get();
        Map<K, V> loaded = loader.apply(missing);
        loaded.forEach((key, value) -> {
            out.put(key, value);
            install(key, value, before);
        });
        trim();
        return out;
    }

    private void install(K key, V loaded, long before) {
        slots.compute(key, (k, s) -> {
            if (s == null) {
                if (floor.get() > before) {
                    return null;
                }
                s = new Slot<>();
                s.version = before;
            }
            synchronized (s) {
                if (s.inFlight == 0 && s.version <= before && s.value == null) {
                    s.value = loaded;
                }
            }
            return s;
        });
    }

    /** Drops every value; loads under way when this runs do not install theirs. */
    void invalidateAll() {
        floor.set(versions.incrementAndGet());
        for (K key : slots.keySet()) {
            invalidate(key);
        }
    }

    private void trim() {
        if (slots.size() <= maxEntries) {
            return;
        }
        Iterator<Map.Entry<K, Slot<V>>> it = slots.entrySet().iterator();
        int drop = slots.size() - maxEntries + maxEntries / 10;
        while (drop > 0 && it.hasNext()) {
            Map.Entry<K, Slot<V>> e = it.next();
            synchronized (e.getValue()) {
                if (e.getValue().inFlight == 0) {
                    floor.set(versions.incrementAndGet());
                    it.remove();
                    drop--;
                }
            }
        }
    }

    int size() {
        return slots.size();
    }
}
