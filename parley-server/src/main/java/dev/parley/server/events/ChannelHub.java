package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import dev.parley.server.session.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which connections watch which channels on this node (PROTOCOL.md §3.7, §8.1). Watching belongs to a
 * connection; the watcher count of a channel counts distinct users. {@link LocalBroker} reads it to deliver
 * channel events; nothing else sends through it.
 *
 * <p>Thread-safe. A connection watches at most {@link #MAX_PER_SESSION} channels; further watches are
 * ignored.
 */
public final class ChannelHub {
    private static final Logger log = LoggerFactory.getLogger(ChannelHub.class);

    public static final int MAX_PER_SESSION = 10_000;

    private final Map<String, Set<Session>> watchers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> bySession = new ConcurrentHashMap<>();
    /** Per channel, per watching user, how many of its connections watch: counts and checks in O(1). */
    private final Map<String, Map<String, Integer>> usersByChannel = new ConcurrentHashMap<>();

    private volatile Consumer<String> onChange = cid -> {};

    /**
     * Tells {@code listener} the cid whenever the watchers of a channel on this node change (after the
     * change): a cluster follows it with its subscriptions. One listener.
     */
    public void onChange(Consumer<String> listener) {
        onChange = requireNonNull(listener, "listener");
    }

    /**
     * Subscribes the connection to the channel.
     *
     * @return true when its user was not watching the channel through any connection before
     */
    public boolean watch(Session session, String cid) {
        int added = add(session, cid);
        log.debug("watch {} by {} of {}: {}", cid, session.connectionId(), session.userId(), added);
        boolean first = added > 0;
        ClusterWatching c = cluster;
        if (added >= 0 && c != null) {
            first = c.changed(cid, session.userId(), 1, added > 0) == 1;
        }
        onChange.accept(cid);
        return first;
    }

    /** -1: not added (watching already, or at the bound); 1: added, its user's first here; 0: added. */
    private synchronized int add(Session session, String cid) {
        Set<String> mine = bySession.get(session.connectionId());
        if (mine != null && (mine.contains(cid) || mine.size() >= MAX_PER_SESSION)) {
            return -1;
        }
        bySession.put(session.connectionId(), CompactSets.with(mine, cid));
        watchers.put(cid, CompactSets.with(watchers.get(cid), session));
        Map<String, Integer> users = usersByChannel.get(cid);
        boolean first = users == null || !users.containsKey(session.userId());
        usersByChannel.put(cid, CompactSets.count(users, session.userId(), 1));
        return first ? 1 : 0;
    }

    /**
     * Who watches a channel in the whole cluster (docs/PROTOCOL.md §8.5), for a node of one: the users watching
     * and whether a user's watch is its first or last anywhere. A node alone has none.
     */
    public interface ClusterWatching {
        /**
         * Records that the user's sockets watching {@code cid} on this node changed by {@code delta}; returns
         * how many of the user's sockets watch it in the cluster now. {@code localAnswer} is the answer this
         * node alone would give (1 when first or still watching, 0 when last), for when the cluster cannot be
         * asked.
         */
        long changed(String cid, String userId, int delta, boolean localAnswer);

        /** Distinct users watching {@code cid} in the cluster, or -1 when the cluster cannot be asked. */
        int watcherCount(String cid);

        /** The channel was deleted: nobody watches it any more. */
        void dropped(String cid);

        /**
         * Claims the channel's next interval of {@code intervalNanos} for a paced watching event (one node per
         * interval sends one): 0 when this node has it, else how long until the holder's interval ends. 0 too
         * when the cluster cannot be asked, as a node alone would.
         */
        long claimInterval(String cid, long intervalNanos);
    }

    private volatile @Nullable ClusterWatching cluster;

    /** Makes watcher counts and first and last watches the cluster's (a node of a cluster). */
    public void inCluster(ClusterWatching watching) {
        cluster = requireNonNull(watching, "watching");
    }

    /** This node's watches: per channel, per user, how many of its sockets here watch. */
    public Map<String, Map<String, Integer>> localWatches() {
        Map<String, Map<String, Integer>> out = new java.util.HashMap<>();
        usersByChannel.forEach((cid, users) -> out.put(cid, Map.copyOf(users)));
        return out;
    }

    /**
     * Ends the connection's subscription to the channel.
     *
     * @return true when its user no longer watches the channel through any connection
     */
    public boolean unwatch(Session session, String cid) {
        int removed = remove(session, cid);
        log.debug("unwatch {} by {} of {}: {}", cid, session.connectionId(), session.userId(), removed);
        boolean stopped = removed > 0;
        ClusterWatching c = cluster;
        if (removed >= 0 && c != null) {
            stopped = c.changed(cid, session.userId(), -1, removed == 0) == 0;
        }
        onChange.accept(cid);
        return stopped;
    }

    /** -1: was not watching; 1: removed, its user's last here; 0: removed. */
    private synchronized int remove(Session session, String cid) {
        Set<String> mine = bySession.get(session.connectionId());
        if (mine == null || !mine.contains(cid)) {
            return -1;
        }
        replace(bySession, session.connectionId(), CompactSets.without(mine, cid));
        replace(watchers, cid, CompactSets.without(watchers.get(cid), session));
        Map<String, Integer> users = usersByChannel.get(cid);
        boolean stopped = users != null && users.getOrDefault(session.userId(), 0) <= 1;
        replace(usersByChannel, cid, users == null ? null : CompactSets.count(users, session.userId(), -1));
        return stopped ? 1 : 0;
    }

    /** Ends every subscription of a closed connection; returns the channels its user stopped watching. */
    public List<String> unwatchAll(Session session) {
        List<String> left = new ArrayList<>();
        List<String> stopped = removeAll(session, left);
        log.debug("closed {} of {} stops watching {}", session.connectionId(), session.userId(), left);
        ClusterWatching c = cluster;
        if (c != null) {
            stopped = new ArrayList<>();
            for (String cid : left) {
                if (c.changed(cid, session.userId(), -1, isWatching(session.userId(), cid)) == 0) {
                    stopped.add(cid);
                }
            }
        }
        left.forEach(onChange);
        return stopped;
    }

    private synchronized List<String> removeAll(Session session, List<String> left) {
        Set<String> mine = bySession.get(session.connectionId());
        List<String> stopped = new ArrayList<>();
        if (mine == null) {
            return stopped;
        }
        for (String cid : List.copyOf(mine)) {
            left.add(cid);
            if (remove(session, cid) > 0) {
                stopped.add(cid);
            }
        }
        bySession.remove(session.connectionId());
        return stopped;
    }

    /** Forgets every watcher of a deleted channel. */
    public void dropChannel(String cid) {
        drop(cid);
        ClusterWatching c = cluster;
        if (c != null) {
            c.dropped(cid);
        }
        onChange.accept(cid);
    }

    private synchronized void drop(String cid) {
        usersByChannel.remove(cid);
        Set<Session> gone = watchers.remove(cid);
        if (gone != null) {
            gone.forEach(s ->
                    replace(bySession, s.connectionId(), CompactSets.without(bySession.get(s.connectionId()), cid)));
        }
    }

    private static <K, V> void replace(Map<K, V> map, K key, @Nullable V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    public boolean isWatching(String userId, String cid) {
        Map<String, Integer> users = usersByChannel.get(cid);
        return users != null && users.containsKey(userId);
    }

    public boolean isWatching(Session session, String cid) {
        Set<String> mine = bySession.get(session.connectionId());
        return mine != null && mine.contains(cid);
    }

    /** Distinct users watching the channel. */
    public Set<String> watchingUsers(String cid) {
        Map<String, Integer> users = usersByChannel.get(cid);
        return users == null ? Set.of() : new LinkedHashSet<>(users.keySet());
    }

    /**
     * For paced watching events: 0 when this node may send the channel's next one now, else the nanoseconds until
     * another node's interval ends (a node alone always may).
     */
    public long claimInterval(String cid, long intervalNanos) {
        ClusterWatching c = cluster;
        return c == null ? 0 : c.claimInterval(cid, intervalNanos);
    }

    /** Distinct users watching the channel: in the whole cluster on a node of one, else on this node. */
    public int watcherCount(String cid) {
        ClusterWatching c = cluster;
        if (c != null) {
            int n = c.watcherCount(cid);
            if (n >= 0) {
                return n;
            }
        }
        return localWatcherCount(cid);
    }

    /** Distinct users watching the channel through a connection of this node. */
    public int localWatcherCount(String cid) {
        Map<String, Integer> users = usersByChannel.get(cid);
        return users == null ? 0 : users.size();
    }

    public int watchCount(Session session) {
        Set<String> mine = bySession.get(session.connectionId());
        return mine == null ? 0 : mine.size();
    }

    /** The connections that watch {@code cid}; a snapshot. */
    public Collection<Session> watchers(String cid) {
        Set<Session> w = watchers.get(cid);
        return w == null ? List.of() : List.copyOf(w);
    }
}
