package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.IDS_PER_QUERY;
import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.forEach;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.ChannelUnread;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionGroup;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import dev.parley.server.store.ChatRows.ReactionWrite;
import dev.parley.server.store.ChatRows.UnreadTotals;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ChatStore} on JDBC, shared by SQLite and PostgreSQL: the chat tables use only SQL both
 * understand (row values, {@code ON CONFLICT}, {@code NULLS LAST}), with JSON kept as text. Reads go to
 * the read pool, writes to the write pool, each in one transaction. Thread-safe.
 */
final class JdbcChatStore implements ChatStore {
    static final String MESSAGE_COLUMNS =
            "id, cid, user_id, parent_id, in_channel, created_at, updated_at, deleted_at, pinned_at, doc";
    static final String MEMBER_COLUMNS = "cid, user_id, channel_role, created_at, updated_at, hidden, "
            + "last_read, last_read_message_id, unread_messages, archived_at, pinned_at, hide_messages_before, custom, "
            + "invite_status, invite_accepted_at, invite_rejected_at";

    private final Jdbc jdbc;
    /**
     * The last event sequence number written per channel, so that an event needs no read of the maximum. Exact
     * because the events of one channel are written one at a time (the channel lock) and an entry is dropped
     * when its transaction fails; another writer of the same channel would be caught by the unique index.
     * Bounded: cleared past {@link #MAX_SEQ_ENTRIES} channels.
     */
    private final Map<String, Long> lastSeq = new java.util.concurrent.ConcurrentHashMap<>();

    private final boolean shared;

    static final int MAX_SEQ_ENTRIES = 100_000;
    private final ChannelQueryTranslator translator;
    private final MessageSearchTranslator searchTranslator;
    /** Whether a message append is one statement ({@link SqlDialect#writesInWithClauses()}). */
    private final boolean appendInOneStatement;

    JdbcChatStore(
            String kind,
            SqlDialect dialect,
            HikariDataSource reads,
            HikariDataSource writes,
            @Nullable StatementCache statements) {
        this(kind, dialect, reads, writes, statements, false);
    }

