package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link HookStore} on JDBC, shared by SQLite and PostgreSQL (table {@code hook_outbox}, migration V9).
 * Thread-safe.
 */
final class JdbcHookStore implements HookStore {
    private static final String COLUMNS = "id, hook_id, order_key, event_type, payload, created_at, attempts, "
            + "next_attempt_at, last_error, dead, request_info";

    /** Most ids in one statement. */
    private static final int IDS_PER_STATEMENT = 500;

    private final Jdbc jdbc;

    JdbcHookStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void enqueue(List<NewDelivery> deliveries) {
        if (!deliveries.isEmpty()) {
            jdbc.execute("enqueue hook deliveries", c -> insert(c, deliveries));
        }
    }

    /** Writes deliveries in the caller's transaction; each must carry its payload. */
    static void insert(Connection c, List<NewDelivery> deliveries) throws SQLException {
        for (NewDelivery d : deliveries) {
            String payload = d.payload();
            if (payload == null) {
                throw new IllegalArgumentException("hook delivery without a payload: " + d.eventType());
            }
            long at = micros(d.at());
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO hook_outbox (hook_id, order_key, event_type, payload, created_at, "
                            + "next_attempt_at, request_info) VALUES (")
                    .param(d.hookId())
                    .sql(", ")
                    .param(d.orderKey())
                    .sql(", ")
                    .param(d.eventType())
                    .sql(", ")
                    .param(payload)
                    .sql(", ")
                    .param(at)
                    .sql(", ")
                    .param(at)
                    .sql(", ");
            Jdbc.nullable(b, d.requestInfo()).sql(") RETURNING id");
            long id = list(c, b, rs -> rs.getLong(1)).getFirst();
            d.written().set(id, HookStore.withField(payload, "request_info", d.requestInfo()));
        }
    }

    @Override
    public List<Delivery> pending(int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS.replace("payload", "''")
                        + " FROM hook_outbox WHERE dead = 0 ORDER BY id LIMIT ")
                .param(limit);
        return jdbc.read("read hook outbox", c -> list(c, b, JdbcHookStore::row));
    }

    @Override
    public java.util.Map<Long, String> payloads(Collection<Long> ids) {
        java.util.Map<Long, String> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.read("read hook payloads", c -> {
            for (List<Long> chunk : chunks(ids)) {
                Jdbc.forEach(
                        c,
                        inIds(
                                new SqlBuilder().sql("SELECT id, payload, request_info FROM hook_outbox WHERE id IN ("),
                                chunk),
                        rs -> out.put(
                                rs.getLong(1), HookStore.withField(rs.getString(2), "request_info", rs.getString(3))));
            }
            return out;
        });
        return out;
    }

    @Override
    public void delivered(Collection<Long> ids) {
        if (!ids.isEmpty()) {
            jdbc.execute("delete delivered hook rows", c -> {
                for (List<Long> chunk : chunks(ids)) {
                    update(c, inIds(new SqlBuilder().sql("DELETE FROM hook_outbox WHERE id IN ("), chunk));
                }
            });
        }
    }

    @Override
    public void failed(long id, int attempts, Instant next, String error, boolean dead) {
        jdbc.execute(
                "record a failed hook delivery",
                c -> update(
                        c,
                        new SqlBuilder()
                                .sql("UPDATE hook_outbox SET attempts = ")
                                .param(attempts)
                                .sql(", next_attempt_at = ")
                                .param(micros(next))
                                .sql(", last_error = ")
                                .param(error)
                                .sql(", dead = ")
                                .param(dead ? 1 : 0)
                                .sql(" WHERE id = ")
                                .param(id)));
    }

    @Override
    public List<Delivery> deadLetters(long afterId, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM hook_outbox WHERE dead = 1 AND id > ")
                .param(afterId)
                .sql(" ORDER BY id LIMIT ")
                .param(limit);
        return jdbc.read("read hook dead letters", c -> list(c, b, JdbcHookStore::row));
    }

    @Override
    public int retryDead(@Nullable Collection<Long> ids, Instant now) {
        return deadWhere(
                "retry hook dead letters",
                () -> new SqlBuilder()
                        .sql("UPDATE hook_outbox SET dead = 0, attempts = 0, next_attempt_at = ")
                        .param(micros(now))
                        .sql(" WHERE dead = 1"),
                ids);
    }

    @Override
    public int discardDead(@Nullable Collection<Long> ids) {
        return deadWhere(
                "discard hook dead letters", () -> new SqlBuilder().sql("DELETE FROM hook_outbox WHERE dead = 1"), ids);
    }

    /** Runs the statement {@code head} makes (which ends in its WHERE clause) on every dead letter, or on those of ids. */
    private int deadWhere(String what, java.util.function.Supplier<SqlBuilder> head, @Nullable Collection<Long> ids) {
        return jdbc.write(what, c -> {
            if (ids == null) {
                return update(c, head.get());
            }
            int n = 0;
            for (List<Long> chunk : chunks(ids)) {
                n += update(c, inIds(head.get().sql(" AND id IN ("), chunk));
            }
            return n;
        });
    }

    @Override
    public Counts counts() {
        return jdbc.read(
                "count hook outbox",
                c -> list(
                                c,
                                new SqlBuilder()
                                        .sql("SELECT (SELECT count(*) FROM hook_outbox WHERE dead = 0), "
                                                + "(SELECT count(*) FROM hook_outbox WHERE dead = 1), "
                                                + "(SELECT min(created_at) FROM hook_outbox WHERE dead = 0)"),
                                rs -> new Counts(rs.getLong(1), rs.getLong(2), instant(rs, 3)))
                        .getFirst());
    }

    private static Delivery row(java.sql.ResultSet rs) throws SQLException {
        return new Delivery(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5).isEmpty() ? "" : HookStore.withField(rs.getString(5), "request_info", rs.getString(11)),
                requiredInstant(rs, 6),
                rs.getInt(7),
                requiredInstant(rs, 8),
                rs.getString(9),
                rs.getInt(10) != 0);
    }

    private static SqlBuilder inIds(SqlBuilder b, List<Long> ids) {
        for (int i = 0; i < ids.size(); i++) {
            b.sql(i == 0 ? "" : ", ").param(ids.get(i));
        }
        return b.sql(")");
    }

    private static List<List<Long>> chunks(Collection<Long> ids) {
        List<Long> all = List.copyOf(ids);
        List<List<Long>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
            out.add(all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)));
        }
        return out;
    }
}
