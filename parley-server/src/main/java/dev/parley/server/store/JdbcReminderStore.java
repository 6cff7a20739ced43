package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.requiredInstant;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.PersonalQuerySql.Column;
import dev.parley.server.store.PersonalQuerySql.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link ReminderStore} on JDBC, shared by SQLite and PostgreSQL (migrations V15 and V22). */
final class JdbcReminderStore implements ReminderStore {
    private static final String COLUMNS = "user_id, message_id, cid, remind_at, created_at, updated_at";
    private static final PersonalQuerySql QUERY = new PersonalQuerySql(
            "reminders",
            Map.of(
                    "channel_cid", new Column("cid", Kind.TEXT),
                    "message_id", new Column("message_id", Kind.TEXT),
                    "user_id", new Column("user_id", Kind.TEXT),
                    "remind_at", new Column("remind_at", Kind.TIME_NULLABLE),
                    "created_at", new Column("created_at", Kind.TIME)),
            Map.of(
                    "channel_cid", new Column("cid", Kind.TEXT),
                    "remind_at", new Column("remind_at", Kind.TIME_NULLABLE),
                    "created_at", new Column("created_at", Kind.TIME),
                    "updated_at", new Column("updated_at", Kind.TIME)),
            "message_id ASC");

    private final Jdbc jdbc;

    JdbcReminderStore(
            String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public boolean insert(Reminder r) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO reminders (" + COLUMNS + ") VALUES (")
                .param(r.userId())
                .sql(", ")
                .param(r.messageId())
                .sql(", ")
                .param(r.cid())
                .sql(", ");
        nullableTime(b, r.remindAt())
                .sql(", ")
                .param(micros(r.createdAt()))
                .sql(", ")
                .param(micros(r.updatedAt()))
                .sql(") ON CONFLICT (user_id, message_id) DO NOTHING");
        return jdbc.write("insert reminder", c -> Jdbc.update(c, b)) > 0;
    }

    @Override
    public boolean update(Reminder r) {
        SqlBuilder b = new SqlBuilder().sql("UPDATE reminders SET remind_at = ");
        nullableTime(b, r.remindAt())
                .sql(", updated_at = ")
                .param(micros(r.updatedAt()))
                .sql(", notified_at = NULL WHERE user_id = ")
                .param(r.userId())
                .sql(" AND message_id = ")
                .param(r.messageId());
        return jdbc.write("update reminder", c -> Jdbc.update(c, b)) > 0;
    }

    @Override
    public Optional<Reminder> find(String userId, String messageId) {
        return Optional.ofNullable(ofMessages(userId, List.of(messageId)).get(messageId));
    }

    @Override
    public Map<String, Reminder> ofMessages(String userId, Collection<String> messageIds) {
        Map<String, Reminder> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(messageIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + COLUMNS + " FROM reminders WHERE user_id = ")
                    .param(userId)
                    .sql(" AND message_id IN (");
            in(b, chunk).sql(")");
            jdbc.read("find reminders", c -> list(c, b, JdbcReminderStore::reminder))
                    .forEach(r -> out.put(r.messageId(), r));
        }
        return out;
    }

    @Override
    public boolean delete(String userId, String messageId) {
        return jdbc.write(
                        "delete reminder",
                        c -> Jdbc.update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM reminders WHERE user_id = ")
                                        .param(userId)
                                        .sql(" AND message_id = ")
                                        .param(messageId)))
                > 0;
    }

    @Override
    public List<Reminder> query(PersonalQuery q) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM reminders WHERE user_id = ")
                .param(q.userId());
        QUERY.where(b, q.filter());
        QUERY.orderBy(b, q.sort(), "created_at ASC");
        b.sql(" LIMIT ").param(q.limit()).sql(" OFFSET ").param(q.offset());
        return jdbc.read("query reminders", c -> list(c, b, JdbcReminderStore::reminder));
    }

    @Override
    public List<Reminder> due(Instant now, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM reminders WHERE notified_at IS NULL AND remind_at <= ")
                .param(micros(now))
                .sql(" ORDER BY remind_at, user_id, message_id LIMIT ")
                .param(limit);
        return jdbc.read("due reminders", c -> list(c, b, JdbcReminderStore::reminder));
    }

    @Override
    public boolean claim(String userId, String messageId, Instant remindAt, Instant now) {
        return jdbc.write(
                        "claim reminder",
                        c -> Jdbc.update(
                                c,
                                new SqlBuilder()
                                        .sql("UPDATE reminders SET notified_at = ")
                                        .param(micros(now))
                                        .sql(" WHERE user_id = ")
                                        .param(userId)
                                        .sql(" AND message_id = ")
                                        .param(messageId)
                                        .sql(" AND remind_at = ")
                                        .param(micros(remindAt))
                                        .sql(" AND notified_at IS NULL")))
                == 1;
    }

    @Override
    public List<UnreadDue> unreadDue(Collection<String> types, int maxMembers, Instant sentBefore, int limit) {
        if (types.isEmpty()) {
            return List.of();
        }
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT m.cid, m.user_id, c.last_message_at, m.last_read, r.reminded_through"
                        + " FROM members m JOIN channels c ON c.cid = m.cid"
                        + " LEFT JOIN unread_reminders r ON r.cid = m.cid AND r.user_id = m.user_id"
                        + " WHERE c.type IN (");
        in(b, List.copyOf(types))
                .sql(") AND c.member_count <= ")
                .param(maxMembers)
                .sql(" AND m.unread_messages > 0 AND c.last_message_at > COALESCE(r.reminded_through, 0)"
                        + " AND EXISTS (SELECT 1 FROM messages x WHERE x.cid = m.cid AND x.in_channel = 1"
                        + " AND x.deleted_at IS NULL AND x.user_id <> m.user_id"
                        + " AND x.created_at > COALESCE(m.last_read, 0)"
                        + " AND x.created_at > COALESCE(r.reminded_through, 0)"
                        + " AND x.created_at > COALESCE(c.truncated_at, 0)"
                        + " AND x.created_at <= ")
                .param(micros(sentBefore))
                .sql(") ORDER BY m.cid, m.user_id LIMIT ")
                .param(limit);
        return jdbc.read(
                "unread reminders due",
                c -> list(
                        c,
                        b,
                        rs -> new UnreadDue(
                                rs.getString(1),
                                rs.getString(2),
                                requiredInstant(rs, 3),
                                instant(rs, 4),
                                instant(rs, 5))));
    }

    @Override
    public boolean claimUnread(UnreadDue due, Instant through) {
        SqlBuilder b;
        if (due.remindedThrough() == null) {
            b = new SqlBuilder()
                    .sql("INSERT INTO unread_reminders (cid, user_id, reminded_through) VALUES (")
                    .param(due.cid())
                    .sql(", ")
                    .param(due.userId())
                    .sql(", ")
                    .param(micros(through))
                    .sql(") ON CONFLICT (cid, user_id) DO NOTHING");
        } else {
            b = new SqlBuilder()
                    .sql("UPDATE unread_reminders SET reminded_through = ")
                    .param(micros(through))
                    .sql(" WHERE cid = ")
                    .param(due.cid())
                    .sql(" AND user_id = ")
                    .param(due.userId())
                    .sql(" AND reminded_through = ")
                    .param(micros(due.remindedThrough()));
        }
        return jdbc.write("claim unread reminder", c -> Jdbc.update(c, b)) == 1;
    }

    private static Reminder reminder(ResultSet rs) throws SQLException {
        return new Reminder(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                instant(rs, 4),
                requiredInstant(rs, 5),
                requiredInstant(rs, 6));
    }
}
