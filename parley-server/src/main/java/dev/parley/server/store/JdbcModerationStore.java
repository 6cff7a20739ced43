package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ModerationStore} on JDBC, shared by SQLite and PostgreSQL: plain SQL both understand
 * ({@code ON CONFLICT}), timestamps as epoch microseconds, booleans as 0/1. Reads go to the read pool,
 * writes to the write pool, each in one transaction. Thread-safe.
 */
final class JdbcModerationStore implements ModerationStore {
    private final Jdbc jdbc;

    JdbcModerationStore(
            String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    // ---- mutes

    @Override
    public void upsertUserMutes(List<UserMute> mutes) {
        jdbc.execute("mute users", c -> {
            for (UserMute m : mutes) {
                SqlBuilder b = new SqlBuilder()
                        .sql("INSERT INTO user_mutes (user_id, target_id, created_at, updated_at, "
                                + "expires) VALUES (")
                        .param(m.userId())
                        .sql(", ")
                        .param(m.targetId())
                        .sql(", ")
                        .param(micros(m.createdAt()))
                        .sql(", ")
                        .param(micros(m.updatedAt()))
                        .sql(", ");
                nullableTime(b, m.expires())
                        .sql(") ON CONFLICT (user_id, target_id) DO UPDATE SET "
                                + "updated_at = excluded.updated_at, expires = excluded.expires");
                update(c, b);
            }
        });
    }

    @Override
    public int deleteUserMutes(String userId, Collection<String> targetIds) {
        return deleteIn("user_mutes", "target_id", userId, targetIds);
    }

    @Override
    public List<UserMute> userMutes(String userId, Instant activeAt) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT user_id, target_id, created_at, updated_at, expires FROM user_mutes " + "WHERE user_id = ")
                .param(userId);
        active(b, activeAt).sql(" ORDER BY created_at, target_id");
        return jdbc.read(
                "list user mutes",
                c -> list(
                        c,
                        b,
                        rs -> new UserMute(
                                rs.getString(1),
                                rs.getString(2),
                                requiredInstant(rs, 3),
                                requiredInstant(rs, 4),
                                instant(rs, 5))));
    }

    @Override
    public void upsertChannelMutes(List<ChannelMute> mutes) {
        jdbc.execute("mute channels", c -> {
            for (ChannelMute m : mutes) {
                SqlBuilder b = new SqlBuilder()
                        .sql("INSERT INTO channel_mutes (user_id, cid, created_at, updated_at, " + "expires) VALUES (")
                        .param(m.userId())
                        .sql(", ")
                        .param(m.cid())
                        .sql(", ")
                        .param(micros(m.createdAt()))
                        .sql(", ")
                        .param(micros(m.updatedAt()))
                        .sql(", ");
                nullableTime(b, m.expires())
                        .sql(") ON CONFLICT (user_id, cid) DO UPDATE SET "
                                + "updated_at = excluded.updated_at, expires = excluded.expires");
                update(c, b);
            }
        });
    }

    @Override
    public int deleteChannelMutes(String userId, Collection<String> cids) {
        return deleteIn("channel_mutes", "cid", userId, cids);
    }

