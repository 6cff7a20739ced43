package dev.parley.bench.load;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in microseconds, in log-linear buckets (16 per power of two, so about 6% resolution), from
 * 1 µs to about 70 minutes. Thread-safe for {@link #record}; mergeable, and printable as one line so that
 * worker processes can hand it to the coordinator.
 */
public final class Histogram {
    private static final int SUB = 16;
    private static final int BUCKETS = 32 * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(long micros) {
        counts.incrementAndGet(bucket(Math.max(1, micros)));
    }

    static int bucket(long v) {
        int exp = 63 - Long.numberOfLeadingZeros(v);
        if (exp < 4) {
            return (int) v;
        }
        int sub = (int) ((v >>> (exp - 4)) & (SUB - 1));
        return Math.min(BUCKETS - 1, (exp - 3) * SUB + sub);
    }

    /** The upper bound of a bucket, in microseconds. */
    static long upper(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = bucket / SUB + 3;
        long sub = bucket % SUB;
        return ((SUB + sub + 1) << (exp - 4)) - 1;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The value below which a fraction {@code q} of the recorded values lie, in microseconds; 0 when empty. */
    public long quantile(double q) {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank && seen > 0) {
                return upper(i);
            }
        }
        return upper(BUCKETS - 1);
    }

    /** Forgets every value (not atomic with concurrent {@link #record}s). */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
    }

    public void add(Histogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts.addAndGet(i, other.counts.get(i));
        }
    }

    /** Sparse text form: {@code bucket:count,bucket:count}. */
    public String encode() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts.get(i);
            if (c != 0) {
                b.append(b.isEmpty() ? "" : ",").append(i).append(':').append(c);
            }
        }
        return b.toString();
    }

    public static Histogram decode(String text) {
        Histogram h = new Histogram();
        if (text == null || text.isBlank()) {
            return h;
        }
        Arrays.stream(text.split(",")).forEach(p -> {
            int colon = p.indexOf(':');
            h.counts.addAndGet(Integer.parseInt(p.substring(0, colon)), Long.parseLong(p.substring(colon + 1)));
        });
        return h;
    }
}
