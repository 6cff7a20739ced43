package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import dev.parley.server.session.Session;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who listens to whose presence (PROTOCOL.md §4.3): a connection subscribes to users by querying them
 * with {@code presence: true}. Subscriptions belong to a connection and end with it. {@link LocalBroker}
 * reads it to deliver presence events.
 *
 * <p>Thread-safe. A connection holds at most {@link #MAX_PER_SESSION} subscriptions; further ones are ignored.
 */
public final class PresenceHub {
    public static final int MAX_PER_SESSION = 10_000;

    private final Map<String, Set<Session>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> bySession = new ConcurrentHashMap<>();

    private volatile Consumer<String> onChange = user -> {};

    /**
     * Tells {@code listener} the user id whenever the subscribers of a user's presence on this node change
     * (after the change): a cluster follows it with its subscriptions. One listener.
     */
    public void onChange(Consumer<String> listener) {
        onChange = requireNonNull(listener, "listener");
    }

    /** Subscribes {@code session} to the presence of {@code userIds}. */
    public void subscribe(Session session, Collection<String> userIds) {
        Set<String> mine = bySession.computeIfAbsent(session.connectionId(), k -> ConcurrentHashMap.newKeySet());
        for (String id : userIds) {
            if (mine.size() >= MAX_PER_SESSION) {
                return;
            }
            if (mine.add(id)) {
                subscribers
                        .computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                        .add(session);
                onChange.accept(id);
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
            onChange.accept(id);
        }
    }

    public int subscriptionCount(Session session) {
        Set<String> mine = bySession.get(session.connectionId());
        return mine == null ? 0 : mine.size();
    }

    /** The connections subscribed to the presence of {@code userId}; a snapshot. */
    public Collection<Session> subscribersOf(String userId) {
        Set<Session> subs = subscribers.get(userId);
        return subs == null ? List.of() : List.copyOf(subs);
    }
}
