package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link LocationStore} on JDBC, shared by SQLite and PostgreSQL (migration V15). */
final class JdbcLocationStore implements LocationStore {
    private static final String COLUMNS =
            "message_id, cid, user_id, device_id, latitude, longitude, end_at, created_at, updated_at";

    private final Jdbc jdbc;

    JdbcLocationStore(
            String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void upsert(Location l) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO shared_locations (" + COLUMNS + ") VALUES (")
                .param(l.messageId())
                .sql(", ")
                .param(l.cid())
                .sql(", ")
                .param(l.userId())
                .sql(", ")
                .param(l.deviceId())
                .sql(", ")
                .param(l.latitude())
                .sql(", ")
                .param(l.longitude())
                .sql(", ");
        nullableTime(b, l.endAt())
                .sql(", ")
                .param(micros(l.createdAt()))
                .sql(", ")
                .param(micros(l.updatedAt()))
                .sql(") ON CONFLICT (message_id) DO UPDATE SET device_id = excluded.device_id, "
                        + "latitude = excluded.latitude, longitude = excluded.longitude, end_at = excluded.end_at, "
                        + "updated_at = excluded.updated_at");
        jdbc.execute("upsert shared location", c -> update(c, b));
    }

    @Override
    public Optional<Location> find(String messageId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM shared_locations WHERE message_id = ")
                .param(messageId);
        return jdbc.read("find shared location", c -> list(c, b, JdbcLocationStore::location)).stream()
                .findFirst();
    }

    @Override
    public List<Location> live(String userId, Instant now, int limit) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM shared_locations WHERE user_id = ")
                .param(userId)
                .sql(" AND end_at > ")
                .param(micros(now))
                .sql(" ORDER BY created_at, message_id LIMIT ")
                .param(limit);
        return jdbc.read("live locations", c -> list(c, b, JdbcLocationStore::location));
    }

    @Override
    public boolean delete(String messageId) {
        return jdbc.write(
                        "delete shared location",
                        c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM shared_locations WHERE message_id = ")
                                        .param(messageId)))
                > 0;
    }

    private static Location location(ResultSet rs) throws SQLException {
        return new Location(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getDouble(5),
                rs.getDouble(6),
                instant(rs, 7),
                requiredInstant(rs, 8),
                requiredInstant(rs, 9));
    }
}
