package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.update;

import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an {@link ImportBatch} on one connection, inside the caller's transaction (PROTOCOL.md §17): plain
 * inserts that skip or overwrite stored keys, then what is derived from the rows, counted again for what the
 * batch touched. No channel event, webhook or usage row is written. SQL both databases understand.
 */
final class JdbcImport {
    /** How many of a message's newest reactions its document shows, as a reaction write keeps them. */
    static final int LATEST_REACTIONS = 10;

    private final String upsertUser;

    JdbcImport(String upsertUser) {
        this.upsertUser = upsertUser;
    }

    ImportBatch.Written write(Connection c, ImportBatch b) throws SQLException {
        int written = 0;
        written += users(c, b);
        String onChannel = b.upsert()
                ? " DO UPDATE SET name = excluded.name, created_by_id = excluded.created_by_id, team = excluded.team, "
                        + "created_at = excluded.created_at, updated_at = excluded.updated_at, frozen = excluded.frozen, "
                        + "disabled = excluded.disabled, cooldown = excluded.cooldown, custom = excluded.custom"
                : " DO NOTHING";
        for (ChannelRow ch : b.channels()) {
            SqlBuilder s = new SqlBuilder()
                    .sql("INSERT INTO channels (cid, type, id, name, created_by_id, team, created_at, updated_at, "
                            + "last_message_at, truncated_at, truncated_by_id, frozen, disabled, cooldown, "
                            + "member_count, message_count, custom) VALUES (");
            JdbcChatStore.channelValues(s, ch)
                    .sql(", 0, 0, ")
                    .param(Json.write(ch.custom()))
                    .sql(") ON CONFLICT (cid)" + onChannel);
            written += update(c, s);
        }
        for (MemberRow m : b.members()) {
            written += update(c, member(m, b.upsert()));
        }
        Set<String> derive = new LinkedHashSet<>();
        Set<String> parents = new LinkedHashSet<>();
        Map<String, List<Object>> existing = existingMessages(c, b.messages());
        Set<String> fullCounts = new LinkedHashSet<>(); // channels whose counters are counted again from all rows
        Map<String, List<MessageRow>> added = new LinkedHashMap<>(); // new messages shown in their channel
        Set<String> seen = new java.util.HashSet<>();
        for (MessageRow m : b.messages()) {
            List<Object> before = existing.get(m.id());
            if (!seen.add(m.id())) {
                fullCounts.add(m.cid()); // the same id twice in one batch: count from the rows
            } else if (before == null) {
                if (m.inChannel()) {
                    added.computeIfAbsent(m.cid(), k -> new ArrayList<>()).add(m);
                }
            } else if (b.upsert() && !before.equals(countedColumns(m))) {
                fullCounts.add((String) before.getFirst());
                fullCounts.add(m.cid());
            }
        }
        for (MessageRow m : b.messages()) {
            SqlBuilder s =
                    new SqlBuilder().sql("INSERT INTO messages (" + JdbcChatStore.MESSAGE_COLUMNS + ") VALUES (");
            JdbcChatStore.messageValues(s, m)
                    .sql(
                            b.upsert()
                                    ? ") ON CONFLICT (id) DO UPDATE SET cid = excluded.cid, user_id = excluded.user_id, "
                                            + "parent_id = excluded.parent_id, in_channel = excluded.in_channel, "
                                            + "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                                            + "deleted_at = excluded.deleted_at, pinned_at = excluded.pinned_at, "
                                            + "doc = excluded.doc"
                                    : ") ON CONFLICT (id) DO NOTHING");
            if (update(c, s) > 0) {
                written++;
                if (m.parentId() != null) {
                    parents.add(m.parentId());
                }
                if (existing.containsKey(m.id())) {
                    derive.add(m.id()); // its stored reactions and replies are counted into the new document
                }
            }
        }
        for (ReactionRow r : b.reactions()) {
            if (update(c, reaction(r, b.upsert())) > 0) {
                written++;
                derive.add(r.messageId());
            }
        }
        for (DeviceRow d : b.devices()) {
            written += update(c, device(d, b.upsert()));
        }
        for (ModerationStore.UserMute m : b.userMutes()) {
            written += update(c, mute("user_mutes", "target_id", m.userId(), m.targetId(), m.createdAt(), b.upsert()));
        }
        for (ModerationStore.ChannelMute m : b.channelMutes()) {
            written += update(c, mute("channel_mutes", "cid", m.userId(), m.cid(), m.createdAt(), b.upsert()));
        }
        written += preferences(c, b);
        for (String parent : parents) {
            thread(c, parent);
        }
        derive.addAll(parents);
        for (String id : derive) {
            rederive(c, id, b.derive());
        }
        counters(c, b, fullCounts, added);
        return new ImportBatch.Written(written, b.size() - written);
    }

