package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The rows of the chat tables as {@link ChatStore} reads and writes them. Immutable records. */
public final class ChatRows {
    private ChatRows() {}

    /**
     * A channel. {@code custom} holds {@code name}, {@code image} and the app's own keys.
     */
    public record ChannelRow(
            String cid,
            String type,
            String id,
            @Nullable String createdById,
            @Nullable String team,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant lastMessageAt,
            @Nullable Instant truncatedAt,
            @Nullable String truncatedById,
            boolean frozen,
            boolean disabled,
            int cooldown,
            int memberCount,
            int messageCount,
            ObjectNode custom) {
        public ChannelRow {
            requireNonNull(cid, "cid");
            requireNonNull(type, "type");
            requireNonNull(id, "id");
            requireNonNull(custom, "custom");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            lastMessageAt = Timestamps.truncate(lastMessageAt);
            truncatedAt = Timestamps.truncate(truncatedAt);
        }

        /** A channel's name for filters, or null. */
        public @Nullable String name() {
            return custom.path("name").isTextual() ? custom.get("name").asText() : null;
        }

        public ChannelRow withCustom(ObjectNode c, Instant now) {
            return new ChannelRow(
                    cid,
                    type,
                    id,
                    createdById,
                    team,
                    createdAt,
                    now,
                    lastMessageAt,
                    truncatedAt,
                    truncatedById,
                    frozen,
                    disabled,
                    cooldown,
                    memberCount,
                    messageCount,
                    c);
        }

        /** The channel after a message that counts was appended at {@code at}. */
        public ChannelRow withMessageAt(Instant at) {
            return new ChannelRow(
                    cid,
                    type,
                    id,
                    createdById,
                    team,
                    createdAt,
                    updatedAt,
                    at,
                    truncatedAt,
                    truncatedById,
                    frozen,
                    disabled,
                    cooldown,
                    memberCount,
                    messageCount + 1,
                    custom);
        }

        public ChannelRow withFlags(
                boolean frozen, boolean disabled, int cooldown, @Nullable String team, Instant now) {
            return new ChannelRow(
                    cid,
                    type,
                    id,
                    createdById,
                    team,
                    createdAt,
                    now,
                    lastMessageAt,
                    truncatedAt,
                    truncatedById,
                    frozen,
                    disabled,
                    cooldown,
                    memberCount,
                    messageCount,
                    custom);
        }
    }

    /**
     * A member of a channel with its read state (PROTOCOL.md §6.3, §6.6) and its own view of the channel:
     * archived, pinned, history hidden before a time; {@code custom} holds the app's member fields.
     */
    public record MemberRow(
            String cid,
            String userId,
            String channelRole,
            Instant createdAt,
            Instant updatedAt,
            boolean hidden,
            @Nullable Instant lastRead,
            @Nullable String lastReadMessageId,
            int unreadMessages,
            @Nullable Instant archivedAt,
            @Nullable Instant pinnedAt,
            @Nullable Instant hideMessagesBefore,
            ObjectNode custom,
            @Nullable String inviteStatus,
            @Nullable Instant inviteAcceptedAt,
            @Nullable Instant inviteRejectedAt) {
        public MemberRow {
            requireNonNull(cid, "cid");
            requireNonNull(userId, "userId");
            requireNonNull(channelRole, "channelRole");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            lastRead = Timestamps.truncate(lastRead);
            archivedAt = Timestamps.truncate(archivedAt);
            pinnedAt = Timestamps.truncate(pinnedAt);
            hideMessagesBefore = Timestamps.truncate(hideMessagesBefore);
            custom = custom == null ? Json.object() : custom;
            inviteAcceptedAt = Timestamps.truncate(inviteAcceptedAt);
            inviteRejectedAt = Timestamps.truncate(inviteRejectedAt);
        }

        public static MemberRow create(String cid, String userId, String role, Instant now) {
            return new MemberRow(
                    cid,
                    userId,
                    role,
                    now,
                    now,
                    false,
                    now,
                    null,
                    0,
                    null,
                    null,
                    null,
                    Json.object(),
                    null,
                    null,
                    null);
        }

        /** A member invited rather than added: pending until it accepts or rejects. */
        public static MemberRow invite(String cid, String userId, String role, Instant now) {
            return new MemberRow(
                    cid,
                    userId,
                    role,
                    now,
                    now,
                    false,
                    now,
                    null,
                    0,
                    null,
                    null,
                    null,
                    Json.object(),
                    "pending",
                    null,
                    null);
        }

        /** The invitation answered: {@code accepted} or {@code rejected} at {@code now}. */
        public MemberRow withInvite(boolean accepted, Instant now) {
            return new MemberRow(
                    cid,
                    userId,
                    channelRole,
                    createdAt,
                    now,
                    hidden,
                    lastRead,
                    lastReadMessageId,
                    unreadMessages,
                    archivedAt,
                    pinnedAt,
                    hideMessagesBefore,
                    custom,
                    accepted ? "accepted" : "rejected",
                    accepted ? now : null,
                    accepted ? null : now);
        }

        public MemberRow withRole(String role, Instant now) {
            return new MemberRow(
                    cid,
                    userId,
                    role,
                    createdAt,
                    now,
                    hidden,
                    lastRead,
                    lastReadMessageId,
                    unreadMessages,
                    archivedAt,
                    pinnedAt,
                    hideMessagesBefore,
                    custom,
                    inviteStatus,
                    inviteAcceptedAt,
                    inviteRejectedAt);
        }

        /** The member sees no message sent before {@code at} (a member added with {@code hide_history}). */
        public MemberRow withHistoryHiddenBefore(Instant at) {
            return new MemberRow(
                    cid,
                    userId,
                    channelRole,
                    createdAt,
                    updatedAt,
                    hidden,
                    lastRead,
                    lastReadMessageId,
                    unreadMessages,
                    archivedAt,
                    pinnedAt,
                    at,
                    custom,
                    inviteStatus,
                    inviteAcceptedAt,
                    inviteRejectedAt);
        }

        /** The member's own state changed: archive, pin, custom fields. */
        public MemberRow withState(
                @Nullable Instant archivedAt, @Nullable Instant pinnedAt, ObjectNode custom, Instant now) {
            return new MemberRow(
                    cid,
                    userId,
                    channelRole,
                    createdAt,
                    now,
                    hidden,
                    lastRead,
                    lastReadMessageId,
                    unreadMessages,
                    archivedAt,
                    pinnedAt,
                    hideMessagesBefore,
                    custom,
                    inviteStatus,
                    inviteAcceptedAt,
                    inviteRejectedAt);
        }
    }