    /**
     * @param shared whether other processes write this database too (the nodes of a cluster, on PostgreSQL):
     *     then a channel's next sequence number is read under a lock on the channel held until commit, never
     *     from memory
     */
    JdbcChatStore(
            String kind,
            SqlDialect dialect,
            HikariDataSource reads,
            HikariDataSource writes,
            @Nullable StatementCache statements,
            boolean shared) {
        if (shared && !dialect.hasChannelLocks()) {
            throw new IllegalArgumentException("a shared store needs a database with transaction locks (PostgreSQL)");
        }
        this.shared = shared;
        this.translator = new ChannelQueryTranslator(dialect.onDocument("channels.custom"));
        this.searchTranslator = new MessageSearchTranslator(dialect.onDocument("doc"));
        this.appendInOneStatement = dialect.writesInWithClauses();
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    // ---- channels

    @Override
    public Optional<ChannelRow> findChannel(String cid) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + ChannelQueryTranslator.COLUMNS + " FROM channels WHERE cid = ")
                .param(cid);
        return jdbc.read("find channel", c -> list(c, b, JdbcChatStore::channel)).stream()
                .findFirst();
    }

    @Override
    public boolean createChannel(ChannelRow ch, List<MemberRow> members) {
        return jdbc.write("create channel", c -> {
            Boolean keep = deletedKeepsHistory(c, ch.cid());
            if (keep != null) { // it was soft-deleted: back with its history, or new and empty (§7.6)
                if (keep) {
                    update(
                            c,
                            new SqlBuilder()
                                    .sql("INSERT INTO channels (" + CHANNEL_ROW_COLUMNS + ") SELECT "
                                            + CHANNEL_ROW_COLUMNS + " FROM channels_deleted WHERE cid = ")
                                    .param(ch.cid()));
                } else {
                    purge(c, ch.cid());
                }
                update(
                        c,
                        new SqlBuilder()
                                .sql("DELETE FROM channels_deleted WHERE cid = ")
                                .param(ch.cid()));
                if (keep) {
                    Set<String> present = new HashSet<>(list(
                            c,
                            new SqlBuilder()
                                    .sql("SELECT user_id FROM members WHERE cid = ")
                                    .param(ch.cid()),
                            rs -> rs.getString(1)));
                    insertMembers(
                            c,
                            ch.cid(),
                            members.stream()
                                    .filter(m -> !present.contains(m.userId()))
                                    .toList());
                    return true;
                }
            }
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO channels (cid, type, id, name, created_by_id, team, "
                            + "created_at, updated_at, last_message_at, truncated_at, truncated_by_id, frozen, disabled, cooldown, "
                            + "member_count, message_count, custom) VALUES (");
            channelValues(b, ch).sql(", 0, 0, ").param(Json.write(ch.custom())).sql(") ON CONFLICT (cid) DO NOTHING");
            if (update(c, b) == 0) {
                return false;
            }
            insertMembers(c, ch.cid(), members);
            return true;
        });
    }

    /** Whether a soft-deleted channel of that cid keeps its history; null when there is none. */
    private static @Nullable Boolean deletedKeepsHistory(Connection c, String cid) throws SQLException {
        List<Integer> keep = list(
                c,
                new SqlBuilder()
                        .sql("SELECT keep_history FROM channels_deleted WHERE cid = ")
                        .param(cid),
                rs -> rs.getInt(1));
        return keep.isEmpty() ? null : keep.getFirst() != 0;
    }

    static SqlBuilder channelValues(SqlBuilder b, ChannelRow ch) {
        b.param(ch.cid()).sql(", ").param(ch.type()).sql(", ").param(ch.id()).sql(", ");
        nullable(b, ch.name()).sql(", ");
        nullable(b, ch.createdById()).sql(", ");
        nullable(b, ch.team()).sql(", ");
        b.param(micros(ch.createdAt())).sql(", ").param(micros(ch.updatedAt())).sql(", ");
        nullableTime(b, ch.lastMessageAt()).sql(", ");
        nullableTime(b, ch.truncatedAt()).sql(", ");
        nullable(b, ch.truncatedById()).sql(", ");
        return b.param(ch.frozen() ? 1 : 0)
                .sql(", ")
                .param(ch.disabled() ? 1 : 0)
                .sql(", ")
                .param(ch.cooldown());
    }

    @Override
    public void updateChannel(ChannelRow ch) {
        jdbc.write("update channel", c -> {
            SqlBuilder b = new SqlBuilder().sql("UPDATE channels SET name = ");
            nullable(b, ch.name()).sql(", team = ");
            nullable(b, ch.team())
                    .sql(", updated_at = ")
                    .param(micros(ch.updatedAt()))
                    .sql(", frozen = ")
                    .param(ch.frozen() ? 1 : 0)
                    .sql(", disabled = ")
                    .param(ch.disabled() ? 1 : 0)
                    .sql(", cooldown = ")
                    .param(ch.cooldown())
                    .sql(", custom = ")
                    .param(Json.write(ch.custom()))
                    .sql(" WHERE cid = ")
                    .param(ch.cid());
            return update(c, b);
        });
    }

    @Override
    public void deleteChannel(String cid) {
        jdbc.write("delete channel", c -> {
            purge(c, cid);
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM channels_deleted WHERE cid = ")
                            .param(cid));
            return update(
                    c, new SqlBuilder().sql("DELETE FROM channels WHERE cid = ").param(cid));
        });
    }

    /** Deletes what a channel holds (messages, reactions, members, threads, deliveries, reminders), not its row. */
    private static void purge(Connection c, String cid) throws SQLException {
        update(
                c,
                new SqlBuilder()
                        .sql("DELETE FROM reactions WHERE message_id IN (SELECT id FROM messages WHERE cid = ")
                        .param(cid)
                        .sql(")"));
        for (String table : List.of(
                "messages",
                "members",
                "thread_participants",
                "threads",
                "messages_deleted_for_user",
                "deliveries",
                "unread_reminders")) {
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM " + table + " WHERE cid = ")
                            .param(cid));
        }
    }

    /** The columns the channels table and its soft-deleted twin share. */
    static final String CHANNEL_ROW_COLUMNS = "cid, type, id, name, created_by_id, team, created_at, "
            + "updated_at, last_message_at, truncated_at, truncated_by_id, frozen, disabled, cooldown, member_count, "
            + "message_count, custom";

    @Override
    public boolean softDeleteChannel(String cid, Instant at, @Nullable String byUserId, boolean keepHistory) {
        return jdbc.write("soft-delete channel", c -> {
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM channels_deleted WHERE cid = ")
                            .param(cid));
            SqlBuilder move = new SqlBuilder()
                    .sql("INSERT INTO channels_deleted (" + CHANNEL_ROW_COLUMNS
                            + ", deleted_at, deleted_by_id, keep_history) SELECT " + CHANNEL_ROW_COLUMNS + ", ")
                    .param(micros(at))
                    .sql(", ");
            nullable(move, byUserId)
                    .sql(", ")
                    .param(keepHistory ? 1 : 0)
                    .sql(" FROM channels WHERE cid = ")
                    .param(cid);
            if (update(c, move) == 0) {
                return false;
            }
            // Nothing of the channel counts as unread while it is deleted.
            update(
                    c,
                    new SqlBuilder()
                            .sql("UPDATE members SET unread_messages = 0 WHERE cid = ")
                            .param(cid));
            update(
                    c,
                    new SqlBuilder()
                            .sql("UPDATE thread_participants SET unread_messages = 0 WHERE cid = ")
                            .param(cid));
            return update(
                            c,
                            new SqlBuilder()
                                    .sql("DELETE FROM channels WHERE cid = ")
                                    .param(cid))
                    > 0;
        });
    }

    @Override
    public void truncateChannel(String cid, Instant at, @Nullable String byUserId) {
        jdbc.write("truncate channel", c -> {
            long t = micros(at);
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM reactions WHERE message_id IN (SELECT id FROM messages WHERE cid = ")
                            .param(cid)
                            .sql(" AND created_at <= ")
                            .param(t)
                            .sql(")"));
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM messages WHERE cid = ")
                            .param(cid)
                            .sql(" AND created_at <= ")
                            .param(t));
            // what belonged to the messages just deleted: their threads and their deletions for one user
            for (String[] table : List.of(
                    new String[] {"thread_participants", "parent_id"},
                    new String[] {"threads", "parent_id"},
                    new String[] {"messages_deleted_for_user", "message_id"})) {
                update(
                        c,
                        new SqlBuilder()
                                .sql("DELETE FROM " + table[0] + " WHERE cid = ")
                                .param(cid)
                                .sql(" AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = " + table[0] + "."
                                        + table[1] + ")"));
            }
            update(
                    c,
                    new SqlBuilder()
                            .sql("UPDATE members SET unread_messages = 0 WHERE cid = ")
                            .param(cid));
            SqlBuilder b = new SqlBuilder()
                    .sql("UPDATE channels SET truncated_at = ")
                    .param(t)
                    .sql(", truncated_by_id = ");
            nullable(b, byUserId)
                    .sql(", updated_at = ")
                    .param(t)
                    .sql(" WHERE cid = ")
                    .param(cid);
            return update(c, b);
        });
    }

    @Override
    public List<ChannelRow> queryChannels(ChannelQuery query) {
        SqlBuilder b = translator.select(query);
        return jdbc.read("query channels", c -> list(c, b, JdbcChatStore::channel));
    }

    // ---- members

    @Override
    public List<MemberRow> members(String cid, int limit, int offset) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MEMBER_COLUMNS + " FROM members WHERE cid = ")
                .param(cid)
                .sql(" ORDER BY created_at DESC, user_id ASC LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("list members", c -> list(c, b, JdbcChatStore::member));
    }

    @Override
    public Optional<MemberRow> member(String cid, String userId) {
        return Optional.ofNullable(memberships(userId, List.of(cid)).get(cid));
    }

    @Override
    public Map<String, MemberRow> memberships(String userId, Collection<String> cids) {
        Map<String, MemberRow> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(cids)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + MEMBER_COLUMNS + " FROM members WHERE user_id = ")
                    .param(userId)
                    .sql(" AND cid IN (");
            in(b, chunk).sql(")");
            jdbc.read("find memberships", c -> list(c, b, JdbcChatStore::member))
                    .forEach(m -> out.put(m.cid(), m));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public void upsertMembers(String cid, List<MemberRow> members) {
        jdbc.execute("upsert members", c -> insertMembers(c, cid, members));
    }

    private void insertMembers(Connection c, String cid, List<MemberRow> members) throws SQLException {
        for (MemberRow m : members) {
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO members (" + MEMBER_COLUMNS + ") VALUES (")
                    .param(cid)
                    .sql(", ")
                    .param(m.userId())
                    .sql(", ")
                    .param(m.channelRole())
                    .sql(", ")
                    .param(micros(m.createdAt()))
                    .sql(", ")
                    .param(micros(m.updatedAt()))
                    .sql(", ")
                    .param(m.hidden() ? 1 : 0)
                    .sql(", ");
            nullableTime(b, m.lastRead()).sql(", ");
            nullable(b, m.lastReadMessageId())
                    .sql(", ")
                    .param(m.unreadMessages())
                    .sql(", ");
            nullableTime(b, m.archivedAt()).sql(", ");
            nullableTime(b, m.pinnedAt()).sql(", ");
            nullableTime(b, m.hideMessagesBefore())
                    .sql(", ")
                    .param(Json.write(m.custom()))
                    .sql(", ");
            nullable(b, m.inviteStatus()).sql(", ");
            nullableTime(b, m.inviteAcceptedAt()).sql(", ");
            nullableTime(b, m.inviteRejectedAt())
                    .sql(") ON CONFLICT (cid, user_id) DO UPDATE SET channel_role = excluded.channel_role, "
                            + "updated_at = excluded.updated_at, archived_at = excluded.archived_at, "
                            + "pinned_at = excluded.pinned_at, custom = excluded.custom, "
                            + "invite_status = excluded.invite_status, invite_accepted_at = excluded.invite_accepted_at, "
                            + "invite_rejected_at = excluded.invite_rejected_at");
            update(c, b);
        }
        recountMembers(c, cid);
    }

    private static void recountMembers(Connection c, String cid) throws SQLException {
        update(
                c,
                new SqlBuilder()
                        .sql("UPDATE channels SET member_count = (SELECT count(*) FROM members WHERE cid = ")
                        .param(cid)
                        .sql(") WHERE cid = ")
                        .param(cid));
    }

    @Override
    public int removeMembers(String cid, Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return 0;
        }
        return jdbc.write("remove members", c -> {
            int removed = 0;
            for (List<String> chunk : chunks(userIds)) {
                SqlBuilder b = new SqlBuilder()
                        .sql("DELETE FROM members WHERE cid = ")
                        .param(cid)
                        .sql(" AND user_id IN (");
                removed += update(c, in(b, chunk).sql(")"));
            }
            recountMembers(c, cid);
            return removed;
        });
    }

    @Override
    public boolean setHidden(String cid, String userId, boolean hidden, @Nullable Instant hideMessagesBefore) {
        return jdbc.write("hide channel", c -> {
            SqlBuilder b = new SqlBuilder().sql("UPDATE members SET hidden = ").param(hidden ? 1 : 0);
            if (hideMessagesBefore != null) {
                b.sql(", hide_messages_before = ").param(micros(hideMessagesBefore));
            }
            return update(
                            c,
                            b.sql(" WHERE cid = ")
                                    .param(cid)
                                    .sql(" AND user_id = ")
                                    .param(userId))
                    > 0;
        });
    }

    @Override
    public boolean setRead(
            String cid, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unread) {
        return jdbc.write("set read state", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("UPDATE members SET last_read = ")
                    .param(micros(lastRead))
                    .sql(", last_read_message_id = ");
            nullable(b, lastReadMessageId)
                    .sql(", unread_messages = ")
                    .param(unread)
                    .sql(" WHERE cid = ")
                    .param(cid)
                    .sql(" AND user_id = ")
                    .param(userId);
            return update(c, b) > 0;
        });
    }

    // ---- messages

    @Override
    public boolean appendMessage(MessageRow m, @Nullable MessageRow parent, boolean countsAsUnread) {
        return appendMessages(List.of(new ChatRows.MessageAppend(m, parent, countsAsUnread)))
                .getFirst();
    }

    @Override
    public List<Boolean> appendMessages(List<ChatRows.MessageAppend> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        try {
            return jdbc.write("append messages", c -> {
                if (shared) {
                    lockChannels(c, batch.stream().map(a -> a.message().cid()).toList());
                }
                List<Boolean> out = new ArrayList<>(batch.size());
                for (ChatRows.MessageAppend a : batch) {
                    boolean added;
                    if (shared && laterExists(c, a.message())) {
                        added = false; // the caller finds no message of its id and sends again, later
                    } else if (appendInOneStatement && a.parent() == null && a.replacing() == null) {
                        added = appendInOneStatement(c, a);
                    } else {
                        added = append(c, a.message(), a.parent(), a.countsAsUnread(), a.replacing());
                        if (added && a.event() != null) {
                            appendEvent(c, a.event());
                        }
                    }
                    out.add(added);
                }
                return out;
            });
        } catch (RuntimeException e) {
            batch.stream()
                    .filter(a -> a.event() != null)
                    .forEach(a -> lastSeq.remove(a.event().cid()));
            throw e;
        }
    }

    private static boolean append(
            Connection c,
            MessageRow m,
            @Nullable MessageRow parent,
            boolean countsAsUnread,
            @Nullable Instant replacing)
            throws SQLException {
        if (replacing != null) {
            if (!commitPending(c, m, replacing)) {
                return false;
            }
        } else {
            SqlBuilder b = new SqlBuilder().sql("INSERT INTO messages (" + MESSAGE_COLUMNS + ") VALUES (");
            messageValues(b, m).sql(") ON CONFLICT (id) DO NOTHING");
            if (update(c, b) == 0) {
                return false;
            }
        }
        if (parent != null) {
            updateMessage(c, parent);
            threadReply(c, m, parent);
        }
        if (countsAsUnread) {
            update(c, unreadIncrements(new SqlBuilder(), m));
            update(c, channelCounters(new SqlBuilder(), m));
        }
        return true;
    }

    /**
     * Overwrites a pending message with its committed form (PROTOCOL.md §7.29), only while the stored row still has
     * the pending message's creation time: a second commit finds the new time and writes nothing.
     */
    private static boolean commitPending(Connection c, MessageRow m, Instant pendingAt) throws SQLException {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE messages SET created_at = ")
                .param(micros(m.createdAt()))
                .sql(", updated_at = ")
                .param(micros(m.updatedAt()))
                .sql(", doc = ")
                .param(Json.write(m.doc()))
                .sql(" WHERE id = ")
                .param(m.id())
                .sql(" AND created_at = ")
                .param(micros(pendingAt));
        return update(c, b) > 0;
    }

    /**
     * A reply's side of its thread (PROTOCOL.md §7.18): the thread's row, its parent's author as a participant,
     * one more unread reply for every other participant, and the author a participant who has read it.
     */
    private static void threadReply(Connection c, MessageRow m, MessageRow parent) throws SQLException {
        long at = micros(m.createdAt());
        long parentAt = micros(parent.createdAt());
        update(
                c,
                new SqlBuilder()
                        .sql("INSERT INTO threads (parent_id, cid, created_at, updated_at, last_message_at) VALUES (")
                        .param(parent.id())
                        .sql(", ")
                        .param(parent.cid())
                        .sql(", ")
                        .param(parentAt)
                        .sql(", ")
                        .param(parentAt)
                        .sql(", ")
                        .param(at)
                        .sql(") ON CONFLICT (parent_id) DO UPDATE SET last_message_at = excluded.last_message_at"));
        update(c, participant(parent, parent.userId(), parentAt, null, "DO NOTHING"));
        update(
                c,
                new SqlBuilder()
                        .sql("UPDATE thread_participants SET unread_messages = unread_messages + 1, "
                                + "last_thread_message_at = ")
                        .param(at)
                        .sql(" WHERE parent_id = ")
                        .param(parent.id())
                        .sql(" AND user_id <> ")
                        .param(m.userId()));
        update(
                c,
                participant(
                        parent,
                        m.userId(),
                        at,
                        m.id(),
                        "DO UPDATE SET unread_messages = 0, "
                                + "last_thread_message_at = excluded.last_thread_message_at, "
                                + "last_read = excluded.last_read, last_read_message_id = excluded.last_read_message_id"));
    }

    /**
     * A participant row of {@code parent}'s thread for {@code userId}, joined and read at {@code at} (up to
     * {@code lastReadMessageId}) with no unread reply; {@code onConflict} says what an existing row does.
     */
    static SqlBuilder participant(
            MessageRow parent, String userId, long at, @Nullable String lastReadMessageId, String onConflict) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO thread_participants (parent_id, user_id, cid, created_at, "
                        + "last_thread_message_at, last_read, last_read_message_id, unread_messages) VALUES (")
                .param(parent.id())
                .sql(", ")
                .param(userId)
                .sql(", ")
                .param(parent.cid())
                .sql(", ")
                .param(at)
                .sql(", ")
                .param(at)
                .sql(", ")
                .param(at)
                .sql(", ");
        return nullable(b, lastReadMessageId).sql(", 0) ON CONFLICT (parent_id, user_id) " + onConflict);
    }

    /**
     * The members' side of a counted message, one statement for every member: the author has read the channel,
     * the others have one more unread message unless they mute the author or the channel.
     */
    private static SqlBuilder unreadIncrements(SqlBuilder b, MessageRow m) {
        long at = micros(m.createdAt());
        b.sql("UPDATE members SET unread_messages = CASE WHEN user_id = ")
                .param(m.userId())
                .sql(" THEN 0 ELSE unread_messages + ");
        return JdbcModerationStore.unreadIncrement(b, m.userId(), at)
                .sql(" END, hidden = 0, last_read = CASE WHEN user_id = ")
                .param(m.userId())
                .sql(" THEN ")
                .param(at)
                .sql(" ELSE last_read END, last_read_message_id = CASE WHEN user_id = ")
                .param(m.userId())
                .sql(" THEN ")
                .param(m.id())
                .sql(" ELSE last_read_message_id END WHERE cid = ")
                .param(m.cid());
    }

    /** The channel's side of a counted message: its last message time and message count. */
    private static SqlBuilder channelCounters(SqlBuilder b, MessageRow m) {
        return b.sql("UPDATE channels SET last_message_at = ")
                .param(micros(m.createdAt()))
                .sql(", message_count = message_count + 1 WHERE cid = ")
                .param(m.cid());
    }

    /**
     * A message without a parent, its counters and its event row in one statement (PostgreSQL's data-modifying
     * {@code WITH}): each change after the insert runs only when the insert added the row, so a duplicate id
     * changes nothing, as in {@link #append}. The sequence number is taken only when the row was added.
     */
    private boolean appendInOneStatement(Connection c, ChatRows.MessageAppend a) throws SQLException {
        MessageRow m = a.message();
        ChatRows.EventRow e = a.event();
        SqlBuilder b = new SqlBuilder().sql("WITH m AS (INSERT INTO messages (" + MESSAGE_COLUMNS + ") VALUES (");
        messageValues(b, m).sql(") ON CONFLICT (id) DO NOTHING RETURNING 1)");
        if (a.countsAsUnread()) {
            unreadIncrements(b.sql(", u AS ("), m).sql(" AND EXISTS (SELECT 1 FROM m) RETURNING 1)");
            channelCounters(b.sql(", ch AS ("), m).sql(" AND EXISTS (SELECT 1 FROM m) RETURNING 1)");
        }
        long seq = 0;
        byte[] json = null;
        if (e != null) {
            seq = nextSeq(c, e.cid());
            e.body().put("channel_seq", seq);
            json = Json.writeBytes(e.body());
            eventValues(b.sql(", e AS (INSERT INTO channel_events (" + EVENT_COLUMNS + ") SELECT "), e, seq, json)
                    .sql(" WHERE EXISTS (SELECT 1 FROM m) RETURNING 1)");
        }
        b.sql(" SELECT count(*) FROM m");
        boolean added = list(c, b, rs -> rs.getLong(1)).getFirst() > 0;
        if (added && e != null && json != null) { // json is set exactly when e is
            rememberSeq(e.cid(), seq);
            e.encoded().set(json);
            insertHooks(c, e, json);
        }
        return added;
    }

    static SqlBuilder messageValues(SqlBuilder b, MessageRow m) {
        b.param(m.id()).sql(", ").param(m.cid()).sql(", ").param(m.userId()).sql(", ");
        nullable(b, m.parentId())
                .sql(", ")
                .param(m.inChannel() ? 1 : 0)
                .sql(", ")
                .param(micros(m.createdAt()))
                .sql(", ")
                .param(micros(m.updatedAt()))
                .sql(", ");
        nullableTime(b, m.deletedAt()).sql(", ");
        nullableTime(b, m.pinnedAt()).sql(", ");
        return b.param(Json.write(m.doc()));
    }

    @Override
    public Optional<MessageRow> findMessage(String id) {
        return findMessages(List.of(id)).stream().findFirst();
    }

    @Override
    public List<MessageRow> findMessages(Collection<String> ids) {
        List<MessageRow> out = new ArrayList<>();
        for (List<String> chunk : chunks(ids)) {
            SqlBuilder b = new SqlBuilder().sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE id IN (");
            in(b, chunk).sql(") ORDER BY created_at, id");
            out.addAll(jdbc.read("find messages", c -> list(c, b, JdbcChatStore::message)));
        }
        return out;
    }

    @Override
    public void updateMessage(MessageRow m) {
        jdbc.execute("update message", c -> updateMessage(c, m));
    }

    @Override
    public void updateMessage(MessageRow m, List<ChatRows.MessageVersion> versions) {
        jdbc.execute("update message with versions", c -> {
            updateMessage(c, m);
            for (ChatRows.MessageVersion v : versions) {
                SqlBuilder b = new SqlBuilder()
                        .sql("INSERT INTO message_versions (message_id, version_at, updated_by_id, doc) VALUES (")
                        .param(v.messageId())
                        .sql(", ")
                        .param(micros(v.at()))
                        .sql(", ");
                nullable(b, v.updatedById())
                        .sql(", ")
                        .param(Json.write(Json.object().put("text", v.text()).set("attachments", v.attachments())))
                        .sql(") ON CONFLICT (message_id, version_at) DO NOTHING");
                update(c, b);
            }
        });
    }

    @Override
    public List<ChatRows.MessageVersion> messageVersions(
            Collection<String> messageIds, @Nullable String updatedById, boolean newestFirst, int limit, int offset) {
        if (messageIds.isEmpty() || limit <= 0) {
            return List.of();
        }
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT message_id, version_at, updated_by_id, doc FROM message_versions WHERE message_id IN (");
        in(b, List.copyOf(messageIds)).sql(")");
        if (updatedById != null) {
            b.sql(" AND updated_by_id = ").param(updatedById);
        }
        String dir = newestFirst ? " DESC" : " ASC";
        b.sql(" ORDER BY version_at" + dir + ", message_id" + dir + " LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read(
                "message versions",
                c -> list(c, b, rs -> {
                    JsonNode doc = Json.parse(rs.getString(4), "doc");
                    return new ChatRows.MessageVersion(
                            rs.getString(1),
                            Timestamps.fromMicros(rs.getLong(2)),
                            rs.getString(3),
                            doc.path("text").asText(""),
                            doc.path("attachments").isArray() ? doc.get("attachments") : Json.array());
                }));
    }

    static void updateMessage(Connection c, MessageRow m) throws SQLException {
        update(c, updateMessageSql(m));
    }

    /** The UPDATE that {@link #updateMessage} runs. */
    static SqlBuilder updateMessageSql(MessageRow m) {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE messages SET in_channel = ")
                .param(m.inChannel() ? 1 : 0)
                .sql(", updated_at = ")
                .param(micros(m.updatedAt()))
                .sql(", deleted_at = ");
        nullableTime(b, m.deletedAt()).sql(", pinned_at = ");
        nullableTime(b, m.pinnedAt())
                .sql(", doc = ")
                .param(Json.write(m.doc()))
                .sql(" WHERE id = ")
                .param(m.id());
        return b;
    }

    @Override
    public boolean deleteMessage(String id) {
        return jdbc.write("delete message", c -> {
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM reactions WHERE message_id = ")
                            .param(id));
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM thread_participants WHERE parent_id = ")
                            .param(id));
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM threads WHERE parent_id = ")
                            .param(id));
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM message_versions WHERE message_id = ")
                            .param(id));
            update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM messages_deleted_for_user WHERE message_id = ")
                            .param(id));
            return update(
                            c,
                            new SqlBuilder()
                                    .sql("DELETE FROM messages WHERE id = ")
                                    .param(id))
                    > 0;
        });
    }

    @Override
    public List<MessageRow> channelMessages(String cid, MessageRange range) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE cid = ")
                .param(cid)
                .sql(" AND in_channel = 1");
        return page(b, range);
    }

    @Override
    public List<MessageRow> replies(String parentId, MessageRange range) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE parent_id = ")
                .param(parentId);
        return page(b, range);
    }

    private List<MessageRow> page(SqlBuilder b, MessageRange r) {
        if (r.before() != null) {
            b.sql(" AND (created_at, id) " + (r.beforeInclusive() ? "<=" : "<") + " (")
                    .param(micros(r.before().at()))
                    .sql(", ")
                    .param(r.before().id())
                    .sql(")");
        }
        if (r.after() != null) {
            b.sql(" AND (created_at, id) " + (r.afterInclusive() ? ">=" : ">") + " (")
                    .param(micros(r.after().at()))
                    .sql(", ")
                    .param(r.after().id())
                    .sql(")");
        }
        b.sql(r.oldestFirst() ? " ORDER BY created_at ASC, id ASC" : " ORDER BY created_at DESC, id DESC");
        b.sql(" LIMIT ").param(r.limit());
        List<MessageRow> rows = new ArrayList<>(jdbc.read("page messages", c -> list(c, b, JdbcChatStore::message)));
        if (!r.oldestFirst()) {
            Collections.reverse(rows);
        }
        return rows;
    }

    @Override
    public List<MessageRow> threadsOf(String userId, int limit, int offset) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS.replaceAll("(^|, )", "$1p.")
                        + " FROM thread_participants tp JOIN threads t ON t.parent_id = tp.parent_id "
                        + "JOIN messages p ON p.id = tp.parent_id WHERE tp.user_id = ")
                .param(userId)
                .sql(" AND EXISTS (SELECT 1 FROM members m WHERE m.cid = tp.cid AND m.user_id = tp.user_id)"
                        + " ORDER BY t.last_message_at DESC, p.id LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("threads of user", c -> list(c, b, JdbcChatStore::message));
    }

    @Override
    public void deleteForUser(String messageId, String cid, String userId, Instant at) {
        jdbc.write(
                "delete message for user",
                c -> update(
                        c,
                        new SqlBuilder()
                                .sql(
                                        "INSERT INTO messages_deleted_for_user (message_id, user_id, cid, deleted_at) VALUES (")
                                .param(messageId)
                                .sql(", ")
                                .param(userId)
                                .sql(", ")
                                .param(cid)
                                .sql(", ")
                                .param(micros(at))
                                .sql(") ON CONFLICT (user_id, message_id) DO NOTHING")));
    }

    @Override
    public Map<String, Instant> deletedForUser(String userId, Collection<String> messageIds) {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(messageIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT message_id, deleted_at FROM messages_deleted_for_user WHERE user_id = ")
                    .param(userId)
                    .sql(" AND message_id IN (");
            in(b, chunk).sql(")");
            jdbc.read("messages deleted for user", c -> {
                forEach(c, b, rs -> out.put(rs.getString(1), Timestamps.fromMicros(rs.getLong(2))));
                return out;
            });
        }
        return out;
    }

    static final String THREAD_COLUMNS = "parent_id, cid, title, custom, created_at, updated_at, last_message_at";

    private static final String PARTICIPANT_COLUMNS = "parent_id, user_id, cid, created_at, last_thread_message_at, "
            + "last_read, last_read_message_id, unread_messages";

    private static ChatRows.ThreadRow threadRow(ResultSet rs) throws SQLException {
        return new ChatRows.ThreadRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Timestamps.fromMicros(rs.getLong(5)),
                Timestamps.fromMicros(rs.getLong(6)),
                Timestamps.fromMicros(rs.getLong(7)));
    }

    private static ChatRows.ThreadParticipant participant(ResultSet rs) throws SQLException {
        return new ChatRows.ThreadParticipant(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                Timestamps.fromMicros(rs.getLong(4)),
                Timestamps.fromMicros(rs.getLong(5)),
                instant(rs, 6),
                rs.getString(7),
                rs.getInt(8));
    }

    @Override
    public Optional<ChatRows.ThreadRow> thread(String parentId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + THREAD_COLUMNS + " FROM threads WHERE parent_id = ")
                .param(parentId);
        return jdbc.read("thread", c -> list(c, b, JdbcChatStore::threadRow)).stream()
                .findFirst();
    }

    @Override
    public List<ChatRows.ThreadParticipant> threadParticipants(String parentId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + PARTICIPANT_COLUMNS + " FROM thread_participants WHERE parent_id = ")
                .param(parentId)
                .sql(" ORDER BY created_at, user_id LIMIT ")
                .param(limit);
        return jdbc.read("thread participants", c -> list(c, b, JdbcChatStore::participant));
    }

    @Override
    public boolean setThreadRead(
            String parentId, String userId, Instant lastRead, @Nullable String lastReadMessageId, int unread) {
        return jdbc.write("set thread read state", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("UPDATE thread_participants SET last_read = ")
                    .param(micros(lastRead))
                    .sql(", last_read_message_id = ");
            nullable(b, lastReadMessageId)
                    .sql(", unread_messages = ")
                    .param(unread)
                    .sql(" WHERE parent_id = ")
                    .param(parentId)
                    .sql(" AND user_id = ")
                    .param(userId);
            return update(c, b) > 0;
        });
    }

    @Override
    public boolean updateThread(String parentId, @Nullable String title, String customJson, Instant at) {
        return jdbc.write("update thread", c -> {
            SqlBuilder b = new SqlBuilder().sql("UPDATE threads SET title = ");
            nullable(b, title)
                    .sql(", custom = ")
                    .param(customJson)
                    .sql(", updated_at = ")
                    .param(micros(at))
                    .sql(" WHERE parent_id = ")
                    .param(parentId);
            return update(c, b) > 0;
        });
    }

    /** The condition of a participant row that counts as an unread thread: unread replies, still a member. */
    private static final String UNREAD_THREAD = "tp.unread_messages > 0 AND EXISTS "
            + "(SELECT 1 FROM members m WHERE m.cid = tp.cid AND m.user_id = tp.user_id)";

    @Override
    public int unreadThreadCount(String userId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT count(*) FROM thread_participants tp WHERE tp.user_id = ")
                .param(userId)
                .sql(" AND " + UNREAD_THREAD);
        return jdbc.read("unread thread count", c -> list(c, b, rs -> rs.getInt(1)))
                .getFirst();
    }

    @Override
    public Map<String, Integer> unreadThreadCounts(Collection<String> userIds) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(userIds)) {
            chunk.forEach(id -> out.put(id, 0));
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT tp.user_id, count(*) FROM thread_participants tp WHERE tp.user_id IN (");
            in(b, chunk).sql(") AND " + UNREAD_THREAD + " GROUP BY tp.user_id");
            jdbc.read("unread thread counts", c -> {
                forEach(c, b, rs -> out.put(rs.getString(1), rs.getInt(2)));
                return out;
            });
        }
        return out;
    }

    @Override
    public List<ChatRows.ThreadParticipant> unreadThreads(String userId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + PARTICIPANT_COLUMNS.replaceAll("(^|, )", "$1tp.")
                        + " FROM thread_participants tp WHERE tp.user_id = ")
                .param(userId)
                .sql(" AND " + UNREAD_THREAD + " ORDER BY tp.last_thread_message_at DESC, tp.parent_id LIMIT ")
                .param(limit);
        return jdbc.read("unread threads", c -> list(c, b, JdbcChatStore::participant));
    }

    @Override
    public List<MessageRow> pinnedMessages(String cid, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE cid = ")
                .param(cid)
                .sql(" AND pinned_at IS NOT NULL AND deleted_at IS NULL ORDER BY pinned_at DESC, id LIMIT ")
                .param(limit);
        return jdbc.read("pinned messages", c -> list(c, b, JdbcChatStore::message));
    }

    @Override
    public int countChannelMessagesFrom(String cid, Cursor from) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT count(*) FROM messages WHERE cid = ")
                .param(cid)
                .sql(" AND in_channel = 1 AND deleted_at IS NULL AND (created_at, id) >= (")
                .param(micros(from.at()))
                .sql(", ")
                .param(from.id())
                .sql(")");
        return jdbc.read("count messages", c -> list(c, b, rs -> rs.getInt(1))).getFirst();
    }

    @Override
    public Optional<Instant> latestMessageTime(String cid) {
        return jdbc.read("latest message time", c -> {
            Instant latest = null;
            for (int inChannel = 0; inChannel <= 1; inChannel++) { // each a prefix of the index messages_channel
                SqlBuilder b = new SqlBuilder()
                        .sql("SELECT created_at FROM messages WHERE cid = ")
                        .param(cid)
                        .sql(" AND in_channel = ")
                        .param(inChannel)
                        .sql(" ORDER BY created_at DESC LIMIT 1");
                for (Instant t : list(c, b, rs -> Timestamps.fromMicros(rs.getLong(1)))) {
                    latest = latest == null || t.isAfter(latest) ? t : latest;
                }
            }
            return Optional.ofNullable(latest);
        });
    }

    /**
     * Whether the channel already has a message created at or after {@code m}'s time: on a shared store, under
     * the channel's lock, such a message came from another node, and {@code m} would break the channel's order.
     */
    private static boolean laterExists(Connection c, MessageRow m) throws SQLException {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT 1 FROM messages WHERE cid = ")
                .param(m.cid())
                .sql(" AND in_channel IN (0, 1) AND created_at >= ") // the index messages_channel's prefix
                .param(micros(m.createdAt()))
                .sql(" LIMIT 1");
        return !list(c, b, rs -> 1).isEmpty();
    }

    // ---- reactions

    @Override
    public Optional<ReactionWrite> addReaction(
            ReactionRow r,
            boolean replaceOwn,
            int latest,
            BiFunction<MessageRow, ReactionSummary, MessageRow> rewrite) {
        return jdbc.write("add reaction", c -> {
            MessageRow m = messageIn(c, r.messageId());
            if (m == null) {
                return Optional.empty();
            }
            int removed = !replaceOwn
                    ? 0
                    : update(
                            c,
                            new SqlBuilder()
                                    .sql("DELETE FROM reactions WHERE message_id = ")
                                    .param(r.messageId())
                                    .sql(" AND user_id = ")
                                    .param(r.userId()));
            update(
                    c,
                    new SqlBuilder()
                            .sql("INSERT INTO reactions (message_id, user_id, type, score, created_at, doc) VALUES (")
                            .param(r.messageId())
                            .sql(", ")
                            .param(r.userId())
                            .sql(", ")
                            .param(r.type())
                            .sql(", ")
                            .param(r.score())
                            .sql(", ")
                            .param(micros(r.createdAt()))
                            .sql(", ")
                            .param(Json.write(r.doc()))
                            .sql(
                                    ") ON CONFLICT (message_id, user_id, type) DO UPDATE SET score = excluded.score, doc = excluded.doc"));
            return Optional.of(new ReactionWrite(rewriteReactions(c, m, latest, rewrite), removed));
        });
    }

    @Override
    public Optional<ReactionWrite> removeReaction(
            String messageId,
            String userId,
            String type,
            int latest,
            BiFunction<MessageRow, ReactionSummary, MessageRow> rewrite) {
        return jdbc.write("remove reaction", c -> {
            MessageRow m = messageIn(c, messageId);
            if (m == null) {
                return Optional.empty();
            }
            int removed = update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM reactions WHERE message_id = ")
                            .param(messageId)
                            .sql(" AND user_id = ")
                            .param(userId)
                            .sql(" AND type = ")
                            .param(type));
            return Optional.of(new ReactionWrite(removed == 0 ? m : rewriteReactions(c, m, latest, rewrite), removed));
        });
    }

    private static @Nullable MessageRow messageIn(Connection c, String id) throws SQLException {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE id = ")
                .param(id);
        return list(c, b, JdbcChatStore::message).stream().findFirst().orElse(null);
    }

    /** Writes the message {@code rewrite} makes of {@code m} and its reactions as they stand in {@code c}. */
    private static MessageRow rewriteReactions(
            Connection c, MessageRow m, int latest, BiFunction<MessageRow, ReactionSummary, MessageRow> rewrite)
            throws SQLException {
        ReactionSummary summary = new ReactionSummary(
                list(c, reactionGroupsQuery(m.id()), JdbcChatStore::reactionGroup),
                list(c, reactionsQuery(m.id(), latest, 0), JdbcChatStore::reaction));
        MessageRow next = rewrite.apply(m, summary);
        if (!next.id().equals(m.id())) {
            throw new IllegalArgumentException("rewrite: message " + next.id() + " (expected: " + m.id() + ")");
        }
        updateMessage(c, next);
        return next;
    }

    @Override
    public List<ReactionRow> reactions(String messageId, int limit, int offset) {
        return jdbc.read(
                "list reactions", c -> list(c, reactionsQuery(messageId, limit, offset), JdbcChatStore::reaction));
    }

    static SqlBuilder reactionsQuery(String messageId, int limit, int offset) {
        return new SqlBuilder()
                .sql("SELECT message_id, user_id, type, score, created_at, doc FROM reactions " + "WHERE message_id = ")
                .param(messageId)
                .sql(" ORDER BY created_at DESC, user_id, type LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
    }

    @Override
    public List<ReactionRow> reactionsBy(String userId, Collection<String> messageIds) {
        List<ReactionRow> out = new ArrayList<>();
        for (List<String> chunk : chunks(messageIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT message_id, user_id, type, score, created_at, doc FROM reactions "
                            + "WHERE user_id = ")
                    .param(userId)
                    .sql(" AND message_id IN (");
            in(b, chunk).sql(") ORDER BY created_at DESC, type");
            out.addAll(jdbc.read("own reactions", c -> list(c, b, JdbcChatStore::reaction)));
        }
        return out;
    }

    @Override
    public List<MessageRow> messagesBy(String userId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE user_id = ")
                .param(userId)
                .sql(" ORDER BY created_at, id LIMIT ")
                .param(limit);
        return jdbc.read("messages of a user", c -> list(c, b, JdbcChatStore::message));
    }

    @Override
    public List<ReactionRow> reactionsByUser(String userId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT message_id, user_id, type, score, created_at, doc FROM reactions WHERE user_id = ")
                .param(userId)
                .sql(" ORDER BY created_at, message_id, type LIMIT ")
                .param(limit);
        return jdbc.read("reactions of a user", c -> list(c, b, JdbcChatStore::reaction));
    }

    @Override
    public List<ReactionRow> reactionsOn(String messageId, Collection<String> userIds) {
        List<ReactionRow> out = new ArrayList<>();
        for (List<String> chunk : chunks(userIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT message_id, user_id, type, score, created_at, doc FROM reactions "
                            + "WHERE message_id = ")
                    .param(messageId)
                    .sql(" AND user_id IN (");
            in(b, chunk).sql(") ORDER BY created_at DESC, type");
            out.addAll(jdbc.read("reactions of users", c -> list(c, b, JdbcChatStore::reaction)));
        }
        return out;
    }

    @Override
    public List<ReactionGroup> reactionGroups(String messageId) {
        return jdbc.read("reaction groups", c -> list(c, reactionGroupsQuery(messageId), JdbcChatStore::reactionGroup));
    }

    static SqlBuilder reactionGroupsQuery(String messageId) {
        return new SqlBuilder()
                .sql("SELECT type, count(*), sum(score), min(created_at), max(created_at) "
                        + "FROM reactions WHERE message_id = ")
                .param(messageId)
                .sql(" GROUP BY type ORDER BY min(created_at), type");
    }

    static ReactionGroup reactionGroup(ResultSet rs) throws SQLException {
        return new ReactionGroup(
                rs.getString(1),
                rs.getInt(2),
                rs.getInt(3),
                Timestamps.fromMicros(rs.getLong(4)),
                Timestamps.fromMicros(rs.getLong(5)));
    }

    // ---- unread and events

    @Override
    public UnreadTotals unreadTotals(String userId) {
        SqlBuilder b = new SqlBuilder()
                .sql(
                        "SELECT COALESCE(sum(unread_messages), 0), "
                                + "COALESCE(sum(CASE WHEN unread_messages > 0 THEN 1 ELSE 0 END), 0) FROM members WHERE user_id = ")
                .param(userId);
        return jdbc.read("unread totals", c -> list(c, b, rs -> new UnreadTotals(rs.getInt(1), rs.getInt(2))))
                .getFirst();
    }

    @Override
    public boolean hasOwnRows(String userId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT CASE WHEN EXISTS (SELECT 1 FROM members WHERE user_id = ")
                .param(userId)
                .sql(") OR EXISTS (SELECT 1 FROM user_mutes WHERE user_id = ")
                .param(userId)
                .sql(") OR EXISTS (SELECT 1 FROM channel_mutes WHERE user_id = ")
                .param(userId)
                .sql(") OR EXISTS (SELECT 1 FROM user_blocks WHERE user_id = ")
                .param(userId)
                .sql(") OR EXISTS (SELECT 1 FROM devices WHERE user_id = ")
                .param(userId)
                .sql(") THEN 1 ELSE 0 END");
        return jdbc.read("own rows", c -> list(c, b, rs -> rs.getInt(1) == 1)).getFirst();
    }

    @Override
    public Map<String, UnreadTotals> unreadTotals(Collection<String> userIds) {
        Map<String, UnreadTotals> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(userIds)) {
            chunk.forEach(id -> out.put(id, new UnreadTotals(0, 0)));
            SqlBuilder b = new SqlBuilder()
                    .sql(
                            "SELECT user_id, COALESCE(sum(unread_messages), 0), "
                                    + "COALESCE(sum(CASE WHEN unread_messages > 0 THEN 1 ELSE 0 END), 0) FROM members WHERE user_id IN (");
            in(b, chunk).sql(") GROUP BY user_id");
            jdbc.read("unread totals", c -> {
                forEach(c, b, rs -> out.put(rs.getString(1), new UnreadTotals(rs.getInt(2), rs.getInt(3))));
                return out;
            });
        }
        return out;
    }

    @Override
    public List<ChannelUnread> unreadChannels(String userId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT m.cid, c.type, m.unread_messages, m.last_read FROM members m "
                        + "JOIN channels c ON c.cid = m.cid WHERE m.user_id = ")
                .param(userId)
                .sql(" AND m.unread_messages > 0 ORDER BY c.last_message_at DESC NULLS LAST, m.cid LIMIT ")
                .param(limit);
        return jdbc.read(
                "unread channels",
                c -> list(
                        c, b, rs -> new ChannelUnread(rs.getString(1), rs.getString(2), rs.getInt(3), instant(rs, 4))));
    }

    @Override
    public List<MessageRow> searchMessages(MessageSearch search) {
        if (search.cids().isEmpty()) {
            return List.of();
        }
        SqlBuilder b = searchTranslator.select(MESSAGE_COLUMNS, search);
        return jdbc.read("search messages", c -> list(c, b, JdbcChatStore::message));
    }

    @Override
    public void setDelivered(ChatRows.Delivery d) {
        jdbc.write(
                "set delivered",
                c -> update(
                        c,
                        new SqlBuilder()
                                .sql("INSERT INTO deliveries (cid, user_id, delivered_at, message_id) VALUES (")
                                .param(d.cid())
                                .sql(", ")
                                .param(d.userId())
                                .sql(", ")
                                .param(micros(d.at()))
                                .sql(", ")
                                .param(d.messageId())
                                .sql(") ON CONFLICT (cid, user_id) DO UPDATE SET delivered_at = excluded.delivered_at, "
                                        + "message_id = excluded.message_id")));
    }

    @Override
    public Map<String, ChatRows.Delivery> deliveries(String cid) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT cid, user_id, delivered_at, message_id FROM deliveries WHERE cid = ")
                .param(cid);
        Map<String, ChatRows.Delivery> out = new LinkedHashMap<>();
        jdbc.read(
                        "deliveries",
                        c -> list(
                                c,
                                b,
                                rs -> new ChatRows.Delivery(
                                        rs.getString(1),
                                        rs.getString(2),
                                        Timestamps.fromMicros(rs.getLong(3)),
                                        rs.getString(4))))
                .forEach(d -> out.put(d.userId(), d));
        return out;
    }

    @Override
    public void upsertDevice(ChatRows.DeviceRow d) {
        jdbc.write("upsert device", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO devices (id, user_id, push_provider, push_provider_name, "
                            + "created_at) VALUES (")
                    .param(d.id())
                    .sql(", ")
                    .param(d.userId())
                    .sql(", ")
                    .param(d.pushProvider())
                    .sql(", ");
            nullable(b, d.pushProviderName())
                    .sql(", ")
                    .param(micros(d.createdAt()))
                    .sql(") ON CONFLICT (id) DO UPDATE SET "
                            + "user_id = excluded.user_id, push_provider = excluded.push_provider, "
                            + "push_provider_name = excluded.push_provider_name");
            return update(c, b);
        });
    }

    /** The columns {@link #device} reads, in its order. */
    static final String DEVICE_COLUMNS = "id, user_id, push_provider, push_provider_name, created_at";

    /** A device of a row of {@link #DEVICE_COLUMNS}. */
    static ChatRows.DeviceRow device(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ChatRows.DeviceRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Timestamps.fromMicros(rs.getLong(5)));
    }

    @Override
    public List<ChatRows.DeviceRow> devices(String userId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE user_id = ")
                .param(userId)
                .sql(" ORDER BY created_at, id");
        return jdbc.read("list devices", c -> list(c, b, JdbcChatStore::device));
    }

    @Override
    public boolean deleteDevice(String userId, String deviceId) {
        return jdbc.write(
                "delete device",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM devices WHERE id = ")
                                        .param(deviceId)
                                        .sql(" AND user_id = ")
                                        .param(userId))
                        > 0);
    }

    @Override
    public long appendEvent(ChatRows.EventRow event) {
        try {
            return jdbc.write("append event", c -> appendEvent(c, event));
        } catch (RuntimeException e) {
            lastSeq.remove(event.cid());
            throw e;
        }
    }

    private long appendEvent(Connection c, ChatRows.EventRow e) throws SQLException {
        if (shared) {
            lockChannels(c, List.of(e.cid()));
        }
        long seq = nextSeq(c, e.cid());
        rememberSeq(e.cid(), seq);
        e.body().put("channel_seq", seq);
        byte[] json = Json.writeBytes(e.body());
        update(
                c,
                eventValues(
                                new SqlBuilder().sql("INSERT INTO channel_events (" + EVENT_COLUMNS + ") VALUES ("),
                                e,
                                seq,
                                json)
                        .sql(")"));
        e.encoded().set(json);
        insertHooks(c, e, json);
        return seq;
    }

    /** The event's webhook deliveries, in its transaction; those without a payload of their own get its bytes. */
    private static void insertHooks(Connection c, ChatRows.EventRow e, byte[] json) throws SQLException {
        if (e.hooks().isEmpty()) {
            return;
        }
        String text = new String(json, StandardCharsets.UTF_8);
        JdbcHookStore.insert(
                c,
                e.hooks().stream()
                        .map(h -> h.payload() == null ? h.withPayload(text) : h)
                        .toList());
    }

    private static final String EVENT_COLUMNS = "cid, channel_seq, target_user, created_at, doc";

    /** An event row's values in {@link #EVENT_COLUMNS}' order, {@code json} as its document. */
    private static SqlBuilder eventValues(SqlBuilder b, ChatRows.EventRow e, long seq, byte[] json) {
        b.param(e.cid()).sql(", ").param(seq).sql(", ");
        return nullable(b, e.targetUserId())
                .sql(", ")
                .param(micros(e.at()))
                .sql(", ")
                .param(new String(json, StandardCharsets.UTF_8));
    }

    /**
     * Locks channels until the transaction ends (PostgreSQL's transaction-scoped advisory locks), in one order
     * whatever the caller's, so that two nodes' batches on the same channels wait for each other instead of
     * deadlocking. What a transaction writes of a channel after its lock (sequence numbers, unread counters)
     * follows the commit order of the nodes' writes.
     */
    private static void lockChannels(Connection c, Collection<String> cids) throws SQLException {
        for (String cid : new java.util.TreeSet<>(cids)) {
            list(
                    c,
                    new SqlBuilder()
                            .sql("SELECT pg_advisory_xact_lock(" + CHANNEL_LOCK_SPACE + ", hashtext(")
                            .param(cid)
                            .sql("))"),
                    rs -> 1);
        }
    }

    /** The first key of the channel locks' advisory lock pairs ("parl"), apart from any other use of them. */
    private static final int CHANNEL_LOCK_SPACE = 0x7061726c;

    /** The next sequence number of channel {@code cid}'s events: from memory, or read once (always when shared). */
    private long nextSeq(Connection c, String cid) throws SQLException {
        Long known = shared ? null : lastSeq.get(cid);
        if (known != null) {
            return known + 1;
        }
        SqlBuilder last = new SqlBuilder()
                .sql("SELECT COALESCE(MAX(channel_seq), 0) FROM channel_events WHERE cid = ")
                .param(cid);
        return list(c, last, rs -> rs.getLong(1)).getFirst() + 1;
    }

    private void rememberSeq(String cid, long seq) {
        if (shared) {
            return;
        }
        if (lastSeq.size() >= MAX_SEQ_ENTRIES) {
            lastSeq.clear();
        }
        lastSeq.put(cid, seq);
    }

    @Override
    public List<ObjectNode> eventsSince(Collection<String> cids, String userId, Instant since, int limit) {
        if (cids.isEmpty()) {
            return List.of();
        }
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT doc FROM channel_events WHERE created_at >= ")
                .param(micros(since))
                .sql(" AND (target_user IS NULL OR target_user = ")
                .param(userId)
                .sql(") AND cid IN (");
        in(b, List.copyOf(cids).subList(0, Math.min(cids.size(), IDS_PER_QUERY)))
                .sql(") ORDER BY created_at, seq LIMIT ")
                .param(limit);
        return jdbc.read("events since", c -> list(c, b, rs -> Json.parseObject(rs.getString(1), "stored event")));
    }

    @Override
    public List<ChatRows.StoredEvent> eventsBySeq(String cid, long from, long to, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT channel_seq, target_user, doc FROM channel_events WHERE cid = ")
                .param(cid)
                .sql(" AND channel_seq >= ")
                .param(from)
                .sql(" AND channel_seq <= ")
                .param(to)
                .sql(" ORDER BY channel_seq LIMIT ")
                .param(limit);
        return jdbc.read(
                "events by sequence",
                c -> list(c, b, rs -> {
                    String doc = rs.getString(3);
                    String type =
                            Json.parseObject(doc, "stored event").path("type").asText();
                    return new ChatRows.StoredEvent(
                            rs.getLong(1), rs.getString(2), type, doc.getBytes(StandardCharsets.UTF_8));
                }));
    }

    @Override
    public Map<String, Long> latestSeqs(Collection<String> cids) {
        if (cids.isEmpty()) {
            return Map.of();
        }
        SqlBuilder b = new SqlBuilder().sql("SELECT cid, MAX(channel_seq) FROM channel_events WHERE cid IN (");
        in(b, List.copyOf(cids).subList(0, Math.min(cids.size(), IDS_PER_QUERY)))
                .sql(") GROUP BY cid");
        return jdbc.read("latest sequences", c -> {
            Map<String, Long> out = new HashMap<>();
            forEach(c, b, rs -> out.put(rs.getString(1), rs.getLong(2)));
            return out;
        });
    }

    @Override
    public ChatRows.Roster roster(String cid) {
        return jdbc.read("roster", c -> {
            Map<String, Map<String, Instant>> mutes = new HashMap<>();
            forEach(
                    c,
                    new SqlBuilder()
                            .sql("SELECT um.user_id, um.target_id, um.expires FROM user_mutes um "
                                    + "JOIN members m ON m.user_id = um.user_id WHERE m.cid = ")
                            .param(cid),
                    rs -> mutes.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                            .put(rs.getString(2), until(rs, 3)));
            Map<String, Instant> channelMutes = new HashMap<>();
            forEach(
                    c,
                    new SqlBuilder()
                            .sql("SELECT user_id, expires FROM channel_mutes WHERE cid = ")
                            .param(cid),
                    rs -> channelMutes.put(rs.getString(1), until(rs, 2)));
            Map<String, ChatRows.RosterMember> members = new HashMap<>();
            forEach(
                    c,
                    new SqlBuilder()
                            .sql("SELECT user_id, channel_role, unread_messages FROM members WHERE cid = ")
                            .param(cid)
                            .sql(" ORDER BY created_at, user_id LIMIT ")
                            .param(ChatRows.Roster.MAX_MEMBERS + 1),
                    rs -> {
                        String user = rs.getString(1);
                        members.put(
                                user,
                                new ChatRows.RosterMember(
                                        user,
                                        rs.getString(2),
                                        rs.getInt(3),
                                        channelMutes.get(user),
                                        mutes.getOrDefault(user, Map.of())));
                    });
            Set<String> banned = new HashSet<>(list(
                    c,
                    new SqlBuilder()
                            .sql("SELECT target_id FROM bans WHERE cid = ")
                            .param(cid),
                    rs -> rs.getString(1)));
            boolean complete = members.size() <= ChatRows.Roster.MAX_MEMBERS;
            if (!complete) {
                members.keySet().stream()
                        .skip(ChatRows.Roster.MAX_MEMBERS)
                        .toList()
                        .forEach(members::remove);
            }
            return new ChatRows.Roster(members, banned, complete);
        });
    }

    /** A mute's end: {@link Instant#MAX} for a mute without one. */
    private static Instant until(ResultSet rs, int column) throws SQLException {
        Instant at = instant(rs, column);
        return at == null ? Instant.MAX : at;
    }

    // ---- rows

    static ChannelRow channel(ResultSet rs) throws SQLException {
        return new ChannelRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                requiredInstant(rs, 6),
                requiredInstant(rs, 7),
                instant(rs, 8),
                instant(rs, 9),
                rs.getString(10),
                rs.getInt(11) == 1,
                rs.getInt(12) == 1,
                rs.getInt(13),
                rs.getInt(14),
                rs.getInt(15),
                Json.parseObject(rs.getString(16), "stored channel"));
    }

    static MemberRow member(ResultSet rs) throws SQLException {
        return new MemberRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                requiredInstant(rs, 4),
                requiredInstant(rs, 5),
                rs.getInt(6) == 1,
                instant(rs, 7),
                rs.getString(8),
                rs.getInt(9),
                instant(rs, 10),
                instant(rs, 11),
                instant(rs, 12),
                Json.parseObject(rs.getString(13), "stored member"),
                rs.getString(14),
                instant(rs, 15),
                instant(rs, 16));
    }

    static MessageRow message(ResultSet rs) throws SQLException {
        return new MessageRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5) == 1,
                requiredInstant(rs, 6),
                requiredInstant(rs, 7),
                instant(rs, 8),
                instant(rs, 9),
                Json.parseObject(rs.getString(10), "stored message"));
    }

    static ReactionRow reaction(ResultSet rs) throws SQLException {
        return new ReactionRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                requiredInstant(rs, 5),
                Json.parseObject(rs.getString(6), "stored reaction"));
    }
}
