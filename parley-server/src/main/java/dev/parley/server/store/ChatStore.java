package dev.parley.server.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.ChannelUnread;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionGroup;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.UnreadTotals;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Durable storage of the chat core: channels, members and their read state, messages, reactions and the
 * channel events that {@code POST /sync} replays.
 *
 * <p>Every method is blocking and thread-safe; call it from virtual threads, never from an event loop.
 * Every write method is one transaction. The store does not serialise writers of one channel against each
 * other: the channel service does that with its per-channel locks, so read-modify-write sequences
 * (reaction totals, reply counts) are only safe under that lock; each is still written in one
 * transaction with the rows it counts. Both backends pass
 * {@code ChatStoreContractTest}.
 */
public interface ChatStore {

    Optional<ChannelRow> findChannel(String cid);

    /** Inserts the channel and its members unless a channel with that cid exists; false when it existed. */
    boolean createChannel(ChannelRow channel, List<MemberRow> members);

    /** Overwrites the channel's row (not its counters: member and message counts are kept by the store). */
    void updateChannel(ChannelRow channel);

    /** Deletes the channel with its members, messages and reactions; its persisted events are kept. */
    void deleteChannel(String cid);

    /**
     * Soft-deletes a channel (PROTOCOL.md §7.6): its row is set aside and it is gone for every read, while its
     * members, messages and threads are kept. {@link #createChannel} of the same cid later removes them and starts
     * afresh, or, with {@code keepHistory}, brings the old channel back with them. False when there was none.
     */
    boolean softDeleteChannel(String cid, Instant at, @Nullable String byUserId, boolean keepHistory);

    /** Deletes the channel's messages created at or before {@code at}, zeroes unread counts, sets truncated_at. */
    void truncateChannel(String cid, Instant at, @Nullable String byUserId);

    /** Runs a channel query; see {@link ChannelQuery}. */
    List<ChannelRow> queryChannels(ChannelQuery query);

    /** Members by most recently added first. */
    List<MemberRow> members(String cid, int limit, int offset);

    Optional<MemberRow> member(String cid, String userId);

    /** The memberships of {@code userId} among {@code cids}, keyed by cid. */
    Map<String, MemberRow> memberships(String userId, Collection<String> cids);

    /** Adds members or replaces their rows; keeps {@code member_count} right. */
    void upsertMembers(String cid, List<MemberRow> members);

    /** Removes members; keeps {@code member_count} right. Returns how many were removed. */
    int removeMembers(String cid, Collection<String> userIds);

    /**
     * Sets or clears a member's hidden flag, and when {@code hideMessagesBefore} is given, hides the history
     * before it from that member; false when not a member.
     */
    boolean setHidden(String cid, String userId, boolean hidden, @Nullable Instant hideMessagesBefore);

    /** Overwrites the member's own state (role, archive, pin, custom fields); false when not a member. */
    default boolean updateMember(MemberRow member) {
        if (member(member.cid(), member.userId()).isEmpty()) {
            return false;
        }
        upsertMembers(member.cid(), List.of(member));
        return true;
    }

    /** Sets a member's read state; false when not a member. */
    boolean setRead(
            String cid, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unreadMessages);

    /**
     * Appends a message in one transaction: inserts it unless its id exists (then returns false and changes
     * nothing), writes {@code parent} (the thread parent with its new reply count) when given, and when
     * {@code countsAsUnread} raises the unread count of every other member (but not of members with an
     * active mute of the author or of the channel, {@link ModerationStore}), advances the author's read
     * state to it, sets the channel's {@code last_message_at} and unhides the channel for its members.
     */
    boolean appendMessage(MessageRow message, @Nullable MessageRow parent, boolean countsAsUnread);

    /**
     * Appends several messages in one transaction (the group commit of message sends): each as
     * {@link #appendMessage}, in order. The result says, per message, whether it was appended (false: its
     * id existed). When the transaction fails, nothing is appended.
     */
    List<Boolean> appendMessages(List<ChatRows.MessageAppend> batch);

    Optional<MessageRow> findMessage(String id);

    List<MessageRow> findMessages(Collection<String> ids);

    void updateMessage(MessageRow message);