    /**
     * A stored message. {@code doc} is the message as the protocol shows it (without the per-reader
     * {@code own_reactions}); the other fields are the indexed copies of what queries need.
     *
     * @param inChannel whether the message appears in the channel's list: not a reply, or a reply also
     *     shown in the channel
     */
    public record MessageRow(
            String id,
            String cid,
            String userId,
            @Nullable String parentId,
            boolean inChannel,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant deletedAt,
            @Nullable Instant pinnedAt,
            ObjectNode doc) {
        public MessageRow {
            requireNonNull(id, "id");
            requireNonNull(cid, "cid");
            requireNonNull(userId, "userId");
            requireNonNull(doc, "doc");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
            updatedAt = Timestamps.truncate(requireNonNull(updatedAt, "updatedAt"));
            deletedAt = Timestamps.truncate(deletedAt);
            pinnedAt = Timestamps.truncate(pinnedAt);
        }

        public Cursor cursor() {
            return new Cursor(createdAt, id);
        }
    }

    /** One user's reaction of one type to a message; {@code doc} is the reaction as the protocol shows it. */
    public record ReactionRow(
            String messageId, String userId, String type, int score, Instant createdAt, ObjectNode doc) {
        public ReactionRow {
            requireNonNull(messageId, "messageId");
            requireNonNull(userId, "userId");
            requireNonNull(type, "type");
            requireNonNull(doc, "doc");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
        }
    }

    /**
     * One message to append with {@link ChatStore#appendMessages}: the message, the thread parent to
     * rewrite (or null), whether it counts as unread for the other members, and the channel event that
     * {@code /sync} keeps for it (or null), written in the same transaction. With {@code replacing} set, the
     * message is a pending message being committed (PROTOCOL.md §7.29): its stored row, which must still have
     * that creation time, is overwritten instead of a new row inserted; when the row is gone or was committed
     * already, nothing is written and the append answers false.
     */
    public record MessageAppend(
            MessageRow message,
            @Nullable MessageRow parent,
            boolean countsAsUnread,
            @Nullable EventRow event,
            @Nullable Instant replacing) {
        public MessageAppend {
            requireNonNull(message, "message");
        }

        public MessageAppend(
                MessageRow message, @Nullable MessageRow parent, boolean countsAsUnread, @Nullable EventRow event) {
            this(message, parent, countsAsUnread, event, null);
        }

        public MessageAppend(MessageRow message, @Nullable MessageRow parent, boolean countsAsUnread) {
            this(message, parent, countsAsUnread, null, null);
        }
    }

