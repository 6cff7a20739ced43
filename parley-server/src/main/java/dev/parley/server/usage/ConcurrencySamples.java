package dev.parley.server.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The highest number of concurrent connections seen in each minute of the last {@link #CAPACITY} minutes,
 * in memory, for the dashboard's chart. A ring: the oldest minute is overwritten. Thread-safe.
 */
public final class ConcurrencySamples {
    /** Minutes kept: one day. */
    public static final int CAPACITY = 24 * 60;

    /** One minute's peak. */
    public record Sample(Instant minute, int connections) {}

    private final long[] minutes = new long[CAPACITY];
    private final int[] peaks = new int[CAPACITY];

    public ConcurrencySamples() {
        java.util.Arrays.fill(minutes, Long.MIN_VALUE);
    }

    /** Records that {@code connections} sockets were open at {@code now}. */
    public synchronized void record(Instant now, int connections) {
        long minute = Math.floorDiv(now.getEpochSecond(), 60);
        int slot = (int) Math.floorMod(minute, CAPACITY);
        if (minutes[slot] != minute) {
            minutes[slot] = minute;
            peaks[slot] = connections;
        } else if (connections > peaks[slot]) {
            peaks[slot] = connections;
        }
    }

    /** The recorded minutes within {@code span} before {@code now}, oldest first; minutes without a sample are left out. */
    public synchronized List<Sample> last(Duration span, Instant now) {
        long current = Math.floorDiv(now.getEpochSecond(), 60);
        long count = Math.min(CAPACITY, Math.max(1, span.toMinutes()));
        List<Sample> out = new ArrayList<>();
        for (long m = current - count + 1; m <= current; m++) {
            int slot = (int) Math.floorMod(m, CAPACITY);
            if (minutes[slot] == m) {
                out.add(new Sample(Instant.ofEpochSecond(m * 60), peaks[slot]));
            }
        }
        return out;
    }
}
