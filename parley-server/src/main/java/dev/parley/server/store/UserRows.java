package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The mapping between {@link User} and a row of the {@code users} table, shared by both stores. */
final class UserRows {
    /** The columns read back into a user, in the order {@link #read} expects. */
    static final String COLUMNS = "users.id, users.role, users.teams, users.created_at, users.updated_at, "
            + "users.last_active, users.online, users.invisible, users.banned, users.ban_expires, "
            + "users.shadow_banned, users.deactivated_at, users.deleted_at, users.revoke_tokens_issued_before, "
            + "users.custom";

    private static final List<String> WRITTEN = List.of(
            "id",
            "role",
            "teams",
            "name_lower",
            "created_at",
            "updated_at",
            "last_active",
            "online",
            "invisible",
            "banned",
            "ban_expires",
            "shadow_banned",
            "deactivated_at",
            "deleted_at",
            "revoke_tokens_issued_before",
            "custom");

    private UserRows() {}

    /** An insert that replaces every column of an existing row with the same id. */
    static String upsertSql(SqlDialect dialect) {
        List<String> values = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        for (String column : WRITTEN) {
            values.add(column.equals("teams") || column.equals("custom") ? dialect.jsonParam() : "?");
            if (!column.equals("id")) {
                updates.add(column + " = excluded." + column);
            }
        }
        return "INSERT INTO users (" + String.join(", ", WRITTEN) + ") VALUES (" + String.join(", ", values)
                + ") ON CONFLICT (id) DO UPDATE SET " + String.join(", ", updates);
    }

    /** Binds {@code u} to the parameters of {@link #upsertSql}. */
    static void bindUpsert(PreparedStatement ps, User u) throws SQLException {
        int i = 0;
        ps.setString(++i, u.id());
        ps.setString(++i, u.role());
        ps.setString(++i, Json.write(u.teams()));
        setNullableString(ps, ++i, nameLower(u));
        setTime(ps, ++i, u.createdAt());
        setTime(ps, ++i, u.updatedAt());
        setTime(ps, ++i, u.lastActive());
        ps.setBoolean(++i, u.online());
        ps.setBoolean(++i, u.invisible());
        ps.setBoolean(++i, u.banned());
        setTime(ps, ++i, u.banExpires());
        ps.setBoolean(++i, u.shadowBanned());
        setTime(ps, ++i, u.deactivatedAt());
        setTime(ps, ++i, u.deletedAt());
        setTime(ps, ++i, u.revokeTokensIssuedBefore());
        ps.setString(++i, Json.write(u.custom()));
    }

    /** Reads the user at the cursor of a result set selected with {@link #COLUMNS}. */
    static User read(ResultSet rs) throws SQLException {
        return User.builder(rs.getString(1))
                .role(rs.getString(2))
                .teams(teams(rs.getString(3)))
                .createdAt(time(rs, 4))
                .updatedAt(time(rs, 5))
                .lastActive(time(rs, 6))
                .online(rs.getBoolean(7))
                .invisible(rs.getBoolean(8))
                .banned(rs.getBoolean(9))
                .banExpires(time(rs, 10))
                .shadowBanned(rs.getBoolean(11))
                .deactivatedAt(time(rs, 12))
                .deletedAt(time(rs, 13))
                .revokeTokensIssuedBefore(time(rs, 14))
                .custom(custom(rs.getString(15)))
                .build();
    }

    /** The lower-cased name kept for sorting and autocomplete, or null when the name is not a string. */
    static @Nullable String nameLower(User u) {
        JsonNode name = u.custom().get("name");
        return name != null && name.isTextual() ? name.asText().toLowerCase(Locale.ROOT) : null;
    }

    private static List<String> teams(String json) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : Json.parse(json, "stored teams")) {
            out.add(t.asText());
        }
        return out;
    }

    private static Map<String, JsonNode> custom(String json) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e :
                Json.parse(json, "stored custom data").properties()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static @Nullable Instant time(ResultSet rs, int column) throws SQLException {
        long micros = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMicros(micros);
    }

    private static void setTime(PreparedStatement ps, int index, @Nullable Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, Timestamps.toMicros(t));
        }
    }

    private static void setNullableString(PreparedStatement ps, int index, @Nullable String s) throws SQLException {
        if (s == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, s);
        }
    }
}
