package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * Migration 12 gives the threads already stored a row and their participants a read state (PROTOCOL.md §7.18):
 * a database at version 11 with a thread in it, opened by this build.
 */
@Timeout(value = 60, unit = SECONDS)
class ThreadsMigrationTest {
    @TempDir
    Path dataDir;

    /** A channel of ann and bob: ann's parent at 1 s, bob's replies at 2 and 3 s, ann's at 4 s, and a lone message. */
    private static final List<String> ROWS = List.of(
            "INSERT INTO members (cid, user_id, channel_role, created_at, updated_at) VALUES "
                    + "('messaging:t', 'ann', 'channel_member', 0, 0), ('messaging:t', 'bob', 'channel_member', 0, 0)",
            "INSERT INTO messages (id, cid, user_id, parent_id, in_channel, created_at, updated_at, doc) VALUES "
                    + "('p', 'messaging:t', 'ann', NULL, 1, 1000000, 1000000, '{}'), "
                    + "('r1', 'messaging:t', 'bob', 'p', 0, 2000000, 2000000, '{}'), "
                    + "('r2', 'messaging:t', 'bob', 'p', 0, 3000000, 3000000, '{}'), "
                    + "('r3', 'messaging:t', 'ann', 'p', 0, 4000000, 4000000, '{}'), "
                    + "('lone', 'messaging:t', 'bob', NULL, 1, 5000000, 5000000, '{}')");

    @Test
    void anEmbeddedDatabaseOfVersion11GetsItsThreadsAndParticipants() throws SQLException {
        SQLiteDataSource before = new SQLiteDataSource();
        before.setUrl("jdbc:sqlite:" + dataDir.resolve("parley.db"));
        atVersion11(before, "sqlite", null);

        try (Store store = Stores.open(null, dataDir)) {
            assertMigrated(store.chat());
        }
    }

    @Test
    void aPostgresqlSchemaOfVersion11GetsItsThreadsAndParticipants() throws SQLException {
        PostgresTestSchema schema = new PostgresTestSchema("threads_mig_");
        PostgresUrl url = PostgresUrl.parse(PostgresTestSchema.SERVER);
        org.postgresql.ds.PGSimpleDataSource before = new org.postgresql.ds.PGSimpleDataSource();
        before.setUrl(url.jdbcUrl());
        if (url.user() != null) {
            before.setUser(url.user());
        }
        try {
            atVersion11(before, "postgresql", schema.name());
            try (Store store = Stores.open(PostgresTestSchema.SERVER + "?schema=" + schema.name(), null)) {
                assertMigrated(store.chat());
            }
        } finally {
            schema.drop();
        }
    }

    private static void atVersion11(DataSource ds, String folder, String schema) throws SQLException {
        var config = Flyway.configure(ThreadsMigrationTest.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration/" + folder)
                .target("11");
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

    private static void assertMigrated(ChatStore chat) {
        ChatRows.ThreadRow thread = chat.thread("p").orElseThrow();
        assertThat(thread.cid()).isEqualTo("messaging:t");
        assertThat(thread.lastMessageAt().toEpochMilli()).isEqualTo(4000);
        assertThat(thread.title()).isNull();
        assertThat(chat.thread("lone")).isEmpty();
        assertThat(chat.threadParticipants("p", 10))
                .extracting(ChatRows.ThreadParticipant::userId)
                .containsExactly("ann", "bob");
        assertThat(chat.threadParticipants("p", 10))
                .allSatisfy(tp -> assertThat(tp.unread()).isZero());
        assertThat(chat.threadsOf("bob", 10, 0))
                .extracting(ChatRows.MessageRow::id)
                .containsExactly("p");
    }
}
