package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.in;
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

    private static final String FLAG_COLUMNS = "f.user_id, f.target_kind, f.target_id, f.reason, f.created_at, "
            + "f.updated_at, f.created_by_automod, f.details";
    private static final String REPORT_COLUMNS = "r.id, r.target_kind, r.target_id, r.channel_cid, r.target_user_id, "
            + "r.first_reporter_id, r.flags_count, r.created_at, r.updated_at, r.review_result, r.reviewed_by, "
            + "r.reviewed_at, r.review_details";

    @Override
    public Flag upsertFlag(Flag f, String reportId, @Nullable String channelCid, String targetUserId) {
        return jdbc.write("flag", c -> {
            boolean isNew = list(c, flagKey(new SqlBuilder().sql("SELECT 1 FROM flags f"), f), rs -> 1)
                    .isEmpty();
            SqlBuilder b = new SqlBuilder()
                    .sql("INSERT INTO flags (user_id, target_kind, target_id, reason, created_at, updated_at, "
                            + "created_by_automod, details) VALUES (")
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
                    .sql(", ")
                    .param(f.createdByAutomod() ? 1 : 0)
                    .sql(", ");
            nullable(b, f.details())
                    .sql(") ON CONFLICT (user_id, target_kind, target_id) DO UPDATE SET updated_at = "
                            + "excluded.updated_at, reason = COALESCE(excluded.reason, flags.reason), "
                            + "details = COALESCE(excluded.details, flags.details)");
            update(c, b);
            if (isNew) {
                countInReport(c, f, reportId, channelCid, targetUserId);
            }
            return list(
                            c,
                            flagKey(new SqlBuilder().sql("SELECT " + FLAG_COLUMNS + " FROM flags f"), f),
                            JdbcModerationStore::flag)
                    .getFirst();
        });
    }

    private static SqlBuilder flagKey(SqlBuilder b, Flag f) {
        return b.sql(" WHERE f.user_id = ")
                .param(f.userId())
                .sql(" AND f.target_kind = ")
                .param(f.targetKind())
                .sql(" AND f.target_id = ")
                .param(f.targetId());
    }

    private static void countInReport(
            java.sql.Connection c, Flag f, String reportId, @Nullable String channelCid, String targetUserId)
            throws java.sql.SQLException {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO flag_reports (id, target_kind, target_id, channel_cid, target_user_id, "
                        + "first_reporter_id, flags_count, created_at, updated_at) VALUES (")
                .param(reportId)
                .sql(", ")
                .param(f.targetKind())
                .sql(", ")
                .param(f.targetId())
                .sql(", ");
        nullable(b, channelCid)
                .sql(", ")
                .param(targetUserId)
                .sql(", ")
                .param(f.userId())
                .sql(", 1, ")
                .param(micros(f.createdAt()))
                .sql(", ")
                .param(micros(f.updatedAt()))
                .sql(") ON CONFLICT (target_kind, target_id) DO UPDATE SET flags_count = flag_reports.flags_count + 1, "
                        + "updated_at = excluded.updated_at, review_result = NULL, reviewed_by = NULL, "
                        + "reviewed_at = NULL, review_details = NULL");
        update(c, b);
    }

    @Override
    public List<ReportedFlag> flags(FlagFilter filter, int limit, int offset) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + FLAG_COLUMNS + ", " + REPORT_COLUMNS + " FROM flags f JOIN flag_reports r ON "
                        + "r.target_kind = f.target_kind AND r.target_id = f.target_id");
        where(b, filter, "f")
                .sql(" ORDER BY f.created_at DESC, f.target_id, f.user_id LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("list flags", c -> list(c, b, rs -> new ReportedFlag(flag(rs), report(rs, 8))));
    }

    @Override
    public List<FlagReport> reports(FlagFilter filter, int limit, int offset) {
        if (filter.in().containsKey(FlagField.REPORTER)) {
            throw new IllegalArgumentException("filter: REPORTER is not a field of reports");
        }
        SqlBuilder b = new SqlBuilder().sql("SELECT " + REPORT_COLUMNS + " FROM flag_reports r");
        where(b, filter, "r")
                .sql(" ORDER BY r.created_at DESC, r.id LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("list flag reports", c -> list(c, b, rs -> report(rs, 0)));
    }

    private static SqlBuilder where(SqlBuilder b, FlagFilter filter, String kindOf) {
        b.sql(" WHERE 1 = 1");
        if (filter.targetKind() != null) {
            b.sql(" AND " + kindOf + ".target_kind = ").param(filter.targetKind());
        }
        // Enum order: the same filter gives the same statement text, for the statement cache.
        for (FlagField field : FlagField.values()) {
            List<String> values = filter.in().get(field);
            if (values != null) {
                in(b.sql(" AND " + field.column + " IN ("), values).sql(")");
            }
        }
        if (filter.reviewed() != null) {
            b.sql(filter.reviewed() ? " AND r.reviewed_at IS NOT NULL" : " AND r.reviewed_at IS NULL");
        }
        return b;
    }

    @Override
    public Optional<FlagReport> report(String id) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + REPORT_COLUMNS + " FROM flag_reports r WHERE r.id = ")
                .param(id);
        return jdbc.read(
                "get flag report", c -> list(c, b, rs -> report(rs, 0)).stream().findFirst());
    }

    @Override
    public Optional<FlagReport> reportOf(String targetKind, String targetId) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + REPORT_COLUMNS + " FROM flag_reports r WHERE r.target_kind = ")
                .param(targetKind)
                .sql(" AND r.target_id = ")
                .param(targetId);
        return jdbc.read(
                "get flag report", c -> list(c, b, rs -> report(rs, 0)).stream().findFirst());
    }

    @Override
    public Optional<FlagReport> reviewReport(
            String id, String result, @Nullable String reviewedBy, Instant at, @Nullable String details) {
        return jdbc.write("review flag report", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("UPDATE flag_reports SET review_result = ")
                    .param(result)
                    .sql(", reviewed_by = ");
            nullable(b, reviewedBy)
                    .sql(", reviewed_at = ")
                    .param(micros(at))
                    .sql(", updated_at = ")
                    .param(micros(at));
            nullable(b.sql(", review_details = "), details).sql(" WHERE id = ").param(id);
            if (update(c, b) == 0) {
                return Optional.empty();
            }
            SqlBuilder q = new SqlBuilder()
                    .sql("SELECT " + REPORT_COLUMNS + " FROM flag_reports r WHERE r.id = ")
                    .param(id);
            return list(c, q, rs -> report(rs, 0)).stream().findFirst();
        });
    }

    private static Flag flag(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Flag(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                requiredInstant(rs, 5),
                requiredInstant(rs, 6),
                rs.getInt(7) == 1,
                rs.getString(8));
    }

    private static FlagReport report(java.sql.ResultSet rs, int at) throws java.sql.SQLException {
        return new FlagReport(
                rs.getString(at + 1),
                rs.getString(at + 2),
                rs.getString(at + 3),
                rs.getString(at + 4),
                rs.getString(at + 5),
                rs.getString(at + 6),
                rs.getInt(at + 7),
                requiredInstant(rs, at + 8),
                requiredInstant(rs, at + 9),
                rs.getString(at + 10),
                rs.getString(at + 11),
                instant(rs, at + 12),
                rs.getString(at + 13));
    }

    // ---- blocklists

    @Override
    public boolean createBlocklist(Blocklist list) {
        return jdbc.write(
                "create blocklist",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("INSERT INTO blocklists (name, words, created_at, updated_at) VALUES (")
                                        .param(list.name())
                                        .sql(", ")
                                        .param(wordsJson(list.words()))
                                        .sql(", ")
                                        .param(micros(list.createdAt()))
                                        .sql(", ")
                                        .param(micros(list.updatedAt()))
                                        .sql(") ON CONFLICT (name) DO NOTHING"))
                        > 0);
    }

    @Override
    public boolean updateBlocklist(String name, List<String> words, Instant at) {
        return jdbc.write(
                "update blocklist",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("UPDATE blocklists SET words = ")
                                        .param(wordsJson(words))
                                        .sql(", updated_at = ")
                                        .param(micros(at))
                                        .sql(" WHERE name = ")
                                        .param(name))
                        > 0);
    }

    @Override
    public boolean deleteBlocklist(String name) {
        return jdbc.write(
                "delete blocklist",
                c -> update(
                                c,
                                new SqlBuilder()
                                        .sql("DELETE FROM blocklists WHERE name = ")
                                        .param(name))
                        > 0);
    }

    @Override
    public List<Blocklist> blocklists() {
        SqlBuilder b = new SqlBuilder().sql("SELECT name, words, created_at, updated_at FROM blocklists ORDER BY name");
        return jdbc.read("list blocklists", c -> list(c, b, JdbcModerationStore::blocklist));
    }

    @Override
    public Optional<Blocklist> blocklist(String name) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT name, words, created_at, updated_at FROM blocklists WHERE name = ")
                .param(name);
        return jdbc.read(
                "get blocklist",
                c -> list(c, b, JdbcModerationStore::blocklist).stream().findFirst());
    }

    private static Blocklist blocklist(java.sql.ResultSet rs) throws java.sql.SQLException {
        List<String> words = new java.util.ArrayList<>();
        dev.parley.protocol.Json.parse(rs.getString(2), "blocklist words").forEach(w -> words.add(w.asText()));
        return new Blocklist(rs.getString(1), words, requiredInstant(rs, 3), requiredInstant(rs, 4));
    }

    private static String wordsJson(List<String> words) {
        com.fasterxml.jackson.databind.node.ArrayNode a = dev.parley.protocol.Json.array();
        words.forEach(a::add);
        return a.toString();
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
