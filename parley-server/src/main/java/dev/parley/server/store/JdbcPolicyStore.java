package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.instant;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.nullableTime;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import dev.parley.server.store.PersonalQuerySql.Column;
import dev.parley.server.store.PersonalQuerySql.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link PolicyStore} on JDBC, shared by SQLite and PostgreSQL (migration V19). */
final class JdbcPolicyStore implements PolicyStore {
    private static final String CONFIG_COLUMNS = "team, config_key, doc, created_at, updated_at";
    private static final String RULE_COLUMNS = "id, team, name, enabled, rule_type, doc, created_at, updated_at";
    private static final String BAN_COLUMNS = "created_by, target_id, reason, shadow, created_at, expires";

    private static final Map<String, Column> CONFIG_FIELDS = Map.of(
            "key", new Column("config_key", Kind.TEXT),
            "team", new Column("team", Kind.TEXT),
            "created_at", new Column("created_at", Kind.TIME),
            "updated_at", new Column("updated_at", Kind.TIME));
    private static final PersonalQuerySql CONFIGS =
            new PersonalQuerySql("moderation configs", CONFIG_FIELDS, CONFIG_FIELDS, "team ASC, config_key ASC");

    private static final PersonalQuerySql RULES = new PersonalQuerySql(
            "moderation rules",
            Map.of(
                    "id", new Column("id", Kind.TEXT),
                    "name", new Column("name", Kind.TEXT),
                    "team", new Column("team", Kind.TEXT),
                    "enabled", new Column("enabled", Kind.BOOL),
                    "rule_type", new Column("rule_type", Kind.TEXT),
                    "created_at", new Column("created_at", Kind.TIME),
                    "updated_at", new Column("updated_at", Kind.TIME)),
            Map.of(
                    "name", new Column("name", Kind.TEXT),
                    "team", new Column("team", Kind.TEXT),
                    "enabled", new Column("enabled", Kind.BOOL),
                    "created_at", new Column("created_at", Kind.TIME),
                    "updated_at", new Column("updated_at", Kind.TIME)),
            "id ASC");

    private final Jdbc jdbc;

    JdbcPolicyStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    // ---- configurations

    @Override
    public Config upsertConfig(Config cfg) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO moderation_configs (" + CONFIG_COLUMNS + ") VALUES (")
                .param(cfg.team())
                .sql(", ")
                .param(cfg.key())
                .sql(", ")
                .param(Json.write(cfg.doc()))
                .sql(", ")
                .param(micros(cfg.createdAt()))
                .sql(", ")
                .param(micros(cfg.updatedAt()))
                .sql(
                        ") ON CONFLICT (team, config_key) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at");
        return jdbc.write("upsert moderation config", c -> {
            update(c, b);
            return list(c, configKey(cfg.team(), cfg.key()), JdbcPolicyStore::config)
                    .getFirst();
        });
    }

    @Override
    public Optional<Config> config(String team, String key) {
        return jdbc.read("find moderation config", c -> list(c, configKey(team, key), JdbcPolicyStore::config)).stream()
                .findFirst();
    }

    private static SqlBuilder configKey(String team, String key) {
        return new SqlBuilder()
                .sql("SELECT " + CONFIG_COLUMNS + " FROM moderation_configs WHERE team = ")
                .param(team)
                .sql(" AND config_key = ")
                .param(key);
    }

    @Override
    public boolean deleteConfig(String team, String key) {
        SqlBuilder b = new SqlBuilder()
                .sql("DELETE FROM moderation_configs WHERE team = ")
                .param(team)
                .sql(" AND config_key = ")
                .param(key);
        return jdbc.write("delete moderation config", c -> update(c, b)) > 0;
    }