    /**
     * One version of an edited message (PROTOCOL.md §7.29): its text and attachments as of {@code at}, written by
     * {@code updatedById} (null: the server side without a user).
     */
    public record MessageVersion(
            String messageId, Instant at, @Nullable String updatedById, String text, JsonNode attachments) {
        public MessageVersion {
            requireNonNull(messageId, "messageId");
            at = Timestamps.truncate(requireNonNull(at, "at"));
            requireNonNull(text, "text");
            requireNonNull(attachments, "attachments");
        }
    }

    /** A stored channel event as a gap fill reads it: its sequence number, its one recipient (or null), its bytes. */
    public record StoredEvent(long seq, @Nullable String targetUserId, String type, byte[] json) {
        public StoredEvent {
            requireNonNull(type, "type");
            requireNonNull(json, "json");
        }
    }

    /**
     * A channel event that {@code POST /sync} replays (PROTOCOL.md §9.4). The store gives it the channel's
     * next sequence number and stamps it on {@code body} as {@code channel_seq}. {@code targetUserId} is set
     * when only that user gets it back; null when every member does. The store leaves the bytes it wrote in
     * {@code encoded}, so that the event is delivered without being encoded again. {@code hooks} are written to
     * the webhook outbox in the same transaction, each with the event's bytes as its payload unless it has one.
     */
    public record EventRow(
            String cid,
            @Nullable String targetUserId,
            Instant at,
            ObjectNode body,
            EncodedJson encoded,
            List<HookStore.NewDelivery> hooks) {
        public EventRow {
            requireNonNull(cid, "cid");
            requireNonNull(at, "at");
            requireNonNull(body, "body");
            requireNonNull(encoded, "encoded");
            hooks = List.copyOf(hooks);
        }

        public EventRow(String cid, @Nullable String targetUserId, Instant at, ObjectNode body, EncodedJson encoded) {
            this(cid, targetUserId, at, body, encoded, List.of());
        }

        public EventRow(String cid, @Nullable String targetUserId, Instant at, ObjectNode body) {
            this(cid, targetUserId, at, body, new EncodedJson());
        }
    }

    /** Per-type totals of a message's reactions. */
    public record ReactionGroup(String type, int count, int sumScores, Instant first, Instant last) {}

    /**
     * A message's reactions as they stand inside a reaction write of {@link ChatStore#addReaction} or
     * {@link ChatStore#removeReaction}: the per-type totals and the newest reactions, newest first.
     */
    public record ReactionSummary(List<ReactionGroup> groups, List<ReactionRow> latest) {
        public ReactionSummary {
            groups = List.copyOf(groups);
            latest = List.copyOf(latest);
        }

        /**
         * Writes these totals into a message's document: {@code reaction_counts}, {@code reaction_scores},
         * {@code reaction_groups} and {@code latest_reactions}, each replaced whole.
         */
        public void writeInto(ObjectNode doc) {
            ObjectNode counts = doc.putObject("reaction_counts");
            ObjectNode scores = doc.putObject("reaction_scores");
            ObjectNode byType = doc.putObject("reaction_groups");
            for (ReactionGroup g : groups) {
                counts.put(g.type(), g.count());
                scores.put(g.type(), g.sumScores());
                ObjectNode group = byType.putObject(g.type());
                group.put("count", g.count());
                group.put("sum_scores", g.sumScores());
                group.put("first_reaction_at", Timestamps.format(g.first()));
                group.put("last_reaction_at", Timestamps.format(g.last()));
                group.putArray("latest_reactions_by");
            }
            com.fasterxml.jackson.databind.node.ArrayNode list = doc.putArray("latest_reactions");
            latest.forEach(r -> list.add(r.doc()));
        }
    }

    /**
     * What a reaction write did.
     *
     * @param message the message as written with its new reaction totals (as stored when nothing changed)
     * @param removed how many reactions the write deleted: the one removed, or the user's earlier ones that
     *     an add replaced
     */
    public record ReactionWrite(MessageRow message, int removed) {
        public ReactionWrite {
            requireNonNull(message, "message");
        }
    }

    /** A position in a message list: messages are ordered by creation time, then id. */
    public record Cursor(Instant at, String id) {
        public Cursor {
            requireNonNull(at, "at");
            requireNonNull(id, "id");
        }
    }

    /**
     * A page of messages: those after {@code after} and before {@code before} (each optional, inclusive or
     * not), at most {@code limit}; the newest of the range unless {@code oldestFirst}. Always returned
     * oldest first.
     */
    public record MessageRange(
            @Nullable Cursor before,
            boolean beforeInclusive,
            @Nullable Cursor after,
            boolean afterInclusive,
            int limit,
            boolean oldestFirst) {
        public static MessageRange latest(int limit) {
            return new MessageRange(null, false, null, false, limit, false);
        }
    }

