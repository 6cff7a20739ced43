package dev.parley.server.events;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Sets and counting maps that start as small immutable copies and become concurrent ones when they grow.
 * Most channels have one or two watchers and most connections watch a few channels; an empty
 * {@link ConcurrentHashMap} alone takes ~150 bytes, an immutable one-element set 24.
 *
 * <p>Each method returns the collection to store in place of the one passed (null when it became empty).
 * Small collections are copied on write, large ones changed in place. Callers serialise the writes of one
 * collection (the hub's lock); readers may iterate what they read at any time, since a small collection is
 * never changed and a large one is concurrent.
 */
final class CompactSets {
    /** Above this size a collection is concurrent and changed in place. */
    static final int SMALL = 8;

    private CompactSets() {}

    /** {@code set} with {@code e} added. */
    @SuppressWarnings("unchecked")
    static <T> Set<T> with(@Nullable Set<T> set, T e) {
        if (set == null || set.isEmpty()) {
            return Set.of(e);
        }
        if (set.contains(e)) {
            return set;
        }
        if (set instanceof ConcurrentHashMap.KeySetView) {
            set.add(e);
            return set;
        }
        if (set.size() < SMALL) {
            Object[] items = set.toArray(new Object[set.size() + 1]);
            items[set.size()] = e;
            return (Set<T>) Set.of(items);
        }
        Set<T> large = ConcurrentHashMap.newKeySet();
        large.addAll(set);
        large.add(e);
        return large;
    }

    /** {@code set} without {@code e}, or null when nothing is left. */
    @SuppressWarnings("unchecked")
    static <T> @Nullable Set<T> without(@Nullable Set<T> set, T e) {
        if (set == null || !set.contains(e)) {
            return set == null || set.isEmpty() ? null : set;
        }
        if (set instanceof ConcurrentHashMap.KeySetView) {
            set.remove(e);
            return set.isEmpty() ? null : set;
        }
        if (set.size() == 1) {
            return null;
        }
        Object[] items = new Object[set.size() - 1];
        int i = 0;
        for (T item : set) {
            if (!item.equals(e)) {
                items[i++] = item;
            }
        }
        return (Set<T>) Set.of(items);
    }

    /** {@code counts} with {@code key}'s count changed by {@code delta}; a count that reaches 0 is removed. */
    static <K> @Nullable Map<K, Integer> count(@Nullable Map<K, Integer> counts, K key, int delta) {
        if (counts instanceof ConcurrentHashMap<K, Integer> large) {
            large.compute(key, (k, n) -> {
                int next = (n == null ? 0 : n) + delta;
                return next <= 0 ? null : next;
            });
            return large.isEmpty() ? null : large;
        }
        Map<K, Integer> copy = counts == null ? new HashMap<>() : new HashMap<>(counts);
        int next = copy.getOrDefault(key, 0) + delta;
        if (next <= 0) {
            copy.remove(key);
        } else {
            copy.put(key, next);
        }
        if (copy.isEmpty()) {
            return null;
        }
        return copy.size() <= SMALL ? Map.copyOf(copy) : new ConcurrentHashMap<>(copy);
    }
}
