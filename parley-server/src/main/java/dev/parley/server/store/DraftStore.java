package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Users' drafts (PROTOCOL.md §7.22): at most one per user and channel, and one per user and thread. Blocking and
 * thread-safe; every write is one transaction.
 */
public interface DraftStore {
    /**
     * One draft.
     *
     * @param parentId the thread's parent message id, or {@code ""} for the channel's own draft
     * @param message the draft message as answered (its id, text and the rest the client set)
     */
    record Draft(String userId, String cid, String parentId, Instant createdAt, ObjectNode message) {
        public Draft {
            requireNonNull(userId, "userId");
            requireNonNull(cid, "cid");
            requireNonNull(parentId, "parentId");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(message, "message");
        }
    }

    /** Stores {@code draft}, replacing the user's draft of the same channel or thread. */
    void upsert(Draft draft);

    Optional<Draft> find(String userId, String cid, String parentId);

    /** The user's drafts of the channels {@code cids} themselves (not of their threads). */
    List<Draft> ofChannels(String userId, Collection<String> cids);

    /**
     * Deletes one draft, only if it was saved no later than {@code savedBy} when that is set (a send deletes the
     * draft it overtook, not one saved after it); false when none was deleted.
     */
    boolean delete(String userId, String cid, String parentId, java.time.@Nullable Instant savedBy);

    /**
     * A page of the user's drafts. Filterable: {@code channel_cid}, {@code parent_id} ({@code $exists}),
     * {@code created_at}; sortable by {@code created_at}; newest first by default.
     */
    List<Draft> query(PersonalQuery query);
}