    /**
     * {@link #updateMessage} and, in the same transaction, the message's {@code versions} (PROTOCOL.md §7.29); a
     * version at a time the message already has one is not written again.
     */
    void updateMessage(MessageRow message, List<ChatRows.MessageVersion> versions);

    /**
     * The versions of {@code messageIds}, by time ({@code newestFirst} or oldest first, then by message id), only
     * those {@code updatedById} wrote when it is set; a page of {@code limit} from {@code offset}.
     */
    List<ChatRows.MessageVersion> messageVersions(
            Collection<String> messageIds, @Nullable String updatedById, boolean newestFirst, int limit, int offset);

    /** Deletes a message with its reactions; false when there was none. */
    boolean deleteMessage(String id);

    /** A page of the channel's messages (those shown in the channel), oldest first. */
    List<MessageRow> channelMessages(String cid, MessageRange range);

    /**
     * Thread parents that {@code userId} takes part in (wrote the parent or a reply) in channels it is a
     * member of, by latest reply first.
     */
    List<MessageRow> threadsOf(String userId, int limit, int offset);

    /** Marks {@code messageId} of channel {@code cid} deleted for {@code userId} only (delete_for_me). */
    void deleteForUser(String messageId, String cid, String userId, Instant at);

    /** Of {@code messageIds}, those {@code userId} deleted for itself, with when. */
    Map<String, Instant> deletedForUser(String userId, Collection<String> messageIds);

    /** A thread's own row; empty when the message has no replies (or is no thread parent). */
    Optional<ChatRows.ThreadRow> thread(String parentId);

    /** A thread's participants with their read state, first participant first; at most {@code limit}. */
    List<ChatRows.ThreadParticipant> threadParticipants(String parentId, int limit);

    /** Sets a participant's read state of a thread; false when the user takes no part in it. */
    boolean setThreadRead(
            String parentId, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unread);

    /** Sets a thread's title and custom data; false when the thread has no row. */
    boolean updateThread(String parentId, @Nullable String title, String customJson, Instant at);

    /** How many threads of channels the user is a member of have replies the user has not read. */
    int unreadThreadCount(String userId);

    /** {@link #unreadThreadCount} of several users; users without unread threads map to 0. */
    Map<String, Integer> unreadThreadCounts(Collection<String> userIds);

    /** The user's threads with unread replies, in channels it is a member of, latest reply first. */
    List<ChatRows.ThreadParticipant> unreadThreads(String userId, int limit);

    /** A page of a thread's replies, oldest first. */
    List<MessageRow> replies(String parentId, MessageRange range);

    /** The channel's pinned messages, most recently pinned first. */
    List<MessageRow> pinnedMessages(String cid, int limit);

    /** How many messages shown in the channel are at or after {@code from}. */
    int countChannelMessagesFrom(String cid, Cursor from);

    /**
     * The creation time of the channel's latest message, replies and deleted messages included; empty when it
     * has none. A node of a cluster starts from it when the store refused a message for being no later than
     * one another node wrote ({@link #appendMessages}).
     */
    Optional<Instant> latestMessageTime(String cid);

    /**
     * Adds or replaces a reaction (one per message, user and type) and rewrites its message in the same
     * transaction, so that the message's reaction totals never differ from the reaction rows, not even
     * after a crash (as {@link #appendMessage} does with a thread's reply count).
     *
     * @param replaceOwn first delete every reaction of the same user on the message
     * @param latest how many of the newest reactions {@code rewrite} receives
     * @param rewrite gets the message as stored and its reactions after the change, and returns the
     *     message to store; it runs inside the transaction, so it must be quick and must not call the store
     * @return what was written, or empty when no message has that id (then nothing is)
     */
    Optional<ChatRows.ReactionWrite> addReaction(
            ReactionRow reaction,
            boolean replaceOwn,
            int latest,
            BiFunction<MessageRow, ChatRows.ReactionSummary, MessageRow> rewrite);

    /**
     * Deletes one reaction and rewrites its message in the same transaction, as {@link #addReaction};
     * when the user has no such reaction, nothing is written and {@code removed} is 0.
     *
     * @return what was written, or empty when no message has that id
     */
    Optional<ChatRows.ReactionWrite> removeReaction(
            String messageId,
            String userId,
            String type,
            int latest,
            BiFunction<MessageRow, ChatRows.ReactionSummary, MessageRow> rewrite);

