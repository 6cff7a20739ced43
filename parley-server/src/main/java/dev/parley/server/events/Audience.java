package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who receives an event: data, not a choice of method, so that one publisher serves every event and a
 * cluster broker can carry the audience to other nodes as it is. Each node resolves an audience against its
 * own connections.
 */
public sealed interface Audience {

    /**
     * Every connection that watches channel {@code cid}, except the connections of {@code exceptUserId} (if set),
     * and, when {@code onlyUserIds} is set, only those of its users (a message of restricted visibility,
     * PROTOCOL.md §7.10).
     */
    record Watchers(
            String cid,
            @Nullable String exceptUserId,
            @Nullable List<String> onlyUserIds) implements Audience {
        public Watchers {
            requireNonNull(cid, "cid");
            onlyUserIds = onlyUserIds == null ? null : List.copyOf(onlyUserIds);
        }

        public Watchers(String cid, @Nullable String exceptUserId) {
            this(cid, exceptUserId, null);
        }
    }

    /**
     * Every connection of each user in {@code userIds}. When {@code unlessWatching} names a channel, a user who
     * watches that channel is skipped: the members of a channel who watch it nowhere get a notification instead
     * of the channel event their watching connections get.
     */
    record Users(List<String> userIds, @Nullable String unlessWatching) implements Audience {
        public Users {
            userIds = List.copyOf(userIds);
        }
    }

    /** The connections subscribed to the presence of {@code userId}, plus that user's own connections if asked. */
    record PresenceOf(String userId, boolean alsoOwnConnections) implements Audience {
        public PresenceOf {
            requireNonNull(userId, "userId");
        }
    }

    /** One connection, by id. */
    record Connection(String connectionId) implements Audience {
        public Connection {
            requireNonNull(connectionId, "connectionId");
        }
    }

    static Audience watchers(String cid) {
        return new Watchers(cid, null);
    }

    static Audience watchersExcept(String cid, String userId) {
        return new Watchers(cid, userId);
    }

    static Audience user(String userId) {
        return new Users(List.of(userId), null);
    }

    static Audience users(List<String> userIds) {
        return new Users(userIds, null);
    }

    /** The users of {@code userIds} who do not watch {@code cid}. */
    static Audience notWatching(List<String> userIds, String cid) {
        return new Users(userIds, requireNonNull(cid, "cid"));
    }

    static Audience connection(String connectionId) {
        return new Connection(connectionId);
    }

    static Audience presenceOf(String userId) {
        return new PresenceOf(userId, false);
    }

    static Audience presenceOfAndSelf(String userId) {
        return new PresenceOf(userId, true);
    }
}
