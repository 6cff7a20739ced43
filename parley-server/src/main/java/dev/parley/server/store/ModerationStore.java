package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.Timestamps;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Durable moderation state (PROTOCOL.md §7.13, §7.1 U11): user mutes, channel mutes, bans, flags and
 * blocks. Mutes are also read by the chat store itself: a message does not raise the unread count of a
 * member who muted its author or its channel ({@link ChatStore#appendMessages}).
 *
 * <p>Every method is blocking and thread-safe; every write is one transaction. Reads that take an
 * {@code activeAt} leave out rows whose {@code expires} is at or before it. Both backends pass
 * {@code ChatStoreContractTest}.
 */
public interface ModerationStore {

    /** The global scope of a ban: a ban row with this cid applies everywhere. */
    String GLOBAL = "";

    /** {@code userId} muted {@code targetId}; {@code expires} null means until unmuted. */
    record UserMute(
            String userId,
            String targetId,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant expires) {
        public UserMute {
            requireNonNull(userId, "userId");
            requireNonNull(targetId, "targetId");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            expires = Timestamps.truncate(expires);
        }
    }

    /** {@code userId} muted channel {@code cid}. */
    record ChannelMute(
            String userId,
            String cid,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant expires) {
        public ChannelMute {
            requireNonNull(userId, "userId");
            requireNonNull(cid, "cid");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            expires = Timestamps.truncate(expires);
        }
    }

    /** A ban of {@code targetId} in channel {@code cid}, or everywhere when cid is {@link #GLOBAL}. */
    record Ban(
            String targetId,
            String cid,
            @Nullable String createdById,
            @Nullable String reason,
            boolean shadow,
            Instant createdAt,
            @Nullable Instant expires) {
        public Ban {
            requireNonNull(targetId, "targetId");
            requireNonNull(cid, "cid");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            expires = Timestamps.truncate(expires);
        }

        public boolean global() {
            return GLOBAL.equals(cid);
        }

        /** Whether the ban holds at {@code at}. */
        public boolean activeAt(Instant at) {
            return expires == null || expires.isAfter(at);
        }
    }

    /** A flag by {@code userId} on a message or a user ({@code targetKind} "message" or "user"). */
    record Flag(
            String userId,
            String targetKind,
            String targetId,
            @Nullable String reason,
            Instant createdAt,
            Instant updatedAt) {
        public Flag {
            requireNonNull(userId, "userId");
            requireNonNull(targetKind, "targetKind");
            requireNonNull(targetId, "targetId");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
        }
    }

    /** {@code userId} blocked {@code blockedUserId}. */
    record Block(String userId, String blockedUserId, Instant createdAt) {
        public Block {
            requireNonNull(userId, "userId");
            requireNonNull(blockedUserId, "blockedUserId");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
        }
    }

    /** Adds mutes or replaces them (a repeated mute keeps its {@code created_at}). */
    void upsertUserMutes(List<UserMute> mutes);

    /** Removes the mutes of {@code targetIds} by {@code userId}; returns how many there were. */
    int deleteUserMutes(String userId, Collection<String> targetIds);

    /** The user's mutes still active at {@code activeAt}, oldest first. */
    List<UserMute> userMutes(String userId, Instant activeAt);

    void upsertChannelMutes(List<ChannelMute> mutes);

    int deleteChannelMutes(String userId, Collection<String> cids);

    List<ChannelMute> channelMutes(String userId, Instant activeAt);

    /** Adds a ban or replaces the one of the same target and scope. */
    void upsertBan(Ban ban);

    /** Removes a ban; false when there was none. */
    boolean deleteBan(String targetId, String cid);

    /** The ban of {@code targetId} in scope {@code cid} (expired or not). */
    Optional<Ban> ban(String targetId, String cid);

    /**
     * Bans, newest first. {@code cid} null means any scope, {@code targetId} null any user, and
     * {@code activeAt} null includes expired bans.
     */
    List<Ban> bans(@Nullable String cid, @Nullable String targetId, @Nullable Instant activeAt, int limit, int offset);

    /** Adds a flag or refreshes it (keeping its {@code created_at}); returns the stored flag. */
    Flag upsertFlag(Flag flag);

    /** Blocks; false when the block existed. */
    boolean block(Block block);

    /** Unblocks; false when there was no block. */
    boolean unblock(String userId, String blockedUserId);

    /** The users {@code userId} blocked, oldest block first. */
    List<Block> blocks(String userId);
}
