package dev.parley.server.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Which connections watch which channels (PROTOCOL.md §3.7, §8.1) and the fan-out of channel events to
 * them. Watching belongs to a connection; the watcher count of a channel counts distinct users.
 *
 * <p>Thread-safe. Fan-out encodes an event once per audience variant (once, or once per recipient user
 * when fields differ per user), never once per connection, and hands each connection a
 * {@code retainedDuplicate} of the one buffer through {@link Session#send}, which is bounded per
 * connection. A connection watches at most {@link #MAX_PER_SESSION} channels; further watches are
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
            gone.forEach(s -> replace(bySession, s.connectionId(),
                    CompactSets.without(bySession.get(s.connectionId()), cid)));
        }
    }

    private static <K, V> void replace(Map<K, V> map, K key, V value) {
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

    /** Sends the same event to every watcher: encoded once. */
    public void publish(String cid, ObjectNode event) {
        Set<Session> w = watchers.get(cid);
        if (w != null && !w.isEmpty()) {
            sendAll(List.copyOf(w), event);
        }
    }

    /** Sends the same event to every watcher except the connections of {@code userId}: encoded once. */
    public void publishExcept(String cid, String userId, ObjectNode event) {
        Set<Session> w = watchers.get(cid);
        if (w != null) {
            sendAll(w.stream().filter(s -> !s.userId().equals(userId)).toList(), event);
        }
    }

    /**
     * Sends an event whose fields differ per recipient user: {@code variantOf} names each watching
     * user's variant (users with the same key get the same bytes), and {@code build} makes the event of a
     * variant. Each variant is built and encoded once, whatever the number of users and connections.
     */
    public <K> void publishVariants(String cid, Function<String, K> variantOf, Function<K, ObjectNode> build) {
        Set<Session> w = watchers.get(cid);
        if (w == null || w.isEmpty()) {
            return;
        }
        Map<K, List<Session>> byVariant = new HashMap<>();
        Map<String, K> keys = new HashMap<>();
        for (Session s : w) {
            K key = keys.computeIfAbsent(s.userId(), variantOf);
            byVariant.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }
        byVariant.forEach((key, sessions) -> sendAll(sessions, build.apply(key)));
    }

    /**
     * Encodes {@code event} once and queues it on every session. Sessions are grouped by their
     * {@link Session#writer() writer}: each event loop gets one task that writes to all of its sockets,
     * rather than one cross-thread hand-off per socket.
     */
    public static void sendAll(Collection<Session> sessions, ObjectNode event) {
        if (sessions.isEmpty()) {
            return;
        }
        ByteBuf frame = Unpooled.wrappedBuffer(Json.writeBytes(event));
        try {
            Map<Executor, List<Session>> byWriter = new IdentityHashMap<>();
            for (Session s : sessions) {
                Executor w = s.writer();
                if (w == null || s.onWriter()) {
                    s.send(frame.retainedDuplicate());
                } else {
                    byWriter.computeIfAbsent(w, k -> new ArrayList<>()).add(s);
                }
            }
            byWriter.forEach((w, batch) -> handOff(w, batch, frame));
        } finally {
            frame.release();
        }
    }

    private static void handOff(Executor writer, List<Session> batch, ByteBuf frame) {
        ByteBuf mine = frame.retain();
        try {
            writer.execute(() -> {
                try {
                    for (Session s : batch) {
                        s.send(mine.retainedDuplicate());
                    }
                } finally {
                    mine.release();
                }
            });
        } catch (RejectedExecutionException e) {
            mine.release(); // the event loop is shutting down: its sockets are closing
        }
    }
}