    /**
     * The derived counters of the channels the batch touched, at a cost that does not grow with a channel's
     * history: new messages add to the counts of the members already stored; a member written by the batch is
     * counted from its own range of messages; only a channel whose stored messages changed in what is counted
     * (an upsert that moved, deleted or re-timed one) is counted again from all its rows.
     */
    private static void counters(
            Connection c, ImportBatch b, Set<String> fullCounts, Map<String, List<MessageRow>> added)
            throws SQLException {
        for (Map.Entry<String, List<MessageRow>> e : added.entrySet()) {
            String cid = e.getKey();
            if (fullCounts.contains(cid)) {
                continue;
            }
            long latest = e.getValue().stream()
                    .mapToLong(m -> micros(m.createdAt()))
                    .max()
                    .orElseThrow();
            update(
                    c,
                    new SqlBuilder()
                            .sql("UPDATE channels SET message_count = message_count + ")
                            .param(e.getValue().size())
                            .sql(", last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < ")
                            .param(latest)
                            .sql(" THEN ")
                            .param(latest)
                            .sql(" ELSE last_message_at END WHERE cid = ")
                            .param(cid));
            List<String> shown = e.getValue().stream()
                    .filter(m -> m.deletedAt() == null)
                    .map(MessageRow::id)
                    .toList();
            for (List<String> chunk : chunks(shown)) {
                SqlBuilder s = new SqlBuilder()
                        .sql("UPDATE members SET unread_messages = unread_messages + (SELECT count(*) FROM messages m "
                                + "WHERE m.id IN (");
                in(s, chunk)
                        .sql(") AND m.user_id <> members.user_id "
                                + "AND m.created_at > COALESCE(members.last_read, members.created_at)) WHERE cid = ")
                        .param(cid);
                update(c, s);
            }
        }
        Set<String> memberCounts = new LinkedHashSet<>();
        b.channels().forEach(ch -> memberCounts.add(ch.cid()));
        b.members().forEach(m -> memberCounts.add(m.cid()));
        for (String cid : fullCounts) {
            recount(c, cid);
        }
        for (String cid : memberCounts) {
            if (!fullCounts.contains(cid)) {
                update(
                        c,
                        new SqlBuilder()
                                .sql("UPDATE channels SET member_count = (SELECT count(*) FROM members WHERE cid = ")
                                .param(cid)
                                .sql(") WHERE cid = ")
                                .param(cid));
            }
        }
        for (MemberRow m : b.members()) {
            if (!fullCounts.contains(m.cid())) {
                update(
                        c,
                        unread(new SqlBuilder(), m.cid()).sql(" AND user_id = ").param(m.userId()));
            }
        }
    }

    /** What a message adds to its channel's counters, as {@link #existingMessages} reads it. */
    private static List<Object> countedColumns(MessageRow m) {
        return java.util.Arrays.asList(
                m.cid(),
                m.userId(),
                m.inChannel() ? 1L : 0L,
                micros(m.createdAt()),
                m.deletedAt() == null ? -1L : micros(m.deletedAt()));
    }

