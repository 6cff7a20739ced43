package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.store.ModerationStore.FlagFilter;
import dev.parley.server.store.ModerationStore.FlagReport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * Migration 16 gives the flags already stored their reports (PROTOCOL.md §7.26): a database at version 13 with
 * flags in it, opened by this build.
 */
@Timeout(value = 60, unit = SECONDS)
class FlagReportsMigrationTest {
    @TempDir
    Path dataDir;

    /** Bob's message m flagged by carl, then ann, bob flagged by ann, and a flag of a message since hard-deleted. */
    private static final List<String> ROWS = List.of(
            "INSERT INTO messages (id, cid, user_id, parent_id, in_channel, created_at, updated_at, doc) VALUES "
                    + "('m', 'messaging:t', 'bob', NULL, 1, 1000000, 1000000, '{}')",
            "INSERT INTO flags (user_id, target_kind, target_id, reason, created_at, updated_at) VALUES "
                    + "('ann', 'message', 'm', 'rude', 2000000, 2000000), "
                    + "('carl', 'message', 'm', NULL, 1500000, 4000000), "
                    + "('ann', 'user', 'bob', NULL, 5000000, 5000000), "
                    + "('ann', 'message', 'gone', NULL, 6000000, 6000000)");

    @Test
    void anEmbeddedDatabaseOfVersion13GetsTheReportsOfItsFlags() throws SQLException {
        SQLiteDataSource before = new SQLiteDataSource();
        before.setUrl("jdbc:sqlite:" + dataDir.resolve("parley.db"));
        atVersion13(before, "sqlite", null);

        try (Store store = Stores.open(null, dataDir)) {
            assertMigrated(store.moderation());
        }
    }

    @Test
    void aPostgresqlSchemaOfVersion13GetsTheReportsOfItsFlags() throws SQLException {
        PostgresTestSchema schema = new PostgresTestSchema("flags_mig_");
        PostgresUrl url = PostgresUrl.parse(PostgresTestSchema.SERVER);
        org.postgresql.ds.PGSimpleDataSource before = new org.postgresql.ds.PGSimpleDataSource();
        before.setUrl(url.jdbcUrl());
        if (url.user() != null) {
            before.setUser(url.user());
        }
        try {
            atVersion13(before, "postgresql", schema.name());
            try (Store store = Stores.open(PostgresTestSchema.SERVER + "?schema=" + schema.name(), null)) {
                assertMigrated(store.moderation());
            }
        } finally {
            schema.drop();
        }
    }

    private static void atVersion13(DataSource ds, String folder, String schema) throws SQLException {
        var config = Flyway.configure(FlagReportsMigrationTest.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration/" + folder)
                .target("13");
        if (schema != null) {
            config.schemas(schema).defaultSchema(schema).createSchemas(true);
        }
        config.load().migrate();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            if (schema != null) {
                s.execute("SET search_path TO " + schema);
            }
            for (String row : ROWS) {
                s.execute(row);
            }
        }
    }

    private static void assertMigrated(ModerationStore moderation) {
        FlagReport m = moderation.reportOf("message", "m").orElseThrow();
        assertThat(m.flagsCount()).isEqualTo(2);
        assertThat(m.channelCid()).isEqualTo("messaging:t");
        assertThat(m.targetUserId()).isEqualTo("bob");
        assertThat(m.firstReporterId()).isEqualTo("carl");
        assertThat(m.createdAt().toEpochMilli()).isEqualTo(1500);
        assertThat(m.updatedAt().toEpochMilli()).isEqualTo(4000);
        assertThat(m.reviewed()).isFalse();
        assertThat(moderation.reportOf("user", "bob").orElseThrow().targetUserId())
                .isEqualTo("bob");
        assertThat(moderation.reportOf("message", "gone").orElseThrow().channelCid())
                .isNull();
        assertThat(moderation.flags(new FlagFilter(null, Map.of(), null), 10, 0))
                .hasSize(4)
                .allSatisfy(f -> assertThat(f.flag().createdByAutomod()).isFalse());
        // A flag after the migration counts in the report the migration made.
        ModerationStore.Flag later = new ModerationStore.Flag(
                "dan",
                "message",
                "m",
                null,
                m.createdAt().plusSeconds(9),
                m.createdAt().plusSeconds(9));
        moderation.upsertFlag(later, "unused", "messaging:t", "bob");
        assertThat(moderation.report(m.id()).orElseThrow().flagsCount()).isEqualTo(3);
    }
}
