package dev.parley.server.cluster;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's sockets, in Redis (docs/PROTOCOL.md §8.5): which connection of which user is open on which
 * node, so that presence is the cluster's (a user is online while any node holds one of its sockets), and
 * which nodes are alive. Each node renews a heartbeat key every {@link #HEARTBEAT}; a node whose key expired
 * ({@link #NODE_TTL}) is dead, and one live node at a time (a lease) removes its sockets and reports the users
 * who so went offline.
 *
 * <p>Keys: {@code parley:cu:{<user>}} hash connection → node; {@code parley:cn:<node>} set of
 * {@code user '\n' connection}; {@code parley:node:<node>} heartbeat, holding the node's address;
 * {@code parley:nodes} sorted set of node ids by last heartbeat; {@code parley:janitor} the lease;
 * {@code parley:pace:{<cid>}} the node holding a large channel's interval for watching events;
 * {@code parley:lock:u:{<user>}} the node changing a user. Each change of a user's sockets is one Lua script
 * (atomic). Thread-safe; the methods block on Redis (call them from virtual threads).
 */
public final class ClusterRegistry
        implements AutoCloseable,
                dev.parley.server.events.ChannelHub.ClusterWatching,
                dev.parley.server.users.UserService.ClusterLocks {
    private static final Logger log = LoggerFactory.getLogger(ClusterRegistry.class);

    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    static final Duration NODE_TTL = Duration.ofSeconds(10);
    /** Sockets of a dead node removed per janitor round; the rest wait for the next round. */
    static final int CLEANUP_BATCH = 10_000;

    private static final String P = "parley:";

    /**
     * KEYS: cu, cn, conns, multi, users. ARGV: connection, node and connect time ({@code node|millis}), member of cn,
     * user, node. Returns the user's open sockets after adding; a user with two or more is in the multi set,
     * scored by its count.
     */
    private static final String ADD = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
            + "redis.call('SADD', KEYS[2], ARGV[3]) "
            + "redis.call('HSET', KEYS[3], ARGV[1], ARGV[4] .. '\\n' .. ARGV[5]) "
            + "local n = redis.call('HLEN', KEYS[1]) "
            + "if n >= 2 then redis.call('ZADD', KEYS[4], n, ARGV[4]) end "
            + "if n == 1 then redis.call('INCR', KEYS[5]) end "
            + "return n";

    /**
     * KEYS: cu, cn, conns, multi, users. ARGV: connection, member of cn, user. Returns the user's open sockets left, or
     * -1 if the connection was unknown.
     */
    private static final String REMOVE = "local n = redis.call('HDEL', KEYS[1], ARGV[1]) "
            + "redis.call('SREM', KEYS[2], ARGV[2]) "
            + "redis.call('HDEL', KEYS[3], ARGV[1]) "
            + "if n == 0 then return -1 end "
            + "local left = redis.call('HLEN', KEYS[1]) "
            + "if left == 0 then redis.call('DECR', KEYS[5]) end "
            + "if left >= 2 then redis.call('ZADD', KEYS[4], left, ARGV[3]) else redis.call('ZREM', KEYS[4], ARGV[3]) end "
            + "return left";

    /**
     * KEYS: w (the channel's watchers: user to sockets), cw (this node's share: cid and user to sockets). ARGV:
     * user, member of cw, delta. Returns the user's sockets watching the channel in the cluster after the change.
     */
    private static final String WATCH = "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3]) "
            + "if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) n = 0 end "
            + "local m = redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3]) "
            + "if m <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end "
            + "return n";

    /** KEYS: a lock. ARGV: its holder's token. Releases the lock if that holder still has it. */
    private static final String UNLOCK =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /** How long a user's lock lasts if its node dies holding it. */
    static final Duration LOCK_TTL = Duration.ofSeconds(10);

    /** How long a change of a user waits for another node's lock before it goes on without it (and says so). */
    static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    private final java.util.concurrent.atomic.AtomicLong lockTokens = new java.util.concurrent.atomic.AtomicLong();

    private static final String CONNS = P + "conns";
    /** Distinct users with a socket anywhere: changed on each user's first and last socket. */
    private static final String USERS = P + "users";

    private static final String MULTI = P + "multi";

    /** KEYS: janitor. ARGV: node, ms. Takes or renews the lease; 1 when this node holds it. */
    private static final String LEASE = "local h = redis.call('GET', KEYS[1]) "
            + "if h == false or h == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
            + "return 0";

    private final String node;
    private final Clock clock;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final ScheduledExecutorService timer;
    private volatile Consumer<List<String>> offline = users -> {};
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

    /** Redis calls of the registry's own that failed (watches, heartbeats, sweeps). */
    long failures() {
        return failures.get();
    }

    private volatile java.util.function.Supplier<List<Socket>> local = List::of;

    /** One open socket of this node. */
    public record Socket(String userId, String connectionId, java.time.Instant connectedAt) {}

    /**
     * Registers this node (its first heartbeat) and starts its heartbeat and janitor rounds.
     *
     * @throws RedisException when Redis cannot be reached
     */
    public ClusterRegistry(RedisClient client, String nodeId, Clock clock) {
        this.client = requireNonNull(client, "client");
        this.node = requireNonNull(nodeId, "nodeId");
        this.clock = requireNonNull(clock, "clock");
        this.connection = client.connect();
        heartbeat();
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("parley-cluster-heartbeat")
                .daemon(true)
                .factory());
        timer.scheduleWithFixedDelay(this::round, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Gives the registry this node's open sockets, which it writes again whenever it finds that Redis lost
     * them (Redis restarted empty, or the janitor took this node for dead after a pause).
     */
    public void onReassert(java.util.function.Supplier<List<Socket>> sockets) {
        local = requireNonNull(sockets, "sockets");
    }

    /**
     * Runs {@code handler} with each channel and user whose last watching socket was on a node that died (or
     * on this node's previous run), on the janitor's thread: {@code user.watching.stop} is due.
     */
    public void onDeadNodesWatchesGone(java.util.function.BiConsumer<String, String> handler) {
        watchesGone = requireNonNull(handler, "handler");
    }

    private volatile java.util.function.BiConsumer<String, String> watchesGone = (cid, user) -> {};

    /** Runs {@code handler} with the users who went offline because their node died (on the janitor's thread). */
    public void onDeadNodesUsersOffline(Consumer<List<String>> handler) {
        offline = requireNonNull(handler, "handler");
    }

    /**
     * Forgets the sockets a previous run of this node left behind (it was killed, and restarted with the same id
     * before the janitor saw it gone); returns the users left with no socket in the cluster.
     */
    public List<String> forgetPreviousRun() {
        String sockets = P + "cn:" + node;
        List<String> gone = new ArrayList<>();
        for (String member : redis().smembers(sockets)) {
            int cut = member.indexOf('\n');
            if (cut > 0) {
                String user = member.substring(0, cut);
                Long left = removeSocket(user, member.substring(cut + 1), sockets);
                if (left != null && left == 0) {
                    gone.add(user);
                }
            }
        }
        redis().del(sockets);
        forgetWatchesOf(node);
        return gone;
    }

    /** Records an open socket; returns how many sockets its user has open in the cluster now. */
    public int add(String userId, String connectionId, java.time.Instant connectedAt) {
        Long n = addSocket(userId, connectionId, connectedAt);
        return n == null ? 0 : n.intValue();
    }

    /** Forgets a closed socket; returns how many its user still has open in the cluster, or -1 when it was unknown. */
    public int remove(String userId, String connectionId) {
        Long n = removeSocket(userId, connectionId, P + "cn:" + node);
        return n == null ? -1 : n.intValue();
    }

    /** How many sockets the user has open in the cluster. */
    public int connectionCount(String userId) {
        Long n = redis().hlen(userKey(userId));
        return n == null ? 0 : n.intValue();
    }

    /** The node that holds a connection, or null when no node does. */
    public @org.jspecify.annotations.Nullable String nodeOf(String userId, String connectionId) {
        String v = redis().hget(userKey(userId), connectionId);
        return v == null ? null : v.substring(0, v.indexOf('|') < 0 ? v.length() : v.indexOf('|'));
    }

    /**
     * The user's {@code n} oldest sockets in the cluster, oldest first, leaving out {@code except}: the ones
     * {@code close_oldest} closes.
     */
    public List<String> oldest(String userId, int n, String except) {
        record Open(String id, long since) {}
        List<Open> open = new ArrayList<>();
        redis().hgetall(userKey(userId)).forEach((conn, v) -> {
            int bar = v.indexOf('|');
            long since = 0;
            if (bar >= 0) {
                try {
                    since = Long.parseLong(v.substring(bar + 1));
                } catch (NumberFormatException ignored) {
                    // an entry without a time sorts first
                }
            }
            if (!conn.equals(except)) {
                open.add(new Open(conn, since));
            }
        });
        return open.stream()
                .sorted(java.util.Comparator.comparingLong(Open::since).thenComparing(Open::id))
                .limit(Math.max(0, n))
                .map(Open::id)
                .toList();
    }

    @Override
    public long changed(String cid, String userId, int delta, boolean localAnswer) {
        try {
            Long n = redis().eval(
                            WATCH,
                            ScriptOutputType.INTEGER,
                            new String[] {watchKey(cid), P + "cw:" + node},
                            userId,
                            cid + "\n" + userId,
                            String.valueOf(delta));
            return n == null ? 0 : n;
        } catch (RedisException e) {
            failures.incrementAndGet();
            log.warn("cluster: could not record a watch of {}: {}", cid, e.toString());
            return localAnswer ? 1 : 0;
        }
    }

    @Override
    public int watcherCount(String cid) {
        try {
            Long n = redis().hlen(watchKey(cid));
            return n == null ? 0 : n.intValue();
        } catch (RedisException e) {
            failures.incrementAndGet();
            return -1;
        }
    }

    /** The users watching {@code cid} on any node; null when the cluster cannot be asked. */
    public java.util.@org.jspecify.annotations.Nullable Set<String> watchingUsers(String cid) {
        try {
            List<String> users = redis().hkeys(watchKey(cid));
            return users == null ? java.util.Set.of() : java.util.Set.copyOf(users);
        } catch (RedisException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    @Override
    public void dropped(String cid) {
        try {
            redis().del(watchKey(cid));
        } catch (RedisException e) {
            log.warn("cluster: could not drop the watchers of {}: {}", cid, e.toString());
        }
    }

    @Override
    public long claimInterval(String cid, long intervalNanos) {
        String key = P + "pace:{" + cid + "}";
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(intervalNanos));
        try {
            if ("OK".equals(redis().set(key, node, SetArgs.Builder.nx().px(millis)))) {
                return 0;
            }
            Long left = redis().pttl(key);
            // -2: it expired meanwhile; -1 cannot happen (always set with a time to live). Try again soon.
            return TimeUnit.MILLISECONDS.toNanos(left == null || left <= 0 ? 1 : left);
        } catch (RedisException e) {
            failures.incrementAndGet();
            return 0;
        }
    }

    /**
     * Takes or renews the lease {@code parley:lease:<name>} for {@code ttl}: true while this node holds it. One
     * node of the cluster at a time holds a lease; if it dies, another takes the lease once it expired. False
     * when Redis cannot be reached, so that a node cut off from the others never acts as the holder.
     */
    public boolean holdLease(String name, Duration ttl) {
        try {
            return Long.valueOf(1)
                    .equals(redis().eval(
                                    LEASE,
                                    ScriptOutputType.INTEGER,
                                    new String[] {P + "lease:" + name},
                                    node,
                                    String.valueOf(ttl.toMillis())));
        } catch (RedisException | IllegalStateException e) {
            failures.incrementAndGet();
            return false;
        }
    }

    @Override
    public dev.parley.server.users.UserService.Held lock(String userId) {
        if (!connection.isOpen()) { // Redis is away: this node's own lock alone, as a node alone, without waiting
            return () -> {};
        }
        String key = P + "lock:u:{" + userId + "}";
        String token = node + "#" + lockTokens.incrementAndGet();
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        long pause = 1;
        try {
            while (!"OK".equals(redis().set(key, token, SetArgs.Builder.nx().px(LOCK_TTL.toMillis())))) {
                if (System.nanoTime() > deadline) {
                    failures.incrementAndGet();
                    log.warn(
                            "cluster: the lock of user {} stayed taken for {}; changing it without", userId, LOCK_WAIT);
                    return () -> {};
                }
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 16);
            }
        } catch (RedisException e) { // Redis is away: this node's own lock alone, as a node alone
            failures.incrementAndGet();
            log.warn("cluster: could not take the lock of user {}: {}", userId, e.toString());
            return () -> {};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return () -> {};
        }
        return () -> {
            try {
                redis().eval(UNLOCK, ScriptOutputType.INTEGER, new String[] {key}, token);
            } catch (RedisException e) { // it expires by itself
                failures.incrementAndGet();
                log.warn("cluster: could not release the lock of user {}: {}", userId, e.toString());
            }
        };
    }

    private static String watchKey(String cid) {
        return P + "w:{" + cid + "}";
    }

    /**
     * Takes a node's watches out of the channels' watcher hashes (the node died, stops or restarted); tells
     * {@link #onDeadNodesWatchesGone} whose watching ended with them.
     */
    private void forgetWatchesOf(String nodeId) {
        String share = P + "cw:" + nodeId;
        for (var e : redis().hgetall(share).entrySet()) {
            int cut = e.getKey().indexOf('\n');
            if (cut > 0) {
                long n;
                try {
                    n = Long.parseLong(e.getValue());
                } catch (NumberFormatException bad) {
                    continue;
                }
                String w = watchKey(e.getKey().substring(0, cut));
                String user = e.getKey().substring(cut + 1);
                Long left = redis().hincrby(w, user, -n);
                if (left != null && left <= 0) {
                    redis().hdel(w, user);
                    String cid = e.getKey().substring(0, cut);
                    try {
                        watchesGone.accept(cid, user);
                    } catch (RuntimeException failed) {
                        log.warn("cluster: telling that {} stopped watching {} failed", user, cid, failed);
                    }
                }
            }
        }
        redis().del(share);
    }

    private volatile java.util.function.Supplier<java.util.Map<String, java.util.Map<String, Integer>>> localWatches =
            java.util.Map::of;

    /** Gives the registry this node's watches (per channel, per user, sockets), written again after a loss. */
    public void onReassertWatches(
            java.util.function.Supplier<java.util.Map<String, java.util.Map<String, Integer>>> watches) {
        localWatches = requireNonNull(watches, "watches");
    }

    /** Where a connection is open: its user and its node; null when it is open nowhere in the cluster. */
    public @org.jspecify.annotations.Nullable Placement whereIs(String connectionId) {
        String v = redis().hget(CONNS, connectionId);
        int cut = v == null ? -1 : v.indexOf('\n');
        return v == null || cut < 0 ? null : new Placement(v.substring(0, cut), v.substring(cut + 1));
    }

    /** A connection's user and node. */
    public record Placement(String userId, String nodeId) {}

    /** A user's open sockets in the cluster: connection id to node id. */
    public java.util.Map<String, String> socketsOf(String userId) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        redis().hgetall(userKey(userId)).forEach((conn, v) -> out.put(conn, v.split("\\|", 2)[0]));
        return out;
    }

    /** A user with several sockets in the cluster, and how many. */
    public record UserCount(String userId, int sockets) {}

    /** Users with at least {@code min} (2 or more) sockets in the cluster, most first, at most {@code limit}. */
    public List<UserCount> usersWithAtLeast(int min, int limit) {
        List<UserCount> out = new ArrayList<>();
        for (var v : redis().zrevrangebyscoreWithScores(
                        MULTI,
                        io.lettuce.core.Range.create((double) min, Double.MAX_VALUE),
                        io.lettuce.core.Limit.create(0, limit))) {
            out.add(new UserCount(v.getValue(), (int) v.getScore()));
        }
        return out;
    }

    /** How many users have at least {@code min} (2 or more) sockets in the cluster. */
    public long countUsersWithAtLeast(int min) {
        Long n = redis().zcount(MULTI, io.lettuce.core.Range.create((double) min, Double.MAX_VALUE));
        return n == null ? 0 : n;
    }

    /**
     * One live node: its id, the address it serves on (host:port; empty until its port is bound), its open
     * sockets and its last heartbeat (epoch milliseconds).
     */
    public record NodeInfo(String nodeId, String address, long sockets, long lastHeartbeatMillis) {}

    /** The live nodes with their socket counts. */
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (var v : redis().zrangeWithScores(P + "nodes", 0, -1)) {
            String id = v.getValue();
            String address = redis().get(P + "node:" + id); // the heartbeat key holds the address
            if (address != null) {
                Long n = redis().scard(P + "cn:" + id);
                out.add(new NodeInfo(id, address, n == null ? 0 : n, (long) v.getScore()));
            }
        }
        return out;
    }

    /** Sets the address this node serves on, as {@link #nodes()} shows it; the next heartbeat carries it. */
    public void advertise(String address) {
        this.address = requireNonNull(address, "address");
        heartbeat();
    }

    private volatile String address = "";

    /** Open sockets in the cluster: the sum of the live nodes' counts. */
    public long totalConnections() {
        return nodes().stream().mapToLong(NodeInfo::sockets).sum();
    }

    /** Distinct users with a socket anywhere in the cluster. */
    public long connectedUsers() {
        String n = redis().get(USERS);
        try {
            return n == null ? 0 : Math.max(0, Long.parseLong(n));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The ids of the nodes whose heartbeat is current. */
    public List<String> liveNodes() {
        List<String> out = new ArrayList<>();
        for (String id : redis().zrange(P + "nodes", 0, -1)) {
            if (redis().exists(P + "node:" + id) > 0) {
                out.add(id);
            }
        }
        return out;
    }

    private @org.jspecify.annotations.Nullable Long addSocket(
            String userId, String connectionId, java.time.Instant connectedAt) {
        return redis().eval(
                        ADD,
                        ScriptOutputType.INTEGER,
                        new String[] {userKey(userId), P + "cn:" + node, CONNS, MULTI, USERS},
                        connectionId,
                        node + "|" + connectedAt.toEpochMilli(),
                        userId + "\n" + connectionId,
                        userId,
                        node);
    }

    /** Runs {@link #REMOVE} for one socket listed in the node set {@code nodeSockets}. */
    private @org.jspecify.annotations.Nullable Long removeSocket(
            String userId, String connectionId, String nodeSockets) {
        return redis().eval(
                        REMOVE,
                        ScriptOutputType.INTEGER,
                        new String[] {userKey(userId), nodeSockets, CONNS, MULTI, USERS},
                        connectionId,
                        userId + "\n" + connectionId,
                        userId);
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }

    private static String userKey(String userId) {
        return P + "cu:{" + userId + "}";
    }

    private void round() {
        try {
            if (redis().exists(P + "node:" + node) == 0) {
                reassert();
            }
            heartbeat();
            if (Long.valueOf(1)
                    .equals(redis().eval(
                                    LEASE,
                                    ScriptOutputType.INTEGER,
                                    new String[] {P + "janitor"},
                                    node,
                                    String.valueOf(3 * HEARTBEAT.toMillis())))) {
                sweep();
            }
        } catch (RedisException | IllegalStateException e) {
            failures.incrementAndGet();
            log.warn("cluster: heartbeat round failed: {}", e.toString());
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            log.warn("cluster: heartbeat round failed", e);
        }
    }

    /** Writes every open socket of this node again, after Redis lost them. */
    private void reassert() {
        List<Socket> sockets = local.get();
        for (Socket s : sockets) {
            add(s.userId(), s.connectionId(), s.connectedAt());
        }
        forgetWatchesOf(node);
        localWatches.get().forEach((cid, users) -> users.forEach((user, n) -> changed(cid, user, n, true)));
        log.info("cluster: wrote this node's {} sockets to Redis again", sockets.size());
    }

    private void heartbeat() {
        redis().set(P + "node:" + node, address, SetArgs.Builder.px(NODE_TTL.toMillis()));
        redis().zadd(P + "nodes", clock.millis(), node);
    }

    /** Removes the sockets of every node whose heartbeat expired; reports the users left with none. */
    private void sweep() {
        for (String dead : redis().zrange(P + "nodes", 0, -1)) {
            if (dead.equals(node) || redis().exists(P + "node:" + dead) > 0) {
                continue;
            }
            String sockets = P + "cn:" + dead;
            List<String> gone = new ArrayList<>();
            for (String member : redis().srandmember(sockets, CLEANUP_BATCH)) {
                int cut = member.indexOf('\n');
                if (cut < 0) {
                    redis().srem(sockets, member);
                    continue;
                }
                String user = member.substring(0, cut);
                Long left = removeSocket(user, member.substring(cut + 1), sockets);
                if (left != null && left == 0) {
                    gone.add(user);
                }
            }
            if (redis().scard(sockets) == 0) {
                forgetWatchesOf(dead);
                redis().zrem(P + "nodes", dead);
                log.info("cluster: node {} is gone; its sockets are removed", dead);
            }
            if (!gone.isEmpty()) {
                offline.accept(gone);
            }
        }
    }

    /** Stops the heartbeat and removes this node's sockets and key: the others see it leave at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            String sockets = P + "cn:" + node;
            for (String member : redis().smembers(sockets)) {
                int cut = member.indexOf('\n');
                if (cut > 0) {
                    String user = member.substring(0, cut);
                    removeSocket(user, member.substring(cut + 1), sockets);
                }
            }
            forgetWatchesOf(node);
            redis().del(sockets, P + "node:" + node);
            redis().zrem(P + "nodes", node);
        } catch (RedisException e) {
            log.warn("cluster: could not deregister node {}: {}", node, e.toString());
        } finally {
            connection.close();
        }
    }
}
