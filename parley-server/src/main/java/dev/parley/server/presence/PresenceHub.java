package dev.parley.server.presence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Who listens to whose presence (PROTOCOL.md §4.3): a connection subscribes to users by querying them
 * with {@code presence: true}. Subscriptions belong to a connection and end with it.
 *
 * <p>Thread-safe. Each event is encoded once and the same buffer is shared by every recipient.
 * A connection holds at most {@link #MAX_PER_SESSION} subscriptions; further ones are ignored.
 */
public final class PresenceHub {
    public static final int MAX_PER_SESSION = 10_000;

    private final Map<String, Set<Session>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> bySession = new ConcurrentHashMap<>();

    /** Subscribes {@code session} to the presence of {@code userIds}. */
    public void subscribe(Session session, Collection<String> userIds) {
        Set<String> mine = bySession.computeIfAbsent(session.connectionId(), k -> ConcurrentHashMap.newKeySet());
        for (String id : userIds) {
            if (mine.size() >= MAX_PER_SESSION) {
                return;
            }
            if (mine.add(id)) {
                subscribers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(session);
            }
        }
    }

    /** Drops every subscription of a closed connection. */
    public void unsubscribeAll(Session session) {
        Set<String> mine = bySession.remove(session.connectionId());
        if (mine == null) {
            return;
        }
        for (String id : mine) {
            subscribers.computeIfPresent(id, (k, v) -> {
                v.remove(session);
                return v.isEmpty() ? null : v;
            });
        }
    }

    public int subscriptionCount(Session session) {
        Set<String> mine = bySession.get(session.connectionId());
        return mine == null ? 0 : mine.size();
    }

    /** Sends {@code event} about {@code userId} to its subscribers, plus {@code alsoTo}. */
    public void publish(String userId, ObjectNode event, List<Session> alsoTo) {
        publish(userId, () -> event, alsoTo);
    }

    /**
     * As {@link #publish(String, ObjectNode, List)}, building the event only when someone will receive it:
     * most users have no presence subscribers, and the connect path publishes on every connect.
     */
    public void publish(String userId, Supplier<ObjectNode> event, List<Session> alsoTo) {
        Set<Session> subs = subscribers.get(userId);
        if ((subs == null || subs.isEmpty()) && alsoTo.isEmpty()) {
            return;
        }
        ByteBuf frame = Unpooled.wrappedBuffer(Json.writeBytes(event.get()));
        try {
            Set<Session> sent = new java.util.HashSet<>();
            if (subs != null) {
                for (Session s : subs) {
                    if (sent.add(s)) {
                        s.send(frame.retainedDuplicate());
                    }
                }
            }
            for (Session s : alsoTo) {
                if (sent.add(s)) {
                    s.send(frame.retainedDuplicate());
                }
            }
        } finally {
            frame.release();
        }
    }
}