    /** Reactions of a message, newest first. */
    List<ReactionRow> reactions(String messageId, int limit, int offset);

    /** The reactions {@code userId} gave to any of {@code messageIds}. */
    List<ReactionRow> reactionsBy(String userId, Collection<String> messageIds);

    /**
     * The first {@code limit} messages {@code userId} wrote, in every channel and thread, deleted ones too, oldest
     * first: what a user's data export carries (PROTOCOL.md §7.31). Reads every message; for rare reads only.
     */
    List<MessageRow> messagesBy(String userId, int limit);

    /** The first {@code limit} reactions {@code userId} made, oldest first (§7.31). Reads every reaction. */
    List<ReactionRow> reactionsByUser(String userId, int limit);

    /** The reactions of any of {@code userIds} on one message. */
    List<ReactionRow> reactionsOn(String messageId, Collection<String> userIds);

    /** Per-type totals of a message's reactions, in order of first reaction. */
    List<ReactionGroup> reactionGroups(String messageId);

    /** The user's unread totals over all channels it is a member of. */
    UnreadTotals unreadTotals(String userId);

    /**
     * Whether any row that {@code me} is built from names the user: a channel membership, a user or
     * channel mute, a block or a push device. False means {@code me} has zero unread counts and empty
     * lists, which a connect can then fill without reading each table. One query.
     */
    boolean hasOwnRows(String userId);

    /** Unread totals of several users at once, for events personalised per recipient; every id is a key. */
    Map<String, UnreadTotals> unreadTotals(Collection<String> userIds);

    /** The user's channels with unread messages, by latest message first, at most {@code limit}. */
    List<ChannelUnread> unreadChannels(String userId, int limit);

    /** Messages of a search (§7.12) in the given channels; see {@link MessageSearch}. */
    List<MessageRow> searchMessages(MessageSearch search);

    /** Records the newest delivered message of a member (replacing the previous one). */
    void setDelivered(ChatRows.Delivery delivery);

    /** The deliveries of a channel's members, keyed by user id. */
    Map<String, ChatRows.Delivery> deliveries(String cid);

    /** Adds a device or moves it (same id) to this user and provider. */
    void upsertDevice(ChatRows.DeviceRow device);

    /** The user's devices, oldest first. */
    List<ChatRows.DeviceRow> devices(String userId);

    /** Deletes one of the user's devices; false when the user has no device with that id. */
    boolean deleteDevice(String userId, String deviceId);

    /**
     * Persists a channel event for {@code POST /sync} in its own transaction, with the channel's next sequence
     * number: one more than the channel's last, so that the numbers of a channel have no gaps (they continue
     * across a deletion and re-creation of the channel). The number is stamped on the event's body as
     * {@code channel_seq} and returned. Callers serialise the events of one channel (the channel lock).
     */
    long appendEvent(ChatRows.EventRow event);

    /**
     * What a message send needs about the members of {@code cid} (roles, unread counts, mutes, bans); no members
     * for an unknown channel. Served from memory while the channel is hot, kept exact by this store's writes
     * (the rules are listed on {@code CachedChatStore}).
     */
    ChatRows.Roster roster(String cid);

    /**
     * The persisted events of {@code cids} at or after {@code since} that {@code userId} may see (those of the
     * channel and those for that user), oldest first, at most {@code limit}.
     */
    List<ObjectNode> eventsSince(Collection<String> cids, String userId, Instant since, int limit);

    /**
     * The persisted events of channel {@code cid} with sequence numbers {@code from} to {@code to} (both
     * included), in sequence order, at most {@code limit}: each with its sequence number, the one user it is
     * for (null: the channel's) and the bytes stored. A cluster's node fills a gap in what it delivered with them.
     */
    List<ChatRows.StoredEvent> eventsBySeq(String cid, long from, long to, int limit);

    /** The latest sequence number of each of {@code cids} that has stored events (of the first 500 channels). */
    Map<String, Long> latestSeqs(Collection<String> cids);
}
