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

/**
 * Which connections watch which channels on this node (PROTOCOL.md §3.7, §8.1). Watching belongs to a
 * connection; the watcher count of a channel counts distinct users. {@link LocalBroker} reads it to deliver
 * channel events; nothing else sends through it.
 *
 * <p>Thread-safe. A connection watches at most {@link #MAX_PER_SESSION} channels; further watches are
 * ignored.
 */
public final class ChannelHub {
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
        boolean first = add(session, cid);
        onChange.accept(cid);
        return first;
    }

    private synchronized boolean add(Session session, String cid) {
        Set<String> mine = bySession.get(session.connectionId());
        if (mine != null && (mine.contains(cid) || mine.size() >= MAX_PER_SESSION)) {
            return false;
        }
        bySession.put(session.connectionId(), CompactSets.with(mine, cid));
        watchers.put(cid, CompactSets.with(watchers.get(cid), session));
        Map<String, Integer> users = usersByChannel.get(cid);
        boolean first = users == null || !users.containsKey(session.userId());
        usersByChannel.put(cid, CompactSets.count(users, session.userId(), 1));
        return first;
    }

    /**
     * Ends the connection's subscription to the channel.
     *
     * @return true when its user no longer watches the channel through any connection
     */
    public boolean unwatch(Session session, String cid) {
        boolean stopped = remove(session, cid);
        onChange.accept(cid);
        return stopped;
    }

    private synchronized boolean remove(Session session, String cid) {
        Set<String> mine = bySession.get(session.connectionId());
        if (mine == null || !mine.contains(cid)) {
            return false;
        }
        replace(bySession, session.connectionId(), CompactSets.without(mine, cid));
        replace(watchers, cid, CompactSets.without(watchers.get(cid), session));
        Map<String, Integer> users = usersByChannel.get(cid);
        boolean stopped = users != null && users.getOrDefault(session.userId(), 0) <= 1;
        replace(usersByChannel, cid, users == null ? null : CompactSets.count(users, session.userId(), -1));
        return stopped;
    }

    /** Ends every subscription of a closed connection; returns the channels its user stopped watching. */
    public List<String> unwatchAll(Session session) {
        List<String> left = new ArrayList<>();
        List<String> stopped = removeAll(session, left);
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
            if (remove(session, cid)) {
                stopped.add(cid);
            }
        }
        bySession.remove(session.connectionId());
        return stopped;
    }

    /** Forgets every watcher of a deleted channel. */
    public void dropChannel(String cid) {
        drop(cid);
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

    public int watcherCount(String cid) {
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
