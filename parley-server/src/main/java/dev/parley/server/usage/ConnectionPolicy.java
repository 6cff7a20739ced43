package dev.parley.server.usage;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.logging.LogText;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.session.Session;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user connection limit ({@code max_connections_per_user}) and what happens past it
 * ({@code connection_policy}): {@code warn} logs and counts, {@code reject_new} refuses the new socket with
 * code 71, {@code close_oldest} closes the user's oldest socket with {@link #CLOSE_OLDEST_CODE}.
 *
 * <p>Whatever the policy, a user crossing the limit is logged once, with the clients of their sockets, and
 * not again until they have fallen back under the limit. The connect path calls {@link #admit} and
 * {@link #registered} under the user's lock, so that two sockets of one user never race past the limit.
 * Thread-safe.
 */
public final class ConnectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPolicy.class);

    /**
     * Close code of a socket closed to make room for a newer one of the same user. Not 1000, so that the
     * client reconnects (PROTOCOL.md §3.5); in the 4000 range that applications own.
     */
    public static final int CLOSE_OLDEST_CODE = 4071;

    /** What to do when a user opens more sockets than the limit. */
    public enum Mode {
        WARN,
        REJECT_NEW,
        CLOSE_OLDEST;

        /** The name used in flags, variables and {@code PATCH /app}: {@code warn}, {@code reject_new}, {@code close_oldest}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The mode of a wire name.
         *
         * @throws IllegalArgumentException naming {@code what} when the name is unknown
         */
        public static Mode parse(String value, String what) {
            for (Mode m : values()) {
                if (m.wire().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(what + ": '" + value + "' (expected: warn, reject_new or close_oldest)");
        }
    }

    /**
     * The limit in force.
     *
     * @param max most sockets per user; 0 means no limit
     * @param mode what happens past it
     */
    public record Limit(int max, Mode mode) {
        public static final Limit OFF = new Limit(0, Mode.WARN);

        public Limit {
            requireNonNull(mode, "mode");
            if (max < 0) {
                throw new IllegalArgumentException("max connections per user: " + max + " (expected: >= 0)");
            }
        }

        public boolean enabled() {
            return max > 0;
        }
    }

    private final Supplier<Limit> limit;
    private final ConnectionRegistry registry;
    private final Metrics metrics;
    private final Set<String> overLimit = ConcurrentHashMap.newKeySet();
    private volatile @Nullable ClusterSockets cluster;

    /** A user's sockets in the whole cluster, for a node of one (docs/PROTOCOL.md §8.5). */
    public interface ClusterSockets {
        /** How many sockets the user has open in the cluster. */
        int connections(String userId);

        /** The user's {@code n} oldest sockets in the cluster, leaving out {@code except}. */
        List<String> oldest(String userId, int n, String except);
    }

    /** Makes the limit count the user's sockets on every node of the cluster. */
    public void inCluster(ClusterSockets sockets) {
        cluster = requireNonNull(sockets, "sockets");
    }

    public ConnectionPolicy(Supplier<Limit> limit, ConnectionRegistry registry, Metrics metrics) {
        this.limit = requireNonNull(limit, "limit");
        this.registry = requireNonNull(registry, "registry");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** The limit in force now. */
    public Limit limit() {
        return limit.get();
    }

    /**
     * Before a new socket of {@code userId} is registered: refuses it with code 71 under {@code reject_new}
     * when the user is at the limit. Call under the user's lock.
     */
    public void admit(String userId, String newClient) {
        Limit l = limit.get();
        if (!l.enabled()) {
            return;
        }
        int open = openSockets(userId);
        if (open < l.max()) {
            overLimit.remove(userId);
            return;
        }
        if (l.mode() == Mode.REJECT_NEW) {
            crossed(userId, l, open + 1, newClient);
            throw new ChatException(
                    ErrorCode.TOO_MANY_CONNECTIONS,
                    "user '" + userId + "' already has " + open + " open connections (max_connections_per_user: "
                            + l.max() + ", connection_policy: reject_new)");
        }
    }

    /**
     * After a socket was registered and its user has {@code open} sockets (in the cluster, on a node of one):
     * logs and counts a crossing, and under {@code close_oldest} returns the ids of the oldest sockets past the
     * limit, wherever they are, which the caller closes with {@link #CLOSE_OLDEST_CODE} and
     * {@link #closeOldestReason}. Call under the user's lock.
     */
    public List<String> registered(Session session, int open) {
        Limit l = limit.get();
        if (!l.enabled() || open <= l.max()) {
            return List.of();
        }
        crossed(session.userId(), l, open, session.client());
        if (l.mode() != Mode.CLOSE_OLDEST) {
            return List.of();
        }
        ClusterSockets c = cluster;
        if (c != null) {
            try {
                return c.oldest(session.userId(), open - l.max(), session.connectionId());
            } catch (RuntimeException e) {
                log.warn("cannot list the cluster's sockets of {}: {}", session.userId(), e.toString());
            }
        }
        List<String> oldestFirst = registry.sessionsOf(session.userId()).stream()
                .filter(s -> s != session)
                .sorted(Comparator.comparing(Session::connectedAt).thenComparing(Session::connectionId))
                .map(Session::connectionId)
                .toList();
        return oldestFirst.subList(0, Math.max(0, Math.min(open - l.max(), oldestFirst.size())));
    }

    /** The user's open sockets: in the cluster on a node of one (this node's if it cannot be asked), else here. */
    private int openSockets(String userId) {
        ClusterSockets c = cluster;
        if (c != null) {
            try {
                return c.connections(userId);
            } catch (RuntimeException e) {
                log.warn("cannot count the cluster's sockets of {}: {}", userId, e.toString());
            }
        }
        return registry.connectionCount(userId);
    }

    /** The close reason of a socket closed under {@code close_oldest}. */
    public String closeOldestReason() {
        return "too many connections for this user: closed the oldest (max "
                + limit.get().max() + ")";
    }

    private void crossed(String userId, Limit l, int open, String newClient) {
        metrics.connectionLimitExceeded(l.mode().wire());
        if (overLimit.add(userId)) {
            String clients = registry.sessionsOf(userId).stream()
                    .map(s -> label(s.client(), s.userAgent()))
                    .collect(Collectors.joining(", "));
            log.warn(
                    "user '{}' opened {} connections, over max_connections_per_user {} (policy {}); clients: [{}], newest: {}",
                    LogText.escape(userId),
                    open,
                    l.max(),
                    l.mode().wire(),
                    LogText.escape(clients),
                    newClient == null || newClient.isEmpty() ? "-" : LogText.escape(newClient));
        }
    }

    private static String label(String client, String userAgent) {
        String c = client == null || client.isEmpty() ? "-" : client;
        return userAgent == null || userAgent.isEmpty() ? c : c + " (" + userAgent + ")";
    }
}
