package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link ExportStore} on JDBC, shared by SQLite and PostgreSQL: keyset pages over the chat tables. */
final class JdbcExportStore implements ExportStore {
    /** The channel columns in the order {@link JdbcChatStore#channel} reads them. */
    private static final String CHANNEL_COLUMNS = "cid, type, id, created_by_id, team, created_at, updated_at, "
            + "last_message_at, truncated_at, truncated_by_id, frozen, disabled, cooldown, member_count, "
            + "message_count, custom";

    private final Jdbc jdbc;

    JdbcExportStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public Optional<ChannelRow> channel(String cid, boolean orDeleted) {
        for (String table : orDeleted ? List.of("channels", "channels_deleted") : List.of("channels")) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + CHANNEL_COLUMNS + " FROM " + table + " WHERE cid = ")
                    .param(cid);
            List<ChannelRow> found = jdbc.read("export channel", c -> list(c, b, JdbcChatStore::channel));
            if (!found.isEmpty()) {
                return Optional.of(found.getFirst());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<MemberRow> members(String cid, @Nullable String afterUserId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + JdbcChatStore.MEMBER_COLUMNS + " FROM members WHERE cid = ")
                .param(cid);
        if (afterUserId != null) {
            b.sql(" AND user_id > ").param(afterUserId);
        }
        b.sql(" ORDER BY user_id LIMIT ").param(limit);
        return jdbc.read("export members", c -> list(c, b, JdbcChatStore::member));
    }

    /**
     * Two keyset reads, one of the messages shown in the channel and one of the replies only in threads, merged: each
     * follows the index on (cid, in_channel, created_at, id), so that a page costs its own rows whatever the channel's
     * size, where one read over both would sort the rest of the channel for every page.
     */
    @Override
    public List<MessageRow> messages(MessageWindow w, @Nullable Cursor after, int limit) {
        List<MessageRow> merged = new java.util.ArrayList<>(messages(w, true, after, limit));
        merged.addAll(messages(w, false, after, limit));
        merged.sort(java.util.Comparator.comparing(MessageRow::createdAt).thenComparing(MessageRow::id));
        return merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged;
    }

    private List<MessageRow> messages(MessageWindow w, boolean inChannel, @Nullable Cursor after, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + JdbcChatStore.MESSAGE_COLUMNS + " FROM messages m WHERE m.cid = ")
                .param(w.cid())
                .sql(inChannel ? " AND m.in_channel = 1" : " AND m.in_channel = 0")
                // the page's start as a plain bound too: the index range starts there, not at the window's start
                .sql(" AND m.created_at >= ")
                .param(micros(after != null && after.at().isAfter(w.since()) ? after.at() : w.since()))
                .sql(" AND m.created_at <= ")
                .param(micros(w.until()))
                .sql(" AND (m.parent_id IS NULL OR EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id"
                        + " AND p.cid = m.cid AND p.created_at >= ")
                .param(micros(w.since()))
                .sql(" AND p.created_at <= ")
                .param(micros(w.until()))
                .sql("))");
        if (after != null) {
            b.sql(" AND (m.created_at, m.id) > (")
                    .param(micros(after.at()))
                    .sql(", ")
                    .param(after.id())
                    .sql(")");
        }
        b.sql(" ORDER BY m.created_at, m.id LIMIT ").param(limit);
        return jdbc.read("export messages", c -> list(c, b, JdbcChatStore::message));
    }

    @Override
    public List<ReactionRow> reactions(Collection<String> messageIds, @Nullable ReactionKey after, int limit) {
        if (messageIds.isEmpty()) {
            return List.of();
        }
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT message_id, user_id, type, score, created_at, doc FROM reactions WHERE message_id IN (");
        in(b, List.copyOf(messageIds)).sql(")");
        if (after != null) {
            b.sql(" AND (message_id, user_id, type) > (")
                    .param(after.messageId())
                    .sql(", ")
                    .param(after.userId())
                    .sql(", ")
                    .param(after.type())
                    .sql(")");
        }
        b.sql(" ORDER BY message_id, user_id, type LIMIT ").param(limit);
        return jdbc.read("export reactions", c -> list(c, b, JdbcChatStore::reaction));
    }
}
