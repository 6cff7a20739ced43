package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The {@link PushStore} on JDBC, shared by SQLite and PostgreSQL (migration V10 and the devices of V6). */
final class JdbcPushStore implements PushStore {
    private final Jdbc jdbc;

    JdbcPushStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void upsertPreferences(List<Preference> preferences, Instant now) {
        if (preferences.isEmpty()) {
            return;
        }
        jdbc.execute("upsert push preferences", c -> {
            for (Preference p : preferences) {
                SqlBuilder b = new SqlBuilder()
                        .sql("INSERT INTO push_preferences (user_id, channel_cid, chat_level, call_level, "
                                + "disabled_until, updated_at) VALUES (")
                        .param(p.userId())
                        .sql(", ")
                        .param(p.channelCid())
                        .sql(", ");
                nullable(b, p.chatLevel()).sql(", ");
                nullable(b, p.callLevel()).sql(", ");
                nullableTime(b, p.disabledUntil())
                        .sql(", ")
                        .param(micros(now))
                        .sql(") ON CONFLICT (user_id, channel_cid) DO UPDATE SET chat_level = excluded.chat_level, "
                                + "call_level = excluded.call_level, disabled_until = excluded.disabled_until, "
                                + "updated_at = excluded.updated_at");
                update(c, b);
            }
        });
    }

    @Override
    public List<Preference> preferences(Collection<String> userIds, @Nullable String channelCid) {
        List<Preference> out = new ArrayList<>();
        for (List<String> chunk : chunks(userIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT user_id, channel_cid, chat_level, call_level, disabled_until FROM push_preferences "
                            + "WHERE user_id IN (");
            in(b, chunk)
                    .sql(") AND channel_cid IN ('', ")
                    .param(channelCid == null ? "" : channelCid)
                    .sql(")");
            out.addAll(jdbc.read(
                    "read push preferences",
                    c -> list(
                            c,
                            b,
                            rs -> new Preference(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    instant(rs, 5)))));
        }
        return out;
    }

    @Override
    public Map<String, List<ChatRows.DeviceRow>> devices(Collection<String> userIds) {
        Map<String, List<ChatRows.DeviceRow>> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(userIds)) {
            SqlBuilder b =
                    new SqlBuilder().sql("SELECT " + JdbcChatStore.DEVICE_COLUMNS + " FROM devices WHERE user_id IN (");
            in(b, chunk).sql(") ORDER BY user_id, created_at, id");
            jdbc.read("read devices", c -> list(c, b, JdbcChatStore::device))
                    .forEach(d -> out.computeIfAbsent(d.userId(), k -> new ArrayList<>())
                            .add(d));
        }
        return out;
    }

    @Override
    public boolean deleteDevice(String deviceId) {
        return jdbc.write(
                        "delete invalid device",
                        c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM devices WHERE id = ")
                                        .param(deviceId)))
                > 0;
    }
}
