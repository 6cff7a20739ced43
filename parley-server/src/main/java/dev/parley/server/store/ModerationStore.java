package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.Timestamps;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Durable moderation state (PROTOCOL.md §7.13, §7.1 U11, §7.26, §7.27): user mutes, channel mutes, bans, flags
 * and their reports, blocks and blocklists. Mutes are also read by the chat store itself: a message does not raise the unread count of a
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

    /**
     * A flag by {@code userId} on a message or a user ({@code targetKind} "message" or "user"). A flag the server
     * raises itself (a blocklist's {@code flag} behaviour, PROTOCOL.md §7.27) has {@code userId} {@link #SYSTEM},
     * {@code createdByAutomod} true and {@code details}, the JSON text of what matched.
     */
    record Flag(
            String userId,
            String targetKind,
            String targetId,
            @Nullable String reason,
            Instant createdAt,
            Instant updatedAt,
            boolean createdByAutomod,
            @Nullable String details) {
        public Flag {
            requireNonNull(userId, "userId");
            requireNonNull(targetKind, "targetKind");
            requireNonNull(targetId, "targetId");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
        }

        /** A flag by a user. */
        public Flag(
                String userId,
                String targetKind,
                String targetId,
                @Nullable String reason,
                Instant createdAt,
                Instant updatedAt) {
            this(userId, targetKind, targetId, reason, createdAt, updatedAt, false, null);
        }
    }

    /** The user id of a flag the server raised itself. */
    String SYSTEM = "";

    /**
     * The report of one flagged message or user (PROTOCOL.md §7.26): how many flags it has, who flagged first,
     * and its review. {@code targetUserId} is the flagged user, or the author of the flagged message;
     * {@code channelCid} is the flagged message's channel (null for a user). {@code reviewDetails} is JSON text.
     */
    record FlagReport(
            String id,
            String targetKind,
            String targetId,
            @Nullable String channelCid,
            String targetUserId,
            @Nullable String firstReporterId,
            int flagsCount,
            Instant createdAt,
            Instant updatedAt,
            @Nullable String reviewResult,
            @Nullable String reviewedBy,
            @Nullable Instant reviewedAt,
            @Nullable String reviewDetails) {
        public FlagReport {
            requireNonNull(id, "id");
            requireNonNull(targetKind, "targetKind");
            requireNonNull(targetId, "targetId");
            requireNonNull(targetUserId, "targetUserId");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            reviewedAt = Timestamps.truncate(reviewedAt);
        }

        public boolean reviewed() {
            return reviewedAt != null;
        }
    }

    /** A flag with the report of its target. */
    record ReportedFlag(Flag flag, FlagReport report) {}

    /** What flags and reports may be filtered on (a list of values each, any of which matches). */
    enum FlagField {
        /** Who flagged; flags only. */
        REPORTER("f.user_id"),
        TARGET("r.target_id"),
        CHANNEL("r.channel_cid"),
        TARGET_USER("r.target_user_id"),
        REPORT("r.id"),
        REVIEW_RESULT("r.review_result"),
        REVIEWED_BY("r.reviewed_by");

        final String column;

        FlagField(String column) {
            this.column = column;
        }
    }

    /**
     * A query of flags or reports: {@code targetKind} null means both kinds, {@code reviewed} null both states;
     * each entry of {@code in} holds at most {@link #MAX_FILTER_VALUES} values.
     */
    record FlagFilter(
            @Nullable String targetKind,
            Map<FlagField, List<String>> in,
            @Nullable Boolean reviewed) {
        public FlagFilter {
            in = Map.copyOf(in);
            in.values().forEach(v -> {
                if (v.isEmpty() || v.size() > MAX_FILTER_VALUES) {
                    throw new IllegalArgumentException(
                            "filter values: " + v.size() + " (expected: 1 to " + MAX_FILTER_VALUES + ")");
                }
            });
        }
    }

    /** Most values of one field of a {@link FlagFilter}. */
    int MAX_FILTER_VALUES = 100;

    /** A blocklist (PROTOCOL.md §7.27): its words, lower case, in the order given. */
    record Blocklist(String name, List<String> words, Instant createdAt, Instant updatedAt) {
        public Blocklist {
            requireNonNull(name, "name");
            words = List.copyOf(words);
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

    /**
     * Adds a flag or refreshes it (keeping its {@code created_at}), and counts a new flag in its target's report,
     * which is created with {@code reportId}, {@code channelCid} and {@code targetUserId} when the target has none.
     * A new flag reopens a reviewed report (its review is cleared). Returns the stored flag. One transaction.
     */
    Flag upsertFlag(Flag flag, String reportId, @Nullable String channelCid, String targetUserId);

    /** Flags with their reports, newest flag first. */
    List<ReportedFlag> flags(FlagFilter filter, int limit, int offset);

    /** Reports, newest first; {@link FlagField#REPORTER} is not a filter of reports. */
    List<FlagReport> reports(FlagFilter filter, int limit, int offset);

    Optional<FlagReport> report(String id);

    /** The report of a flagged message or user. */
    Optional<FlagReport> reportOf(String targetKind, String targetId);

    /** Records the review of a report; empty when there is no such report. */
    Optional<FlagReport> reviewReport(
            String id, String result, @Nullable String reviewedBy, Instant at, @Nullable String details);

    /** Adds a blocklist; false when one of that name exists. */
    boolean createBlocklist(Blocklist list);

    /** Replaces a blocklist's words; false when there is no such list. */
    boolean updateBlocklist(String name, List<String> words, Instant at);

    /** Removes a blocklist; false when there was none. */
    boolean deleteBlocklist(String name);

    /** Every blocklist, by name. */
    List<Blocklist> blocklists();

    Optional<Blocklist> blocklist(String name);

    /** Blocks; false when the block existed. */
    boolean block(Block block);

    /** Unblocks; false when there was no block. */
    boolean unblock(String userId, String blockedUserId);

    /** The users {@code userId} blocked, oldest block first. */
    List<Block> blocks(String userId);
}
