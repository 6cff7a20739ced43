package dev.parley.server.usage;

import static java.util.Objects.requireNonNull;

import dev.parley.server.session.Session;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every open socket of this node: by connection id and by user, with the concurrent-connection count and
 * the day's peak (UTC). Thread-safe; registration and removal are O(1).
 */
public final class ConnectionRegistry {
    private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Clock clock;
    private volatile DayPeak dayPeak;
    private volatile @Nullable DayPeak previousDay;

    /** The highest number of concurrent connections seen on {@code day}. */
    public record DayPeak(LocalDate day, int peak) {}

    private volatile Consumer<String> onChange = user -> {};

    public ConnectionRegistry(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.dayPeak = new DayPeak(today(), 0);
    }

    /**
     * Registers a session.
     *
     * @return how many sockets its user has open now, this one included
     */
    public int register(Session session) {
        log.debug("socket {} of {} open", session.connectionId(), session.userId());
        int open = add(session);
        onChange.accept(session.userId());
        return open;
    }

    /**
     * Tells {@code listener} the user id whenever a user's sockets on this node change (after the change):
     * a cluster follows it with its subscriptions. One listener; set it before the first socket.
     */
    public void onChange(Consumer<String> listener) {
        onChange = requireNonNull(listener, "listener");
    }

    private int add(Session session) {
        byId.put(session.connectionId(), session);
        Set<Session> sessions = byUser.compute(session.userId(), (k, v) -> {
            Set<Session> s = v == null ? ConcurrentHashMap.newKeySet() : v;
            s.add(session);
            return s;
        });
        raisePeak(total.incrementAndGet());
        return sessions.size();
    }

    /**
     * Removes a session; calling it twice is harmless.
     *
     * @return how many sockets its user still has open, or -1 when the session was not registered
     */
    public int unregister(Session session) {
        log.debug("socket {} of {} closed", session.connectionId(), session.userId());
        int left = remove(session);
        if (left >= 0) {
            onChange.accept(session.userId());
        }
        return left;
    }

    private int remove(Session session) {
        if (byId.remove(session.connectionId(), session)) {
            total.decrementAndGet();
            int[] left = {0};
            byUser.computeIfPresent(session.userId(), (k, v) -> {
                v.remove(session);
                left[0] = v.size();
                return v.isEmpty() ? null : v;
            });
            return left[0];
        }
        return -1;
    }

    public Optional<Session> find(@Nullable String connectionId) {
        return connectionId == null ? Optional.empty() : Optional.ofNullable(byId.get(connectionId));
    }

    /** Open sockets of one user. */
    public List<Session> sessionsOf(String userId) {
        Set<Session> s = byUser.get(userId);
        return s == null ? List.of() : List.copyOf(s);
    }

    public int connectionCount(String userId) {
        Set<Session> s = byUser.get(userId);
        return s == null ? 0 : s.size();
    }

    /** Open sockets on this node. */
    public int totalConnections() {
        return total.get();
    }

    /** Distinct users with at least one open socket. */
    public int connectedUsers() {
        return byUser.size();
    }

    /** Users with more than one open socket right now. */
    public int usersWithSeveralConnections() {
        return (int) byUser.values().stream().filter(s -> s.size() > 1).count();
    }

    /** A user and their open sockets. */
    public record UserSockets(String userId, List<Session> sessions) {}

    /** Users with at least {@code min} open sockets, most sockets first, then by user id. */
    public List<UserSockets> usersWithAtLeast(int min) {
        return byUser.entrySet().stream()
                .filter(e -> e.getValue().size() >= min)
                .map(e -> new UserSockets(e.getKey(), List.copyOf(e.getValue())))
                .filter(u -> u.sessions().size() >= min)
                .sorted(java.util.Comparator.comparingInt(
                                (UserSockets u) -> -u.sessions().size())
                        .thenComparing(UserSockets::userId))
                .toList();
    }

    public Collection<Session> all() {
        return List.copyOf(byId.values());
    }

    /** Today's peak (UTC); rolls over to a fresh day holding the current count. */
    public DayPeak todaysPeak() {
        raisePeak(total.get());
        return dayPeak;
    }

    /** The peak of the day before the last rollover, or null: kept so that a flush after midnight loses nothing. */
    public @Nullable DayPeak previousDayPeak() {
        return previousDay;
    }

    private void raisePeak(int now) {
        LocalDate today = today();
        DayPeak p = dayPeak;
        while (!p.day().equals(today) || p.peak() < now) {
            DayPeak next = p.day().equals(today) ? new DayPeak(today, now) : new DayPeak(today, Math.max(now, 0));
            synchronized (this) {
                if (dayPeak == p) {
                    if (!p.day().equals(today)) {
                        previousDay = p;
                    }
                    dayPeak = next;
                    return;
                }
                p = dayPeak;
            }
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