    /** The newest message delivered to a member (delivery receipts, PROTOCOL.md §7.8 C16). */
    public record Delivery(String cid, String userId, Instant at, String messageId) {
        public Delivery {
            requireNonNull(cid, "cid");
            requireNonNull(userId, "userId");
            at = Timestamps.truncate(requireNonNull(at, "at"));
            requireNonNull(messageId, "messageId");
        }
    }

    /** A push device of a user (PROTOCOL.md §6.8). */
    public record DeviceRow(
            String id,
            String userId,
            String pushProvider,
            @Nullable String pushProviderName,
            Instant createdAt) {
        public DeviceRow {
            requireNonNull(id, "id");
            requireNonNull(userId, "userId");
            requireNonNull(pushProvider, "pushProvider");
            createdAt = Timestamps.truncate(requireNonNull(createdAt, "createdAt"));
        }
    }

    /** A user's unread totals over all channels (PROTOCOL.md §6.1). */
    public record UnreadTotals(int messages, int channels) {
        public static final UnreadTotals ZERO = new UnreadTotals(0, 0);
    }

    /**
     * A thread's own row (PROTOCOL.md §7.18): what a partial update set (title, custom data as a JSON object) and
     * when its latest reply came.
     */
    public record ThreadRow(
            String parentId,
            String cid,
            @Nullable String title,
            String customJson,
            Instant createdAt,
            Instant updatedAt,
            Instant lastMessageAt) {
        public ThreadRow {
            requireNonNull(parentId, "parentId");
            requireNonNull(cid, "cid");
            requireNonNull(customJson, "customJson");
        }
    }

    /**
     * A participant of a thread (its parent's author or a reply's author, or a user who marked it read) with that
     * user's read state of the thread.
     */
    public record ThreadParticipant(
            String parentId,
            String userId,
            String cid,
            Instant createdAt,
            Instant lastThreadMessageAt,
            @Nullable Instant lastRead,
            @Nullable String lastReadMessageId,
            int unread) {}

    /** A user's unread count in one channel, for {@code GET /unread}. */
    public record ChannelUnread(
            String cid, String type, int unread, @Nullable Instant lastRead) {}

    /**
     * What a message send needs about a channel's members, which {@link ChatStore#roster} keeps in memory while
     * the channel is hot: each member's channel role, unread count in the channel and mutes, and the users with
     * a ban row in the channel (active or not: the send reads the ban itself for those only). A roster holds
     * at most {@link #MAX_MEMBERS} members; {@code complete} is false when the channel has more, and a user
     * missing from an incomplete roster may still be a member.
     */
    public record Roster(Map<String, RosterMember> members, Set<String> bannedUserIds, boolean complete) {
        public static final int MAX_MEMBERS = 10_000;

        public Roster {
            members = Map.copyOf(members);
            bannedUserIds = Set.copyOf(bannedUserIds);
        }

        /** The roster after a message by {@code authorId} at {@code at} that counts as unread was appended. */
        public Roster afterMessage(String authorId, Instant at) {
            Map<String, RosterMember> next = new java.util.HashMap<>(members);
            members.forEach((id, m) -> next.put(id, m.afterMessage(authorId, at)));
            return new Roster(next, bannedUserIds, complete);
        }
    }

    /**
     * One member in a {@link Roster}. {@code channelMutedUntil}: null when the member has not muted the
     * channel, {@link Instant#MAX} when muted for good. {@code mutedUsers}: the users this member muted, each
     * with the same convention.
     */
    public record RosterMember(
            String userId,
            String channelRole,
            int unread,
            @Nullable Instant channelMutedUntil,
            Map<String, Instant> mutedUsers) {
        public RosterMember {
            requireNonNull(userId, "userId");
            mutedUsers = Map.copyOf(mutedUsers);
        }

        /**
         * Whether a message by {@code authorId} at {@code at} leaves this member's unread count alone: the member
         * muted the channel or the author (as the store's unread increment decides).
         */
        public boolean ignores(String authorId, Instant at) {
            Instant user = mutedUsers.get(authorId);
            return (channelMutedUntil != null && channelMutedUntil.isAfter(at)) || (user != null && user.isAfter(at));
        }

        /** This member after a counted message: the author has read the channel, the others have one more unread. */
        RosterMember afterMessage(String authorId, Instant at) {
            if (userId.equals(authorId)) {
                return unread == 0 ? this : new RosterMember(userId, channelRole, 0, channelMutedUntil, mutedUsers);
            }
            return ignores(authorId, at)
                    ? this
                    : new RosterMember(userId, channelRole, unread + 1, channelMutedUntil, mutedUsers);
        }
    }
}
