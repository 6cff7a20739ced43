package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The moderation and search contract against the PostgreSQL on this machine, in a fresh schema. */
@Timeout(value = 60, unit = SECONDS)
class PostgresModerationStoreTest extends ModerationStoreContractTest {
    static final String SCHEMA = "parley_mod_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    protected Store createStore() {
        Store opened = Stores.open(PostgresStoreTest.SERVER + "?schema=" + SCHEMA, null);
        sql("TRUNCATE " + String.join(", ", Stream.of("channels", "members", "messages", "reactions", "channel_events",
                "user_mutes", "channel_mutes", "bans", "flags", "user_blocks").map(t -> SCHEMA + "." + t).toList()));
        return opened;
    }

    @AfterAll
    static void dropSchema() {
        sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    private static void sql(String statement) {
        PostgresUrl url = PostgresUrl.parse(PostgresStoreTest.SERVER);
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }
}
