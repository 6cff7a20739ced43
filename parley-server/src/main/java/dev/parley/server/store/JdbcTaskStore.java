package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.requiredInstant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link TaskStore} on JDBC, shared by SQLite and PostgreSQL (migration V23). */
final class JdbcTaskStore implements TaskStore {
    private static final String COLUMNS = "id, kind, status, params, result, error, attempts, created_at, updated_at";

    private final Jdbc jdbc;

    JdbcTaskStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void insert(Task t) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO tasks (" + COLUMNS + ") VALUES (")
                .param(t.id())
                .sql(", ")
                .param(t.kind())
                .sql(", ")
                .param(t.status())
                .sql(", ")
                .param(Json.write(t.params()))
                .sql(", ");
        Jdbc.nullable(b, json(t.result())).sql(", ");
        Jdbc.nullable(b, json(t.error()))
                .sql(", ")
                .param(t.attempts())
                .sql(", ")
                .param(micros(t.createdAt()))
                .sql(", ")
                .param(micros(t.updatedAt()))
                .sql(")");
        jdbc.write("insert task", c -> Jdbc.update(c, b));
    }

    @Override
    public Optional<Task> find(String id) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM tasks WHERE id = ")
                .param(id);
        return jdbc.read("find task", c -> list(c, b, JdbcTaskStore::task)).stream()
                .findFirst();
    }

    @Override
    public boolean finish(
            String id, String status, @Nullable ObjectNode result, @Nullable ObjectNode error, Instant at) {
        SqlBuilder b =
                new SqlBuilder().sql("UPDATE tasks SET status = ").param(status).sql(", result = ");
        Jdbc.nullable(b, json(result)).sql(", error = ");
        Jdbc.nullable(b, json(error))
                .sql(", updated_at = ")
                .param(micros(at))
                .sql(" WHERE id = ")
                .param(id)
                .sql(" AND status IN ('waiting', 'pending', 'running')");
        return jdbc.write("finish task", c -> Jdbc.update(c, b)) == 1;
    }

    @Override
    public boolean start(String id, Instant at) {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE tasks SET status = 'running', attempts = attempts + 1, updated_at = ")
                .param(micros(at))
                .sql(" WHERE id = ")
                .param(id)
                .sql(" AND status IN ('waiting', 'pending')");
        return jdbc.write("start task", c -> Jdbc.update(c, b)) == 1;
    }

    @Override
    public boolean touch(String id, Instant at) {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE tasks SET updated_at = ")
                .param(micros(at))
                .sql(" WHERE id = ")
                .param(id)
                .sql(" AND status = 'running'");
        return jdbc.write("touch task", c -> Jdbc.update(c, b)) == 1;
    }

    @Override
    public List<Task> stale(Instant before, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM tasks WHERE status IN ('waiting', 'pending', 'running')"
                        + " AND updated_at < ")
                .param(micros(before))
                .sql(" ORDER BY updated_at, id LIMIT ")
                .param(limit);
        return jdbc.read("stale tasks", c -> list(c, b, JdbcTaskStore::task));
    }

    @Override
    public boolean claim(Task seen, Instant at) {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE tasks SET status = 'running', attempts = attempts + 1, updated_at = ")
                .param(micros(at))
                .sql(" WHERE id = ")
                .param(seen.id())
                .sql(" AND status = ")
                .param(seen.status())
                .sql(" AND updated_at = ")
                .param(micros(seen.updatedAt()));
        return jdbc.write("claim task", c -> Jdbc.update(c, b)) == 1;
    }

    @Override
    public List<Task> finishedBefore(Instant before, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM tasks WHERE status IN ('completed', 'failed') AND updated_at < ")
                .param(micros(before))
                .sql(" ORDER BY updated_at, id LIMIT ")
                .param(limit);
        return jdbc.read("finished tasks", c -> list(c, b, JdbcTaskStore::task));
    }

    @Override
    public boolean delete(String id) {
        SqlBuilder b = new SqlBuilder().sql("DELETE FROM tasks WHERE id = ").param(id);
        return jdbc.write("delete task", c -> Jdbc.update(c, b)) == 1;
    }

    private static @Nullable String json(@Nullable ObjectNode n) {
        return n == null ? null : Json.write(n);
    }

    private static Task task(ResultSet rs) throws SQLException {
        String result = rs.getString(5);
        String error = rs.getString(6);
        return new Task(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                Json.parseObject(rs.getString(4), "stored task"),
                result == null ? null : Json.parseObject(result, "stored task"),
                error == null ? null : Json.parseObject(error, "stored task"),
                rs.getInt(7),
                requiredInstant(rs, 8),
                requiredInstant(rs, 9));
    }
}