    @Override
    public List<ChannelMute> channelMutes(String userId, Instant activeAt) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT user_id, cid, created_at, updated_at, expires FROM channel_mutes " + "WHERE user_id = ")
                .param(userId);
        active(b, activeAt).sql(" ORDER BY created_at, cid");
        return jdbc.read(
                "list channel mutes",
                c -> list(
                        c,
                        b,
                        rs -> new ChannelMute(
                                rs.getString(1),
                                rs.getString(2),
                                requiredInstant(rs, 3),
                                requiredInstant(rs, 4),
                                instant(rs, 5))));
    }

    private int deleteIn(String table, String column, String userId, Collection<String> values) {
        if (values.isEmpty()) {
            return 0;
        }
        return jdbc.write("delete from " + table, c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("DELETE FROM " + table + " WHERE user_id = ")
                    .param(userId)
                    .sql(" AND " + column + " IN (");
            int i = 0;
            for (String v : values) {
                b.sql(i++ == 0 ? "" : ", ").param(v);
            }
            return update(c, b.sql(")"));
        });
    }

    // ---- bans

    private static final String BAN_COLUMNS = "target_id, cid, created_by_id, reason, shadow, created_at, expires";

    @Override
    public void upsertBan(Ban ban) {
        jdbc.write("ban", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO bans (" + BAN_COLUMNS + ") VALUES (")
                    .param(ban.targetId())
                    .sql(", ")
                    .param(ban.cid())
                    .sql(", ");
            nullable(b, ban.createdById()).sql(", ");
            nullable(b, ban.reason())
                    .sql(", ")
                    .param(ban.shadow() ? 1 : 0)
                    .sql(", ")
                    .param(micros(ban.createdAt()))
                    .sql(", ");
            nullableTime(b, ban.expires())
                    .sql(") ON CONFLICT (target_id, cid) DO UPDATE SET "
                            + "created_by_id = excluded.created_by_id, reason = excluded.reason, shadow = excluded.shadow, "
                            + "created_at = excluded.created_at, expires = excluded.expires");
            return update(c, b);
        });
    }

    @Override
    public boolean deleteBan(String targetId, String cid) {
        return jdbc.write(
                "unban",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM bans WHERE target_id = ")
                                        .param(targetId)
                                        .sql(" AND cid = ")
                                        .param(cid))
                        > 0);
    }

    @Override
    public Optional<Ban> ban(String targetId, String cid) {
        return bans(cid, targetId, null, 1, 0).stream().findFirst();
    }

    @Override
    public List<Ban> bans(
            @Nullable String cid, @Nullable String targetId, @Nullable Instant activeAt, int limit, int offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + BAN_COLUMNS + " FROM bans WHERE 1 = 1");
        if (cid != null) {
            b.sql(" AND cid = ").param(cid);
        }
        if (targetId != null) {
            b.sql(" AND target_id = ").param(targetId);
        }
        active(b, activeAt)
                .sql(" ORDER BY created_at DESC, target_id, cid LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read(
                "list bans",
                c -> list(
                        c,
                        b,
                        rs -> new Ban(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getInt(5) == 1,
                                requiredInstant(rs, 6),
                                instant(rs, 7))));
    }

    // ---- flags and blocks

    @Override
    public Flag upsertFlag(Flag f) {
        return jdbc.write("flag", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO flags (user_id, target_kind, target_id, reason, created_at, "
                            + "updated_at) VALUES (")
                    .param(f.userId())
                    .sql(", ")
                    .param(f.targetKind())
                    .sql(", ")
                    .param(f.targetId())
                    .sql(", ");
            nullable(b, f.reason())
                    .sql(", ")
                    .param(micros(f.createdAt()))
                    .sql(", ")
                    .param(micros(f.updatedAt()))
                    .sql(
                            ") ON CONFLICT (user_id, target_kind, target_id) DO UPDATE SET updated_at = excluded.updated_at, "
                                    + "reason = COALESCE(excluded.reason, flags.reason)");
            update(c, b);
            SqlBuilder q = new SqlBuilder()
                    .sql("SELECT user_id, target_kind, target_id, reason, created_at, updated_at "
                            + "FROM flags WHERE user_id = ")
                    .param(f.userId())
                    .sql(" AND target_kind = ")
                    .param(f.targetKind())
                    .sql(" AND target_id = ")
                    .param(f.targetId());
            return list(
                            c,
                            q,
                            rs -> new Flag(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    requiredInstant(rs, 5),
                                    requiredInstant(rs, 6)))
                    .getFirst();
        });
    }

    @Override
    public boolean block(Block block) {
        return jdbc.write(
                "block",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("INSERT INTO user_blocks (user_id, blocked_user_id, "
                                                + "created_at) VALUES (")
                                        .param(block.userId())
                                        .sql(", ")
                                        .param(block.blockedUserId())
                                        .sql(", ")
                                        .param(micros(block.createdAt()))
                                        .sql(") ON CONFLICT (user_id, blocked_user_id) DO NOTHING"))
                        > 0);
    }

    @Override
    public boolean unblock(String userId, String blockedUserId) {
        return jdbc.write(
                "unblock",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM user_blocks WHERE user_id = ")
                                        .param(userId)
                                        .sql(" AND blocked_user_id = ")
                                        .param(blockedUserId))
                        > 0);
    }

    @Override
    public List<Block> blocks(String userId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT user_id, blocked_user_id, created_at FROM user_blocks WHERE user_id = ")
                .param(userId)
                .sql(" ORDER BY created_at, blocked_user_id");
        return jdbc.read(
                "list blocks",
                c -> list(c, b, rs -> new Block(rs.getString(1), rs.getString(2), requiredInstant(rs, 3))));
    }

    /**
     * Appends the unread increment of one member row of an {@code UPDATE members} for a message by
     * {@code authorId} at {@code atMicros}: 0 when the member muted the author or the channel, else 1.
     */
    static SqlBuilder unreadIncrement(SqlBuilder b, String authorId, long atMicros) {
        return b.sql(
                        "(CASE WHEN EXISTS (SELECT 1 FROM user_mutes um WHERE um.user_id = members.user_id AND um.target_id = ")
                .param(authorId)
                .sql(" AND (um.expires IS NULL OR um.expires > ")
                .param(atMicros)
                .sql(")) OR EXISTS "
                        + "(SELECT 1 FROM channel_mutes cm WHERE cm.user_id = members.user_id AND cm.cid = members.cid "
                        + "AND (cm.expires IS NULL OR cm.expires > ")
                .param(atMicros)
                .sql(")) THEN 0 ELSE 1 END)");
    }

    private static SqlBuilder active(SqlBuilder b, @Nullable Instant activeAt) {
        return activeAt == null
                ? b
                : b.sql(" AND (expires IS NULL OR expires > ")
                        .param(micros(activeAt))
                        .sql(")");
    }
}
