package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.ChannelUnread;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageAppend;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionGroup;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.Roster;
import dev.parley.server.store.ChatRows.RosterMember;
import dev.parley.server.store.ChatRows.UnreadTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ChatStore} with what the send path reads on every message kept in memory while hot: each
 * channel's row, each channel's {@link Roster} (members' roles, unread counts, mutes; bans) and each user's
 * unread totals. The database stays the truth; this class holds every rule that keeps the memory equal to
 * it, one per write:
 *
 * <ul>
 *   <li>a channel's row: a message that counts moves its {@code last_message_at} and {@code message_count} as
 *       the database does; creating, updating, deleting or truncating the channel, or changing its members,
 *       drops it;
 *   <li>a message that counts as unread: the channel's roster and the members' totals take the increments
 *       the database applies (the author's count drops to 0, each member who does not mute the author or the
 *       channel gains one); a message that does not count changes neither;
 *   <li>members added, changed or removed, a read marker set, a channel hidden: that channel's roster and
 *       those users' totals are dropped;
 *   <li>a channel deleted or truncated: its roster and its members' totals are dropped (every user's totals
 *       when the roster was not in memory);
 *   <li>mutes and bans ({@link CachedModerationStore}): a user's mutes drop every roster, a channel mute or a
 *       ban drops that channel's roster.
 * </ul>
 *
 * <p>Writes that overlap on one key, or that race with a load, drop the value instead of guessing
 * ({@link HotCache}). In a cluster each node keeps its own memory: every write above also names what it
 * dropped in a message ({@link StoreCaches}) that the other nodes apply, a counted message its channel and
 * its members' totals (every user's when the members are unknown or more than {@link #MAX_NAMED}).
 * Thread-safe.
 */
final class CachedChatStore implements ChatStore, StoreCaches {
    static final int MAX_ROSTERS = 20_000;
    static final int MAX_TOTALS = 200_000;
    static final int MAX_CHANNELS = 50_000;

    /** The most users a drop message names; past it, it drops every user's totals. */
    static final int MAX_NAMED = 1_000;

    // Drop messages: one letter, then fields separated by newlines (no cid or user id holds one).
    /** A channel's row, its roster and the named users' totals ({@link #EVERY_USER}: every user's). */
    private static final char CHANNEL = 'c';
    /** A channel's roster and the named users' totals ({@link #EVERY_USER}: every user's). */
    private static final char ROSTER = 'r';
    /** A channel's row. */
    private static final char ROW = 'h';
    /** Every roster. */
    private static final char ALL_ROSTERS = 'R';
    /** In place of user ids: every user's totals. */
    private static final String EVERY_USER = "*";

    private final ChatStore db;
    private final HotCache<String, Roster> rosters = new HotCache<>(MAX_ROSTERS);
    private final HotCache<String, UnreadTotals> totals = new HotCache<>(MAX_TOTALS);
    /** Channel rows; their {@code custom} documents are shared with every reader, who must not change them. */
    private final HotCache<String, ChannelRow> channels = new HotCache<>(MAX_CHANNELS);

    /** Where drop messages go; null until a cluster asks for them (nothing is built then). */
    private volatile @Nullable Consumer<String> sink;

    CachedChatStore(ChatStore db) {
        this.db = requireNonNull(db, "db");
    }

    /** Every roster is dropped: a user's mutes appear in the roster of each of its channels. */
    void dropRosters() {
        rosters.invalidateAll();
        tell(String.valueOf(ALL_ROSTERS));
    }

    void dropRoster(String cid) {
        rosters.invalidate(cid);
        tell(ROSTER + cid);
    }

    // ---- the other nodes of a cluster

    @Override
    public void onDrop(Consumer<String> sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    private void tell(String message) {
        Consumer<String> s = sink;
        if (s != null) {
            s.accept(message);
        }
    }

    /**
     * Tells the other nodes that a channel's roster ({@link #ROSTER}) or row and roster ({@link #CHANNEL})
     * changed, with the totals of {@code users}: every user's when null or more than {@link #MAX_NAMED}.
     */
    private void tellChannel(char kind, String cid, @Nullable Collection<String> users) {
        if (sink == null) {
            return;
        }
        StringBuilder b = new StringBuilder().append(kind).append(cid);
        if (users == null || users.size() > MAX_NAMED) {
            b.append('\n').append(EVERY_USER);
        } else {
            users.forEach(u -> b.append('\n').append(u));
        }
        tell(b.toString());
    }

    @Override
    public void drop(String message) {
        if (message.isEmpty()) {
            dropAll();
            return;
        }
        String[] f = message.substring(1).split("\n", -1);
        String cid = f[0];
        switch (message.charAt(0)) {
            case CHANNEL -> {
                channels.invalidate(cid);
                rosters.invalidate(cid);
                dropTotals(f);
            }
            case ROSTER -> {
                rosters.invalidate(cid);
                dropTotals(f);
            }
            case ROW -> channels.invalidate(cid);
            case ALL_ROSTERS -> rosters.invalidateAll();
            default -> dropAll();
        }
    }

    /** The totals of the users in {@code fields} after the first (the cid). */
    private void dropTotals(String[] fields) {
        for (int i = 1; i < fields.length; i++) {
            if (EVERY_USER.equals(fields[i])) {
                totals.invalidateAll();
                return;
            }
            totals.invalidate(fields[i]);
        }
    }

    /** Drops everything here and tells the other nodes to do the same: a write went around this cache (an import). */
    void dropAllEverywhere() {
        dropAll();
        tell("");
    }

    @Override
    public void dropAll() {
        channels.invalidateAll();
        rosters.invalidateAll();
        totals.invalidateAll();
    }

    // ---- served from memory

    @Override
    public Roster roster(String cid) {
        return requireNonNull(rosters.get(cid, db::roster), "roster"); // the store's roster is never null
    }

    @Override
    public UnreadTotals unreadTotals(String userId) {
        return requireNonNull(totals.get(userId, db::unreadTotals), "totals"); // never null from the store
    }

    @Override
    public Map<String, UnreadTotals> unreadTotals(Collection<String> userIds) {
        return totals.getAll(userIds, db::unreadTotals);
    }

    // ---- writes that change members

    @Override
    public boolean appendMessage(MessageRow message, @Nullable MessageRow parent, boolean countsAsUnread) {
        return appendMessages(List.of(new MessageAppend(message, parent, countsAsUnread)))
                .getFirst();
    }

    /** A counted message's change, begun before the commit and applied after it. */
    private record Pending(
            MessageRow message,
            @Nullable Roster roster,
            long rosterToken,
            long channelToken,
            Map<String, Long> userTokens) {}

    @Override
    public List<Boolean> appendMessages(List<MessageAppend> batch) {
        List<Pending> pending = new ArrayList<>();
        for (MessageAppend a : batch) {
            if (a.countsAsUnread()) {
                String cid = a.message().cid();
                Roster r = rosters.peek(cid);
                long token = rosters.begin(cid);
                long channelToken = channels.begin(cid);
                Map<String, Long> users = new HashMap<>();
                if (r != null) {
                    r.members().keySet().forEach(u -> users.put(u, totals.begin(u)));
                }
                pending.add(new Pending(a.message(), r, token, channelToken, users));
            }
        }
        List<Boolean> out;
        try {
            out = db.appendMessages(batch);
        } catch (RuntimeException e) {
            pending.forEach(p -> {
                rosters.end(p.message().cid(), p.rosterToken(), null);
                channels.end(p.message().cid(), p.channelToken(), null);
                p.userTokens().forEach((u, t) -> totals.end(u, t, null));
                tellChannel(CHANNEL, p.message().cid(), null); // the commit may have happened
            });
            throw e;
        }
        int i = 0;
        for (MessageAppend a : batch) {
            boolean added = out.get(i++);
            if (!a.countsAsUnread()) {
                continue;
            }
            Pending p = pending.removeFirst();
            applied(p, added);
        }
        return out;
    }

    private void applied(Pending p, boolean added) {
        MessageRow m = p.message();
        channels.end(m.cid(), p.channelToken(), added ? ch -> ch.withMessageAt(m.createdAt()) : ch -> ch);
        if (!added) {
            rosters.end(m.cid(), p.rosterToken(), r -> r);
            p.userTokens().forEach((u, t) -> totals.end(u, t, x -> x));
            return;
        }
        if (p.roster() == null || !p.roster().complete()) {
            rosters.end(m.cid(), p.rosterToken(), null);
            totals.invalidateAll(); // the members are unknown: whose totals changed is unknown
            tellChannel(CHANNEL, m.cid(), null);
            return;
        }
        Roster before = p.roster();
        tellChannel(CHANNEL, m.cid(), before.members().keySet());
        boolean[] exact = {false};
        rosters.end(m.cid(), p.rosterToken(), r -> {
            exact[0] = r == before;
            return exact[0] ? before.afterMessage(m.userId(), m.createdAt()) : null;
        });
        // The members' counts before the message are known only when the roster was the one in memory throughout.
        p.userTokens().forEach((u, t) -> {
            // the tokens were begun for the members of this roster
            RosterMember member = requireNonNull(before.members().get(u), u);
            totals.end(u, t, exact[0] ? x -> afterMessage(x, member, m) : null);
        });
    }

    /** A member's totals after a counted message, from its count in the channel before it. */
    private static UnreadTotals afterMessage(UnreadTotals t, RosterMember member, MessageRow m) {
        if (member.userId().equals(m.userId())) {
            return member.unread() == 0 ? t : new UnreadTotals(t.messages() - member.unread(), t.channels() - 1);
        }
        if (member.ignores(m.userId(), m.createdAt())) {
            return t;
        }
        return new UnreadTotals(t.messages() + 1, t.channels() + (member.unread() == 0 ? 1 : 0));
    }

    @Override
    public boolean createChannel(ChannelRow channel, List<MemberRow> members) {
        boolean created = db.createChannel(channel, members);
        channels.invalidate(channel.cid());
        rosters.invalidate(channel.cid());
        members.forEach(m -> totals.invalidate(m.userId()));
        tellChannel(
                CHANNEL, channel.cid(), members.stream().map(MemberRow::userId).toList());
        return created;
    }

    @Override
    public void deleteChannel(String cid) {
        Roster r = rosters.peek(cid);
        db.deleteChannel(cid);
        dropChannel(cid, r);
    }

    @Override
    public boolean softDeleteChannel(String cid, Instant at, @Nullable String byUserId, boolean keepHistory) {
        Roster r = rosters.peek(cid);
        boolean deleted = db.softDeleteChannel(cid, at, byUserId, keepHistory);
        dropChannel(cid, r);
        return deleted;
    }

    @Override
    public void truncateChannel(String cid, Instant at, @Nullable String byUserId) {
        Roster r = rosters.peek(cid);
        db.truncateChannel(cid, at, byUserId);
        dropChannel(cid, r);
    }

    /** Drops a channel's row, roster and members' totals, or every user's when its members are unknown. */
    private void dropChannel(String cid, @Nullable Roster before) {
        channels.invalidate(cid);
        rosters.invalidate(cid);
        if (before == null || !before.complete()) {
            totals.invalidateAll();
            tellChannel(CHANNEL, cid, null);
        } else {
            before.members().keySet().forEach(totals::invalidate);
            tellChannel(CHANNEL, cid, before.members().keySet());
        }
    }

    @Override
    public void upsertMembers(String cid, List<MemberRow> members) {
        db.upsertMembers(cid, members);
        channels.invalidate(cid);
        rosters.invalidate(cid);
        members.forEach(m -> totals.invalidate(m.userId()));
        tellChannel(CHANNEL, cid, members.stream().map(MemberRow::userId).toList());
    }

    @Override
    public int removeMembers(String cid, Collection<String> userIds) {
        int removed = db.removeMembers(cid, userIds);
        channels.invalidate(cid);
        rosters.invalidate(cid);
        userIds.forEach(totals::invalidate);
        tellChannel(CHANNEL, cid, userIds);
        return removed;
    }

    @Override
    public boolean setHidden(String cid, String userId, boolean hidden, @Nullable Instant hideMessagesBefore) {
        boolean changed = db.setHidden(cid, userId, hidden, hideMessagesBefore);
        rosters.invalidate(cid);
        totals.invalidate(userId);
        tellChannel(ROSTER, cid, List.of(userId));
        return changed;
    }

    @Override
    public boolean setRead(
            String cid, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unreadMessages) {
        boolean changed = db.setRead(cid, userId, lastRead, lastReadMessageId, unreadMessages);
        rosters.invalidate(cid);
        totals.invalidate(userId);
        tellChannel(ROSTER, cid, List.of(userId));
        return changed;
    }

    // ---- the rest goes to the database as it is

    @Override
    public Optional<ChannelRow> findChannel(String cid) {
        return Optional.ofNullable(channels.get(cid, k -> db.findChannel(k).orElse(null)));
    }

    @Override
    public void updateChannel(ChannelRow channel) {
        db.updateChannel(channel);
        channels.invalidate(channel.cid());
        tell(ROW + channel.cid());
    }

    @Override
    public List<ChannelRow> queryChannels(ChannelQuery query) {
        return db.queryChannels(query);
    }

    @Override
    public List<MemberRow> members(String cid, int limit, int offset) {
        return db.members(cid, limit, offset);
    }

    @Override
    public Optional<MemberRow> member(String cid, String userId) {
        return db.member(cid, userId);
    }

    @Override
    public Map<String, MemberRow> memberships(String userId, Collection<String> cids) {
        return db.memberships(userId, cids);
    }

    @Override
    public Optional<MessageRow> findMessage(String id) {
        return db.findMessage(id);
    }

    @Override
    public List<MessageRow> findMessages(Collection<String> ids) {
        return db.findMessages(ids);
    }

    @Override
    public void updateMessage(MessageRow message) {
        db.updateMessage(message);
    }

    @Override
    public void updateMessage(MessageRow message, List<ChatRows.MessageVersion> versions) {
        db.updateMessage(message, versions);
    }

    @Override
    public List<ChatRows.MessageVersion> messageVersions(
            Collection<String> messageIds, @Nullable String updatedById, boolean newestFirst, int limit, int offset) {
        return db.messageVersions(messageIds, updatedById, newestFirst, limit, offset);
    }

    @Override
    public boolean deleteMessage(String id) {
        return db.deleteMessage(id);
    }

    @Override
    public List<MessageRow> channelMessages(String cid, MessageRange range) {
        return db.channelMessages(cid, range);
    }

    @Override
    public List<MessageRow> threadsOf(String userId, int limit, int offset) {
        return db.threadsOf(userId, limit, offset);
    }

    @Override
    public void deleteForUser(String messageId, String cid, String userId, Instant at) {
        db.deleteForUser(messageId, cid, userId, at);
    }

    @Override
    public Map<String, Instant> deletedForUser(String userId, Collection<String> messageIds) {
        return db.deletedForUser(userId, messageIds);
    }

    @Override
    public Optional<ChatRows.ThreadRow> thread(String parentId) {
        return db.thread(parentId);
    }

    @Override
    public List<ChatRows.ThreadParticipant> threadParticipants(String parentId, int limit) {
        return db.threadParticipants(parentId, limit);
    }

    @Override
    public boolean setThreadRead(
            String parentId, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unread) {
        return db.setThreadRead(parentId, userId, lastRead, lastReadMessageId, unread);
    }

    @Override
    public boolean updateThread(String parentId, @Nullable String title, String customJson, Instant at) {
        return db.updateThread(parentId, title, customJson, at);
    }

    @Override
    public int unreadThreadCount(String userId) {
        return db.unreadThreadCount(userId);
    }

    @Override
    public Map<String, Integer> unreadThreadCounts(Collection<String> userIds) {
        return db.unreadThreadCounts(userIds);
    }

    @Override
    public List<ChatRows.ThreadParticipant> unreadThreads(String userId, int limit) {
        return db.unreadThreads(userId, limit);
    }

    @Override
    public List<MessageRow> replies(String parentId, MessageRange range) {
        return db.replies(parentId, range);
    }

    @Override
    public List<MessageRow> pinnedMessages(String cid, int limit) {
        return db.pinnedMessages(cid, limit);
    }

    @Override
    public int countChannelMessagesFrom(String cid, Cursor from) {
        return db.countChannelMessagesFrom(cid, from);
    }

    @Override
    public Optional<Instant> latestMessageTime(String cid) {
        return db.latestMessageTime(cid);
    }

    @Override
    public Optional<ChatRows.ReactionWrite> addReaction(
            ReactionRow reaction,
            boolean replaceOwn,
            int latest,
            BiFunction<MessageRow, ChatRows.ReactionSummary, MessageRow> rewrite) {
        return db.addReaction(reaction, replaceOwn, latest, rewrite);
    }

    @Override
    public Optional<ChatRows.ReactionWrite> removeReaction(
            String messageId,
            String userId,
            String type,
            int latest,
            BiFunction<MessageRow, ChatRows.ReactionSummary, MessageRow> rewrite) {
        return db.removeReaction(messageId, userId, type, latest, rewrite);
    }

    @Override
    public List<ReactionRow> reactions(String messageId, int limit, int offset) {
        return db.reactions(messageId, limit, offset);
    }

    @Override
    public List<ReactionRow> reactionsBy(String userId, Collection<String> messageIds) {
        return db.reactionsBy(userId, messageIds);
    }

    @Override
    public List<MessageRow> messagesBy(String userId, int limit) {
        return db.messagesBy(userId, limit);
    }

    @Override
    public List<ReactionRow> reactionsByUser(String userId, int limit) {
        return db.reactionsByUser(userId, limit);
    }

    @Override
    public List<ReactionRow> reactionsOn(String messageId, Collection<String> userIds) {
        return db.reactionsOn(messageId, userIds);
    }

    @Override
    public List<ReactionGroup> reactionGroups(String messageId) {
        return db.reactionGroups(messageId);
    }

    @Override
    public boolean hasOwnRows(String userId) {
        return db.hasOwnRows(userId);
    }

    @Override
    public List<ChannelUnread> unreadChannels(String userId, int limit) {
        return db.unreadChannels(userId, limit);
    }

    @Override
    public List<MessageRow> searchMessages(MessageSearch search) {
        return db.searchMessages(search);
    }

    @Override
    public void setDelivered(ChatRows.Delivery delivery) {
        db.setDelivered(delivery);
    }

    @Override
    public Map<String, ChatRows.Delivery> deliveries(String cid) {
        return db.deliveries(cid);
    }

    @Override
    public void upsertDevice(ChatRows.DeviceRow device) {
        db.upsertDevice(device);
    }

    @Override
    public List<ChatRows.DeviceRow> devices(String userId) {
        return db.devices(userId);
    }

    @Override
    public boolean deleteDevice(String userId, String deviceId) {
        return db.deleteDevice(userId, deviceId);
    }

    @Override
    public long appendEvent(ChatRows.EventRow event) {
        return db.appendEvent(event);
    }

    @Override
    public List<ObjectNode> eventsSince(Collection<String> cids, String userId, Instant since, int limit) {
        return db.eventsSince(cids, userId, since, limit);
    }

    @Override
    public List<ChatRows.StoredEvent> eventsBySeq(String cid, long from, long to, int limit) {
        return db.eventsBySeq(cid, from, to, limit);
    }

    @Override
    public Map<String, Long> latestSeqs(Collection<String> cids) {
        return db.latestSeqs(cids);
    }
}