    @Override
    public List<Config> configs() {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + CONFIG_COLUMNS + " FROM moderation_configs");
        return jdbc.read("moderation configs", c -> list(c, b, JdbcPolicyStore::config));
    }

    @Override
    public List<Config> configs(Page page) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + CONFIG_COLUMNS + " FROM moderation_configs WHERE 1 = 1");
        CONFIGS.where(b, page.filter());
        CONFIGS.orderBy(b, page.sort(), "created_at DESC");
        b.sql(" LIMIT ").param(page.limit()).sql(" OFFSET ").param(page.offset());
        return jdbc.read("query moderation configs", c -> list(c, b, JdbcPolicyStore::config));
    }

    private static Config config(ResultSet rs) throws SQLException {
        return new Config(
                rs.getString(1),
                rs.getString(2),
                Json.parseObject(rs.getString(3), "stored moderation config"),
                requiredInstant(rs, 4),
                requiredInstant(rs, 5));
    }

    // ---- rules

    @Override
    public Rule upsertRule(Rule r) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO moderation_rules (" + RULE_COLUMNS + ") VALUES (")
                .param(r.id())
                .sql(", ")
                .param(r.team())
                .sql(", ")
                .param(r.name())
                .sql(", ")
                .param(r.enabled() ? 1 : 0)
                .sql(", ")
                .param(r.ruleType())
                .sql(", ")
                .param(Json.write(r.doc()))
                .sql(", ")
                .param(micros(r.createdAt()))
                .sql(", ")
                .param(micros(r.updatedAt()))
                .sql(") ON CONFLICT (team, name) DO UPDATE SET enabled = excluded.enabled, rule_type = "
                        + "excluded.rule_type, doc = excluded.doc, updated_at = excluded.updated_at");
        SqlBuilder read = new SqlBuilder()
                .sql("SELECT " + RULE_COLUMNS + " FROM moderation_rules WHERE team = ")
                .param(r.team())
                .sql(" AND name = ")
                .param(r.name());
        return jdbc.write("upsert moderation rule", c -> {
            update(c, b);
            return list(c, read, JdbcPolicyStore::rule).getFirst();
        });
    }

    @Override
    public Optional<Rule> rule(String id) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + RULE_COLUMNS + " FROM moderation_rules WHERE id = ")
                .param(id);
        return jdbc.read("find moderation rule", c -> list(c, b, JdbcPolicyStore::rule)).stream()
                .findFirst();
    }

    @Override
    public boolean deleteRule(String id) {
        SqlBuilder b =
                new SqlBuilder().sql("DELETE FROM moderation_rules WHERE id = ").param(id);
        return jdbc.write("delete moderation rule", c -> update(c, b)) > 0;
    }

    @Override
    public int ruleCount() {
        SqlBuilder b = new SqlBuilder().sql("SELECT COUNT(*) FROM moderation_rules");
        return jdbc.read("count moderation rules", c -> list(c, b, rs -> rs.getInt(1)))
                .getFirst();
    }

    @Override
    public List<Rule> rules(Page page) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + RULE_COLUMNS + " FROM moderation_rules WHERE 1 = 1");
        RULES.where(b, page.filter());
        RULES.orderBy(b, page.sort(), "created_at DESC");
        b.sql(" LIMIT ").param(page.limit()).sql(" OFFSET ").param(page.offset());
        return jdbc.read("query moderation rules", c -> list(c, b, JdbcPolicyStore::rule));
    }

    private static Rule rule(ResultSet rs) throws SQLException {
        return new Rule(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4) != 0,
                rs.getString(5),
                Json.parseObject(rs.getString(6), "stored moderation rule"),
                requiredInstant(rs, 7),
                requiredInstant(rs, 8));
    }

    // ---- bans of future channels

    @Override
    public void upsertFutureBan(FutureBan ban) {
        SqlBuilder b = new SqlBuilder()
                .sql("INSERT INTO future_channel_bans (" + BAN_COLUMNS + ") VALUES (")
                .param(ban.createdBy())
                .sql(", ")
                .param(ban.targetId())
                .sql(", ");
        nullable(b, ban.reason())
                .sql(", ")
                .param(ban.shadow() ? 1 : 0)
                .sql(", ")
                .param(micros(ban.createdAt()))
                .sql(", ");
        nullableTime(b, ban.expires())
                .sql(") ON CONFLICT (created_by, target_id) DO UPDATE SET reason = excluded.reason, shadow = "
                        + "excluded.shadow, created_at = excluded.created_at, expires = excluded.expires");
        jdbc.execute("upsert future channel ban", c -> update(c, b));
    }

    @Override
    public boolean deleteFutureBan(String createdBy, String targetId) {
        SqlBuilder b = new SqlBuilder()
                .sql("DELETE FROM future_channel_bans WHERE created_by = ")
                .param(createdBy)
                .sql(" AND target_id = ")
                .param(targetId);
        return jdbc.write("delete future channel ban", c -> update(c, b)) > 0;
    }

    @Override
    public List<FutureBan> futureBans(
            @Nullable String createdBy, @Nullable String targetId, @Nullable Instant activeAt, int limit, int offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + BAN_COLUMNS + " FROM future_channel_bans WHERE 1 = 1");
        if (createdBy != null) {
            b.sql(" AND created_by = ").param(createdBy);
        }
        if (targetId != null) {
            b.sql(" AND target_id = ").param(targetId);
        }
        if (activeAt != null) {
            b.sql(" AND (expires IS NULL OR expires > ").param(micros(activeAt)).sql(")");
        }
        b.sql(" ORDER BY created_at ASC, created_by ASC, target_id ASC LIMIT ")
                .param(limit)
                .sql(" OFFSET ")
                .param(offset);
        return jdbc.read("future channel bans", c -> list(c, b, JdbcPolicyStore::futureBan));
    }

    private static FutureBan futureBan(ResultSet rs) throws SQLException {
        return new FutureBan(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4) != 0,
                requiredInstant(rs, 5),
                instant(rs, 6));
    }
}
