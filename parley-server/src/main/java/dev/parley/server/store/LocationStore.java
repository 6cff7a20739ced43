package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Locations shared in messages (PROTOCOL.md §7.24): one per message; a live one has an end. Blocking and
 * thread-safe; every write is one transaction.
 */
public interface LocationStore {
    /** A shared location; {@code endAt} null for a static one. */
    record Location(
            String messageId,
            String cid,
            String userId,
            String deviceId,
            double latitude,
            double longitude,
            @Nullable Instant endAt,
            Instant createdAt,
            Instant updatedAt) {
        public Location {
            requireNonNull(messageId, "messageId");
            requireNonNull(cid, "cid");
            requireNonNull(userId, "userId");
            requireNonNull(deviceId, "deviceId");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
        }
    }

    /** Stores a new message's location; replaces one of the same message id. */
    void upsert(Location location);

    Optional<Location> find(String messageId);

    /** The user's live locations whose end is after {@code now}, the earliest shared first, at most {@code limit}. */
    List<Location> live(String userId, Instant now, int limit);

    /** Deletes the location of a message; false when there was none. */
    boolean delete(String messageId);
}
