package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.forEach;
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
        List<SqlBuilder> channelRows = new ArrayList<>();
        for (ChannelRow ch : b.channels()) {
            SqlBuilder s = new SqlBuilder()
                    .sql("INSERT INTO channels (cid, type, id, name, created_by_id, team, created_at, updated_at, "
                            + "last_message_at, truncated_at, truncated_by_id, frozen, disabled, cooldown, "
                            + "member_count, message_count, custom) VALUES (");
            JdbcChatStore.channelValues(s, ch)
                    .sql(", 0, 0, ")
                    .param(Json.write(ch.custom()))
                    .sql(") ON CONFLICT (cid)" + onChannel);
            channelRows.add(s);
        }
        written += insertAll(
                        c,
                        channelRows,
                        b.channels().stream().map(ChannelRow::cid).toList(),
                        null)
                .count();
        written += insertAll(
                        c,
                        b.members().stream().map(m -> member(m, b.upsert())).toList(),
                        b.members().stream()
                                .map(m -> m.cid() + "\n" + m.userId())
                                .toList(),
                        null)
                .count();
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
        List<SqlBuilder> messageRows = new ArrayList<>(b.messages().size());
        for (MessageRow m : b.messages()) {
            SqlBuilder s =
                    new SqlBuilder().sql("INSERT INTO messages (" + JdbcChatStore.MESSAGE_COLUMNS + ") VALUES (");
            messageRows.add(JdbcChatStore.messageValues(s, m)
                    .sql(
                            b.upsert()
                                    ? ") ON CONFLICT (id) DO UPDATE SET cid = excluded.cid, user_id = excluded.user_id, "
                                            + "parent_id = excluded.parent_id, in_channel = excluded.in_channel, "
                                            + "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                                            + "deleted_at = excluded.deleted_at, pinned_at = excluded.pinned_at, "
                                            + "doc = excluded.doc"
                                    : ") ON CONFLICT (id) DO NOTHING"));
        }
        insertAll(c, messageRows, b.messages().stream().map(MessageRow::id).toList(), null);
        // upsert writes every row; insert only the first of an id that was not stored
        Set<String> first = new java.util.HashSet<>();
        for (MessageRow m : b.messages()) {
            if (first.add(m.id()) ? b.upsert() || !existing.containsKey(m.id()) : b.upsert()) {
                written++;
                if (m.parentId() != null) {
                    parents.add(m.parentId());
                }
                if (existing.containsKey(m.id())) {
                    derive.add(m.id()); // its stored reactions and replies are counted into the new document
                }
            }
        }
        Inserted reactions = insertAll(
                c,
                b.reactions().stream().map(r -> reaction(r, b.upsert())).toList(),
                b.reactions().stream()
                        .map(r -> r.messageId() + "\n" + r.userId() + "\n" + r.type())
                        .toList(),
                "message_id");
        written += reactions.count();
        derive.addAll(reactions.returned());
        written += insertAll(
                        c,
                        b.devices().stream().map(d -> device(d, b.upsert())).toList(),
                        b.devices().stream().map(DeviceRow::id).toList(),
                        null)
                .count();
        written += insertAll(
                        c,
                        b.userMutes().stream()
                                .map(m -> mute(
                                        "user_mutes", "target_id", m.userId(), m.targetId(), m.createdAt(), b.upsert()))
                                .toList(),
                        b.userMutes().stream()
                                .map(m -> m.userId() + "\n" + m.targetId())
                                .toList(),
                        null)
                .count();
        written += insertAll(
                        c,
                        b.channelMutes().stream()
                                .map(m -> mute("channel_mutes", "cid", m.userId(), m.cid(), m.createdAt(), b.upsert()))
                                .toList(),
                        b.channelMutes().stream()
                                .map(m -> m.userId() + "\n" + m.cid())
                                .toList(),
                        null)
                .count();
        written += preferences(c, b);
        for (List<String> chunk : chunks(parents)) {
            threads(c, chunk);
        }
        derive.addAll(parents);
        for (List<String> chunk : chunks(derive)) {
            rederive(c, chunk, b.derive());
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
        List<SqlBuilder> increments = new ArrayList<>();
        for (Map.Entry<String, List<MessageRow>> e : added.entrySet()) {
            String cid = e.getKey();
            if (fullCounts.contains(cid)) {
                continue;
            }
            long latest = e.getValue().stream()
                    .mapToLong(m -> micros(m.createdAt()))
                    .max()
                    .orElseThrow();
            increments.add(new SqlBuilder()
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
                increments.add(s);
            }
        }
        executeAll(c, increments);
        Set<String> memberCounts = new LinkedHashSet<>();
        b.channels().forEach(ch -> memberCounts.add(ch.cid()));
        b.members().forEach(m -> memberCounts.add(m.cid()));
        for (String cid : fullCounts) {
            recount(c, cid);
        }
        List<SqlBuilder> counts = new ArrayList<>();
        for (String cid : memberCounts) {
            if (!fullCounts.contains(cid)) {
                counts.add(new SqlBuilder()
                        .sql("UPDATE channels SET member_count = (SELECT count(*) FROM members WHERE cid = ")
                        .param(cid)
                        .sql(") WHERE cid = ")
                        .param(cid));
            }
        }
        for (MemberRow m : b.members()) {
            if (!fullCounts.contains(m.cid())) {
                counts.add(
                        unread(new SqlBuilder(), m.cid()).sql(" AND user_id = ").param(m.userId()));
            }
        }
        executeAll(c, counts);
    }

    /**
     * Runs statements whose order among themselves does not matter, one prepared statement per distinct text in
     * JDBC batches: one parse for many rows, and on PostgreSQL one round trip.
     */
    private static void executeAll(Connection c, List<SqlBuilder> statements) throws SQLException {
        Map<String, PreparedStatement> prepared = new LinkedHashMap<>();
        try {
            for (SqlBuilder s : statements) {
                String text = s.text();
                PreparedStatement ps = prepared.get(text);
                if (ps == null) {
                    ps = c.prepareStatement(text);
                    prepared.put(text, ps);
                }
                List<Object> params = s.params();
                for (int i = 0; i < params.size(); i++) {
                    SqlBuilder.bindValue(ps, i + 1, params.get(i));
                }
                ps.addBatch();
            }
            for (PreparedStatement ps : prepared.values()) {
                ps.executeBatch();
            }
        } finally {
            for (PreparedStatement ps : prepared.values()) {
                ps.close();
            }
        }
    }

    /** Rows a multi-row INSERT holds at most: within either database's limit on bind parameters. */
    static final int ROWS_PER_INSERT = 250;

    /** What {@link #insertAll} wrote: rows inserted or overwritten, and the returned column of each. */
    record Inserted(int count, List<String> returned) {}

    /**
     * Runs single-row inserts of one table ({@code INSERT ... VALUES (...) ON CONFLICT ...}), in order, as
     * multi-row inserts of up to {@link #ROWS_PER_INSERT} rows: one round trip and one parse for many rows. A key
     * already in the statement being built starts another, since PostgreSQL refuses to update one row twice in
     * one statement and the later row must win. With {@code returning}, that column of each written row is
     * returned.
     */
    static Inserted insertAll(
            Connection c, List<SqlBuilder> rows, List<String> keys, @org.jspecify.annotations.Nullable String returning)
            throws SQLException {
        int count = 0;
        List<String> returned = new ArrayList<>();
        String head = "";
        String tail = "";
        List<SqlBuilder> chunk = new ArrayList<>();
        Set<String> chunkKeys = new java.util.HashSet<>();
        for (int i = 0; i <= rows.size(); i++) {
            SqlBuilder row = i < rows.size() ? rows.get(i) : null;
            String text = row == null ? "" : row.text();
            int open = text.indexOf(" VALUES (");
            int close = text.lastIndexOf(") ON CONFLICT");
            if (row != null && (open < 0 || close < 0)) {
                throw new IllegalArgumentException("not a single-row insert with ON CONFLICT: " + text);
            }
            String h = row == null ? "" : text.substring(0, open + " VALUES ".length());
            String t = row == null ? "" : text.substring(close + 1);
            boolean flush = row == null
                    || chunk.size() >= ROWS_PER_INSERT
                    || !h.equals(head)
                    || !t.equals(tail)
                    || chunkKeys.contains(keys.get(i));
            if (flush && !chunk.isEmpty()) {
                SqlBuilder s = new SqlBuilder().sql(head);
                for (int k = 0; k < chunk.size(); k++) {
                    String one = chunk.get(k).text();
                    s.sql(k == 0 ? "" : ", ")
                            .sql(one.substring(
                                    one.indexOf(" VALUES (") + " VALUES ".length(),
                                    one.lastIndexOf(") ON CONFLICT") + 1));
                    chunk.get(k).params().forEach(s::bind);
                }
                s.sql(tail);
                if (returning == null) {
                    count += update(c, s);
                } else {
                    List<String> got = list(c, s.sql(" RETURNING " + returning), rs -> rs.getString(1));
                    count += got.size();
                    returned.addAll(got);
                }
                chunk.clear();
                chunkKeys.clear();
            }
            if (row != null) {
                head = h;
                tail = t;
                chunk.add(row);
                chunkKeys.add(keys.get(i));
            }
        }
        return new Inserted(count, returned);
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
        List<SqlBuilder> rows = new ArrayList<>();
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
            rows.add(s);
        }
        return insertAll(
                        c,
                        rows,
                        b.pushPreferences().stream()
                                .map(p -> p.userId() + "\n" + p.channelCid())
                                .toList(),
                        null)
                .count();
    }

    /** One author's replies in a thread: first and last reply time, and how many, deleted ones apart. */
    private record ReplyAuthor(String userId, long first, long last, int replies, int deleted) {}

    /** The reply authors of each of {@code parentIds} that has replies, by first reply then user id (§7.18). */
    private static Map<String, List<ReplyAuthor>> replyAuthors(Connection c, List<String> parentIds)
            throws SQLException {
        Map<String, List<ReplyAuthor>> out = new HashMap<>();
        SqlBuilder s = new SqlBuilder()
                .sql("SELECT parent_id, user_id, min(created_at), max(created_at), count(*), count(deleted_at) "
                        + "FROM messages WHERE parent_id IN (");
        in(s, parentIds).sql(") GROUP BY parent_id, user_id ORDER BY parent_id, min(created_at), user_id");
        forEach(
                c,
                s,
                rs -> out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new ReplyAuthor(
                                rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5), rs.getInt(6))));
        return out;
    }

    private static Map<String, MessageRow> messages(Connection c, List<String> ids) throws SQLException {
        Map<String, MessageRow> out = new LinkedHashMap<>();
        SqlBuilder q = new SqlBuilder().sql("SELECT " + JdbcChatStore.MESSAGE_COLUMNS + " FROM messages WHERE id IN (");
        list(c, in(q, ids).sql(")"), JdbcChatStore::message).forEach(m -> out.put(m.id(), m));
        return out;
    }

    /**
     * The threads of {@code parentIds} as their stored replies make them (§7.18): each one's row, the parent's
     * author and every reply's author as participants who have read it to its latest reply.
     */
    private static void threads(Connection c, List<String> parentIds) throws SQLException {
        Map<String, MessageRow> parents = messages(c, parentIds);
        Map<String, List<ReplyAuthor>> authors = replyAuthors(c, List.copyOf(parents.keySet()));
        List<SqlBuilder> threadRows = new ArrayList<>();
        List<String> threadKeys = new ArrayList<>();
        List<SqlBuilder> participantRows = new ArrayList<>();
        List<String> participantKeys = new ArrayList<>();
        for (MessageRow parent : parents.values()) {
            List<ReplyAuthor> replies = authors.get(parent.id());
            if (replies == null || replies.isEmpty()) {
                continue;
            }
            long at = replies.stream().mapToLong(ReplyAuthor::last).max().orElseThrow();
            long parentAt = micros(parent.createdAt());
            threadRows.add(new SqlBuilder()
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
            threadKeys.add(parent.id());
            Map<String, Long> joined = new LinkedHashMap<>();
            joined.put(parent.userId(), parentAt);
            replies.forEach(r -> joined.putIfAbsent(r.userId(), r.first()));
            for (Map.Entry<String, Long> e : joined.entrySet()) {
                participantRows.add(new SqlBuilder()
                        .sql("INSERT INTO thread_participants (parent_id, user_id, cid, created_at, "
                                + "last_thread_message_at, last_read, unread_messages) VALUES (")
                        .param(parent.id())
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
                participantKeys.add(parent.id() + "\n" + e.getKey());
            }
        }
        insertAll(c, threadRows, threadKeys, null);
        insertAll(c, participantRows, participantKeys, null);
    }

    /**
     * Rewrites the documents of messages from their stored reactions and replies, a chunk at a time: one query
     * each for the messages, their reaction totals, their newest reactions and their reply counts, then a
     * thread summary for each that has replies, and the updates in one JDBC batch.
     */
    private static void rederive(Connection c, List<String> ids, ImportBatch.Derive derive) throws SQLException {
        Map<String, MessageRow> messages = messages(c, ids);
        if (messages.isEmpty()) {
            return;
        }
        List<String> found = List.copyOf(messages.keySet());
        Map<String, List<ChatRows.ReactionGroup>> groups = new HashMap<>();
        SqlBuilder g = new SqlBuilder()
                .sql("SELECT message_id, type, count(*), sum(score), min(created_at), max(created_at) "
                        + "FROM reactions WHERE message_id IN (");
        in(g, found).sql(") GROUP BY message_id, type ORDER BY message_id, min(created_at), type");
        forEach(
                c,
                g,
                rs -> groups.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new ChatRows.ReactionGroup(
                                rs.getString(2),
                                rs.getInt(3),
                                rs.getInt(4),
                                dev.parley.protocol.Timestamps.fromMicros(rs.getLong(5)),
                                dev.parley.protocol.Timestamps.fromMicros(rs.getLong(6)))));
        Map<String, List<ReactionRow>> latest = new HashMap<>();
        SqlBuilder l = new SqlBuilder()
                .sql("SELECT message_id, user_id, type, score, created_at, doc FROM (SELECT message_id, user_id, "
                        + "type, score, created_at, doc, ROW_NUMBER() OVER (PARTITION BY message_id "
                        + "ORDER BY created_at DESC, user_id, type) AS n FROM reactions WHERE message_id IN (");
        in(l, found).sql(") ) newest WHERE n <= ").param(LATEST_REACTIONS).sql(" ORDER BY message_id, n");
        for (ReactionRow r : list(c, l, JdbcChatStore::reaction)) {
            latest.computeIfAbsent(r.messageId(), k -> new ArrayList<>()).add(r);
        }
        Map<String, ImportBatch.ThreadSummary> threads = threadSummaries(
                c, messages.values().stream().filter(m -> m.parentId() == null).toList());
        List<SqlBuilder> updates = new ArrayList<>();
        for (MessageRow m : messages.values()) {
            ReactionSummary reactions =
                    new ReactionSummary(groups.getOrDefault(m.id(), List.of()), latest.getOrDefault(m.id(), List.of()));
            ImportBatch.ThreadSummary thread = threads.getOrDefault(m.id(), ImportBatch.ThreadSummary.NONE);
            MessageRow next = derive.apply(m, reactions, thread);
            if (!next.id().equals(m.id())) {
                throw new IllegalArgumentException("derive: message " + next.id() + " (expected: " + m.id() + ")");
            }
            boolean docOnly = next.inChannel() == m.inChannel()
                    && next.updatedAt().equals(m.updatedAt())
                    && java.util.Objects.equals(next.deletedAt(), m.deletedAt())
                    && java.util.Objects.equals(next.pinnedAt(), m.pinnedAt());
            // the document alone, when nothing indexed changes: SQLite then leaves the indexes as they are
            updates.add(
                    docOnly
                            ? new SqlBuilder()
                                    .sql("UPDATE messages SET doc = ")
                                    .param(Json.write(next.doc()))
                                    .sql(" WHERE id = ")
                                    .param(next.id())
                            : JdbcChatStore.updateMessageSql(next));
        }
        executeAll(c, updates); // one row each, by id
    }

    /**
     * The thread summaries of the {@code parents} that have replies: replies and deleted replies, and the
     * participants (the parent's author, then each reply's author by first reply), at most
     * {@link ImportBatch.ThreadSummary#MAX_PARTICIPANTS}.
     */
    private static Map<String, ImportBatch.ThreadSummary> threadSummaries(Connection c, List<MessageRow> parents)
            throws SQLException {
        Map<String, ImportBatch.ThreadSummary> out = new HashMap<>();
        if (parents.isEmpty()) {
            return out;
        }
        Map<String, List<ReplyAuthor>> authors =
                replyAuthors(c, parents.stream().map(MessageRow::id).toList());
        Map<String, List<String>> ids = new HashMap<>();
        Set<String> everyone = new LinkedHashSet<>();
        for (MessageRow parent : parents) {
            List<ReplyAuthor> replies = authors.get(parent.id());
            if (replies == null || replies.isEmpty()) {
                continue;
            }
            List<String> first = new ArrayList<>();
            first.add(parent.userId());
            for (ReplyAuthor r : replies) {
                if (first.size() < ImportBatch.ThreadSummary.MAX_PARTICIPANTS && !first.contains(r.userId())) {
                    first.add(r.userId());
                }
            }
            ids.put(parent.id(), first);
            everyone.addAll(first);
        }
        Map<String, User> users = new HashMap<>();
        for (List<String> chunk : chunks(everyone)) {
            users.putAll(users(c, chunk));
        }
        for (Map.Entry<String, List<String>> e : ids.entrySet()) {
            List<ReplyAuthor> replies = authors.getOrDefault(e.getKey(), List.of());
            int all = replies.stream().mapToInt(ReplyAuthor::replies).sum();
            int deleted = replies.stream().mapToInt(ReplyAuthor::deleted).sum();
            out.put(
                    e.getKey(),
                    new ImportBatch.ThreadSummary(
                            all - deleted,
                            deleted,
                            e.getValue().stream()
                                    .map(users::get)
                                    .filter(u -> u != null)
                                    .toList()));
        }
        return out;
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