    private int users(Connection c, ImportBatch b) throws SQLException {
        if (b.users().isEmpty()) {
            return 0;
        }
        Map<String, User> byId = new HashMap<>();
        b.users().forEach(u -> byId.put(u.id(), u));
        if (!b.upsert()) {
            for (List<String> chunk : chunks(byId.keySet())) {
                SqlBuilder s = new SqlBuilder().sql("SELECT id FROM users WHERE id IN (");
                list(c, in(s, chunk).sql(")"), rs -> rs.getString(1)).forEach(byId::remove);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(upsertUser)) {
            for (User u : byId.values()) {
                UserRows.bindUpsert(ps, u);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return byId.size();
    }

    /** The stored messages among {@code messages}, each with its {@link #countedColumns}. */
    private static Map<String, List<Object>> existingMessages(Connection c, List<MessageRow> messages)
            throws SQLException {
        Map<String, List<Object>> out = new HashMap<>();
        for (List<String> chunk : chunks(messages.stream().map(MessageRow::id).toList())) {
            SqlBuilder s = new SqlBuilder()
                    .sql("SELECT id, cid, user_id, in_channel, created_at, COALESCE(deleted_at, -1) FROM messages "
                            + "WHERE id IN (");
            list(
                            c,
                            in(s, chunk).sql(")"),
                            rs -> Map.entry(
                                    rs.getString(1),
                                    java.util.Arrays.<Object>asList(
                                            rs.getString(2),
                                            rs.getString(3),
                                            rs.getLong(4),
                                            rs.getLong(5),
                                            rs.getLong(6))))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static SqlBuilder member(MemberRow m, boolean upsert) {
        SqlBuilder s = new SqlBuilder()
                .sql("INSERT INTO members (" + JdbcChatStore.MEMBER_COLUMNS + ") VALUES (")
                .param(m.cid())
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
        nullableTime(s, m.lastRead()).sql(", ");
        nullable(s, m.lastReadMessageId()).sql(", 0, ");
        nullableTime(s, m.archivedAt()).sql(", ");
        nullableTime(s, m.pinnedAt()).sql(", ");
        nullableTime(s, m.hideMessagesBefore())
                .sql(", ")
                .param(Json.write(m.custom()))
                .sql(", ");
        nullable(s, m.inviteStatus()).sql(", ");
        nullableTime(s, m.inviteAcceptedAt()).sql(", ");
        nullableTime(s, m.inviteRejectedAt());
        return s.sql(
                upsert
                        ? ") ON CONFLICT (cid, user_id) DO UPDATE SET channel_role = excluded.channel_role, "
                                + "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                                + "hidden = excluded.hidden, last_read = excluded.last_read, "
                                + "last_read_message_id = excluded.last_read_message_id, "
                                + "archived_at = excluded.archived_at, pinned_at = excluded.pinned_at, "
                                + "hide_messages_before = excluded.hide_messages_before, custom = excluded.custom, "
                                + "invite_status = excluded.invite_status, "
                                + "invite_accepted_at = excluded.invite_accepted_at, "
                                + "invite_rejected_at = excluded.invite_rejected_at"
                        : ") ON CONFLICT (cid, user_id) DO NOTHING");
    }

    private static SqlBuilder reaction(ReactionRow r, boolean upsert) {
        return new SqlBuilder()
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
                        upsert
                                ? ") ON CONFLICT (message_id, user_id, type) DO UPDATE SET score = excluded.score, "
                                        + "created_at = excluded.created_at, doc = excluded.doc"
                                : ") ON CONFLICT (message_id, user_id, type) DO NOTHING");
    }

    private static SqlBuilder device(DeviceRow d, boolean upsert) {
        SqlBuilder s = new SqlBuilder()
                .sql("INSERT INTO devices (" + JdbcChatStore.DEVICE_COLUMNS + ") VALUES (")
                .param(d.id())
                .sql(", ")
                .param(d.userId())
                .sql(", ")
                .param(d.pushProvider())
                .sql(", ");
        return nullable(s, d.pushProviderName())
                .sql(", ")
                .param(micros(d.createdAt()))
                .sql(
                        upsert
                                ? ") ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, "
                                        + "push_provider = excluded.push_provider, "
                                        + "push_provider_name = excluded.push_provider_name, created_at = excluded.created_at"
                                : ") ON CONFLICT (id) DO NOTHING");
    }

    private static SqlBuilder mute(
            String table, String targetColumn, String userId, String target, Instant at, boolean upsert) {
        return new SqlBuilder()
                .sql("INSERT INTO " + table + " (user_id, " + targetColumn
                        + ", created_at, updated_at, expires) VALUES (")
                .param(userId)
                .sql(", ")
                .param(target)
                .sql(", ")
                .param(micros(at))
                .sql(", ")
                .param(micros(at))
                .sql(
                        upsert
                                ? ", NULL) ON CONFLICT (user_id, " + targetColumn
                                        + ") DO UPDATE SET updated_at = excluded.updated_at, expires = NULL"
                                : ", NULL) ON CONFLICT (user_id, " + targetColumn + ") DO NOTHING");
    }

    private static int preferences(Connection c, ImportBatch b) throws SQLException {
        Map<String, Instant> updated = new HashMap<>();
        b.users().forEach(u -> updated.put(u.id(), u.updatedAt()));
        int written = 0;
        for (PushStore.Preference p : b.pushPreferences()) {
            Instant at = updated.getOrDefault(p.userId(), Instant.EPOCH);
            SqlBuilder s = new SqlBuilder()
                    .sql("INSERT INTO push_preferences (user_id, channel_cid, chat_level, call_level, "
                            + "disabled_until, updated_at) VALUES (")
                    .param(p.userId())
                    .sql(", ")
                    .param(p.channelCid())
                    .sql(", ");
            nullable(s, p.chatLevel()).sql(", ");
            nullable(s, p.callLevel()).sql(", ");
            nullableTime(s, p.disabledUntil())
                    .sql(", ")
                    .param(micros(at == null ? Instant.EPOCH : at))
                    .sql(
                            b.upsert()
                                    ? ") ON CONFLICT (user_id, channel_cid) DO UPDATE SET chat_level = excluded.chat_level, "
                                            + "call_level = excluded.call_level, disabled_until = excluded.disabled_until, "
                                            + "updated_at = excluded.updated_at"
                                    : ") ON CONFLICT (user_id, channel_cid) DO NOTHING");
            written += update(c, s);
        }
        return written;
    }

    /**
     * The thread of {@code parentId} as its stored replies make it (§7.18): its row, the parent's author and every
     * reply's author as participants who have read it to its latest reply.
     */
    private static void thread(Connection c, String parentId) throws SQLException {
        MessageRow parent = message(c, parentId);
        if (parent == null) {
            return;
        }
        List<Long> last = list(
                c,
                new SqlBuilder()
                        .sql("SELECT max(created_at) FROM messages WHERE parent_id = ")
                        .param(parentId),
                rs -> {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? Long.MIN_VALUE : v;
                });
        if (last.isEmpty() || last.getFirst() == Long.MIN_VALUE) {
            return;
        }
        long at = last.getFirst();
        long parentAt = micros(parent.createdAt());
        update(
                c,
                new SqlBuilder()
                        .sql("INSERT INTO threads (parent_id, cid, created_at, updated_at, last_message_at) VALUES (")
                        .param(parentId)
                        .sql(", ")
                        .param(parent.cid())
                        .sql(", ")
                        .param(parentAt)
                        .sql(", ")
                        .param(parentAt)
                        .sql(", ")
                        .param(at)
                        .sql(") ON CONFLICT (parent_id) DO UPDATE SET last_message_at = excluded.last_message_at"));
        Map<String, Long> joined = new java.util.LinkedHashMap<>();
        joined.put(parent.userId(), parentAt);
        list(
                        c,
                        new SqlBuilder()
                                .sql("SELECT user_id, min(created_at) FROM messages WHERE parent_id = ")
                                .param(parentId)
                                .sql(" GROUP BY user_id ORDER BY min(created_at), user_id"),
                        rs -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> joined.putIfAbsent(e.getKey(), e.getValue()));
        for (Map.Entry<String, Long> e : joined.entrySet()) {
            update(
                    c,
                    new SqlBuilder()
                            .sql("INSERT INTO thread_participants (parent_id, user_id, cid, created_at, "
                                    + "last_thread_message_at, last_read, unread_messages) VALUES (")
                            .param(parentId)
                            .sql(", ")
                            .param(e.getKey())
                            .sql(", ")
                            .param(parent.cid())
                            .sql(", ")
                            .param(e.getValue())
                            .sql(", ")
                            .param(at)
                            .sql(", ")
                            .param(at)
                            .sql(", 0) ON CONFLICT (parent_id, user_id) DO UPDATE SET "
                                    + "last_thread_message_at = excluded.last_thread_message_at, "
                                    + "last_read = excluded.last_read, unread_messages = 0"));
        }
    }

    /** Rewrites a message's document from its stored reactions and replies. */
    private static void rederive(Connection c, String id, ImportBatch.Derive derive) throws SQLException {
        MessageRow m = message(c, id);
        if (m == null) {
            return;
        }
        ReactionSummary reactions = new ReactionSummary(
                list(c, JdbcChatStore.reactionGroupsQuery(id), JdbcChatStore::reactionGroup),
                list(c, JdbcChatStore.reactionsQuery(id, LATEST_REACTIONS, 0), JdbcChatStore::reaction));
        ImportBatch.ThreadSummary thread = m.parentId() == null ? threadSummary(c, m) : ImportBatch.ThreadSummary.NONE;
        MessageRow next = derive.apply(m, reactions, thread);
        if (!next.id().equals(id)) {
            throw new IllegalArgumentException("derive: message " + next.id() + " (expected: " + id + ")");
        }
        JdbcChatStore.updateMessage(c, next);
    }

    private static ImportBatch.ThreadSummary threadSummary(Connection c, MessageRow parent) throws SQLException {
        int[] counts = list(
                        c,
                        new SqlBuilder()
                                .sql("SELECT count(*), count(deleted_at) FROM messages WHERE parent_id = ")
                                .param(parent.id()),
                        rs -> new int[] {rs.getInt(1), rs.getInt(2)})
                .getFirst();
        if (counts[0] == 0) {
            return ImportBatch.ThreadSummary.NONE;
        }
        List<String> ids = new ArrayList<>();
        ids.add(parent.userId());
        list(
                        c,
                        new SqlBuilder()
                                .sql("SELECT user_id FROM messages WHERE parent_id = ")
                                .param(parent.id())
                                .sql(" GROUP BY user_id ORDER BY min(created_at), user_id LIMIT ")
                                .param(ImportBatch.ThreadSummary.MAX_PARTICIPANTS),
                        rs -> rs.getString(1))
                .stream()
                .filter(u -> !ids.contains(u))
                .forEach(ids::add);
        List<String> firstIds = ids.subList(0, Math.min(ids.size(), ImportBatch.ThreadSummary.MAX_PARTICIPANTS));
        Map<String, User> users = users(c, firstIds);
        List<User> participants =
                firstIds.stream().map(users::get).filter(u -> u != null).toList();
        return new ImportBatch.ThreadSummary(counts[0] - counts[1], counts[1], participants);
    }

    private static Map<String, User> users(Connection c, Collection<String> ids) throws SQLException {
        Map<String, User> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        SqlBuilder s = new SqlBuilder().sql("SELECT " + UserRows.COLUMNS + " FROM users WHERE users.id IN (");
        list(c, in(s, List.copyOf(ids)).sql(")"), UserRows::read).forEach(u -> out.put(u.id(), u));
        return out;
    }

    private static @org.jspecify.annotations.Nullable MessageRow message(Connection c, String id) throws SQLException {
        SqlBuilder s = new SqlBuilder()
                .sql("SELECT " + JdbcChatStore.MESSAGE_COLUMNS + " FROM messages WHERE id = ")
                .param(id);
        return list(c, s, JdbcChatStore::message).stream().findFirst().orElse(null);
    }

    /**
     * A channel's counters from its rows: members, messages shown in the channel and the latest one's time; and
     * each member's unread count, the messages shown after its last read by others, not deleted.
     */
    private static void recount(Connection c, String cid) throws SQLException {
        update(
                c,
                new SqlBuilder()
                        .sql("UPDATE channels SET member_count = (SELECT count(*) FROM members WHERE cid = ")
                        .param(cid)
                        .sql("), message_count = (SELECT count(*) FROM messages WHERE cid = ")
                        .param(cid)
                        .sql(
                                " AND in_channel = 1), last_message_at = (SELECT max(created_at) FROM messages WHERE cid = ")
                        .param(cid)
                        .sql(" AND in_channel = 1) WHERE cid = ")
                        .param(cid));
        update(c, unread(new SqlBuilder(), cid));
    }

    /** Sets the unread counts of the members of {@code cid} from the messages after their last read. */
    private static SqlBuilder unread(SqlBuilder b, String cid) {
        return b.sql("UPDATE members SET unread_messages = (SELECT count(*) FROM messages m WHERE m.cid = ")
                .param(cid)
                .sql(" AND m.in_channel = 1 AND m.deleted_at IS NULL AND m.user_id <> members.user_id "
                        + "AND m.created_at > COALESCE(members.last_read, members.created_at)) WHERE cid = ")
                .param(cid);
    }
}
