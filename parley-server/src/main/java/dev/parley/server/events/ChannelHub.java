package dev.parley.server.events;

import dev.parley.server.session.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /**
     * Subscribes the connection to the channel.
     *
     * @return true when its user was not watching the channel through any connection before
     */
    public synchronized boolean watch(Session session, String cid) {
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
    public synchronized boolean unwatch(Session session, String cid) {
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
    public synchronized List<String> unwatchAll(Session session) {
        Set<String> mine = bySession.get(session.connectionId());
        List<String> stopped = new ArrayList<>();
        if (mine == null) {
            return stopped;
        }
        for (String cid : List.copyOf(mine)) {
            if (unwatch(session, cid)) {
                stopped.add(cid);
            }
        }
        bySession.remove(session.connectionId());
        return stopped;
    }

    /** Forgets every watcher of a deleted channel. */
    public synchronized void dropChannel(String cid) {
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
