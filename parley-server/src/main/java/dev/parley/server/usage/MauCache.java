package dev.parley.server.usage;

import static java.util.Objects.requireNonNull;

import dev.parley.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * The monthly active users of the current month (UTC), read from the store at most every
 * {@link #MAX_AGE}, so that scrapes and dashboard polls do not each count the month. Thread-safe.
 */
public final class MauCache {
    /** How long a count is served before the store is asked again. */
    public static final Duration MAX_AGE = Duration.ofSeconds(10);

    private record Entry(YearMonth month, long count, Instant readAt) {}

    private final Store store;
    private final Clock clock;
    private volatile @Nullable Entry entry;

    public MauCache(Store store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The current month's MAU; blocking when the cached count is stale. */
    public long current() {
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        Entry e = entry;
        if (e == null || !e.month().equals(month) || e.readAt().plus(MAX_AGE).isBefore(now)) {
            e = new Entry(month, store.countActiveUsers(month), now);
            entry = e;
        }
        return e.count();
    }
}
