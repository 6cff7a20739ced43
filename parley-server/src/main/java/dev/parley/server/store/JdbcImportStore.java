package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.requiredInstant;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link ImportStore} on JDBC, shared by SQLite and PostgreSQL (migration V24). */
final class JdbcImportStore implements ImportStore {
    private static final String COLUMNS =
            "id, path, file_name, mode, state, size, node, created_at, updated_at, history, result";

    private final Jdbc jdbc;

    JdbcImportStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void insert(ImportRow r) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO import_tasks (" + COLUMNS + ") VALUES (")
                .param(r.id())
                .sql(", ")
                .param(r.path())
                .sql(", ")
                .param(r.fileName())
                .sql(", ")
                .param(r.mode())
                .sql(", ")
                .param(r.state())
                .sql(", ");
        nullable(b, r.size()).sql(", ");
        nullable(b, r.node())
                .sql(", ")
                .param(micros(r.createdAt()))
                .sql(", ")
                .param(micros(r.updatedAt()))
                .sql(", ")
                .param(r.history())
                .sql(", ");
        nullable(b, r.result()).sql(")");
        jdbc.execute("insert import", c -> Jdbc.update(c, b));
    }

    @Override
    public Optional<ImportRow> find(String id) {
        return one("find import", "id", id);
    }

    @Override
    public Optional<ImportRow> findByPath(String path) {
        return one("find import by path", "path", path);
    }

    private Optional<ImportRow> one(String what, String column, String value) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM import_tasks WHERE " + column + " = ")
                .param(value);
        return jdbc.read(what, c -> Jdbc.list(c, b, JdbcImportStore::row)).stream()
                .findFirst();
    }

    @Override
    public boolean replace(ImportRow r, String expectedState) {
        SqlBuilder b = new SqlBuilder()
                .sql("UPDATE import_tasks SET mode = ")
                .param(r.mode())
                .sql(", state = ")
                .param(r.state())
                .sql(", size = ");
        nullable(b, r.size()).sql(", node = ");
        nullable(b, r.node())
                .sql(", updated_at = ")
                .param(micros(r.updatedAt()))
                .sql(", history = ")
                .param(r.history())
                .sql(", result = ");
        nullable(b, r.result())
                .sql(" WHERE id = ")
                .param(r.id())
                .sql(" AND state = ")
                .param(expectedState);
        return jdbc.write("change import", c -> Jdbc.update(c, b)) == 1;
    }

    @Override
    public List<ImportRow> list(Collection<String> states, int limit, int offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + COLUMNS + " FROM import_tasks WHERE state IN (");
        in(b, List.copyOf(states))
                .sql(") ORDER BY created_at DESC, id DESC LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("list imports", c -> Jdbc.list(c, b, JdbcImportStore::row));
    }

    @Override
    public List<ImportRow> ofNode(String node, Collection<String> states, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM import_tasks WHERE node = ")
                .param(node)
                .sql(" AND state IN (");
        in(b, List.copyOf(states)).sql(") ORDER BY created_at, id LIMIT ").param(limit);
        return jdbc.read("imports of a node", c -> Jdbc.list(c, b, JdbcImportStore::row));
    }

    @Override
    public List<String> deleteOlder(Collection<String> states, Instant before, int limit) {
        SqlBuilder select = new SqlBuilder().sql("SELECT id FROM import_tasks WHERE state IN (");
        in(select, List.copyOf(states))
                .sql(") AND updated_at < ")
                .param(micros(before))
                .sql(" ORDER BY updated_at LIMIT ")
                .param(limit);
        return jdbc.write("delete old imports", c -> {
            List<String> ids = Jdbc.list(c, select, rs -> rs.getString(1));
            List<String> deleted = new ArrayList<>();
            for (String id : ids) {
                SqlBuilder d = new SqlBuilder()
                        .sql("DELETE FROM import_tasks WHERE id = ")
                        .param(id);
                if (Jdbc.update(c, d) == 1) {
                    deleted.add(id);
                }
            }
            return deleted;
        });
    }

    private static ImportRow row(ResultSet rs) throws SQLException {
        long size = rs.getLong(6);
        Long sizeOrNull = rs.wasNull() ? null : size;
        Instant created = requiredInstant(rs, 8);
        Instant updated = requiredInstant(rs, 9);
        return new ImportRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                sizeOrNull,
                rs.getString(7),
                created,
                updated,
                rs.getString(10),
                rs.getString(11));
    }
}
