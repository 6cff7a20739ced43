package dev.parley.server.migration;

import java.nio.charset.StandardCharsets;

/**
 * A set of 64-bit hashes in one open-addressing table, for a dry run's ids (PROTOCOL.md §17.4): 8 bytes an id
 * at most half full. Bounded at {@link #MAX_ENTRIES}; past it {@link #add} drops the id (the caller then asks the
 * store). Not thread-safe.
 */
final class LongSet {
    static final int MAX_ENTRIES = 1 << 23;
    private static final long EMPTY = 0;

    private long[] table = new long[1 << 10];
    private int size;

    /** A 64-bit hash of {@code s} (FNV-1a, mixed), never {@link #EMPTY}. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h == EMPTY ? 1 : h;
    }

    /** Adds {@code h}; false when it was there or the set is full. */
    boolean add(long h) {
        if (size >= MAX_ENTRIES) {
            return false;
        }
        if (size * 2 >= table.length) {
            grow();
        }
        return put(table, h);
    }

    boolean contains(long h) {
        int mask = table.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            if (table[i] == EMPTY) {
                return false;
            }
            if (table[i] == h) {
                return true;
            }
        }
    }

    private boolean put(long[] t, long h) {
        int mask = t.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            if (t[i] == h) {
                return false;
            }
            if (t[i] == EMPTY) {
                t[i] = h;
                if (t == table) {
                    size++;
                }
                return true;
            }
        }
    }

    private void grow() {
        long[] old = table;
        long[] next = new long[old.length * 2];
        for (long h : old) {
            if (h != EMPTY) {
                int mask = next.length - 1;
                int i = (int) h & mask;
                while (next[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                next[i] = h;
            }
        }
        table = next;
    }
}
