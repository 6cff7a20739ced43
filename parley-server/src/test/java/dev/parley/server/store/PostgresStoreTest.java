package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract against the PostgreSQL on this machine ({@code PARLEY_TEST_POSTGRES_URL}, default the
 * {@code test} database on 127.0.0.1:5432 as {@code postgres}), in a schema of its own that is dropped
 * afterwards.
 */
@Timeout(value = 60, unit = SECONDS)
class PostgresStoreTest extends StoreContractTest {
    static final String SERVER = System.getenv().getOrDefault(
            "PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");
    static final String SCHEMA = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    protected Store createStore() {
        Store opened = Stores.open(SERVER + "?schema=" + SCHEMA, null);
        sql("TRUNCATE " + SCHEMA + ".users, " + SCHEMA + ".active_users, " + SCHEMA + ".daily_peaks, "
                + SCHEMA + ".app_settings");
        return opened;
    }

    @AfterAll
    static void dropSchema() {
        sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    @Test
    void locationNamesTheSchemaButNotThePassword() {
        Store withPassword = Stores.open(
                SERVER.replace("postgres@", "postgres:s3cret@") + "?schema=" + SCHEMA, null);
        try {
            assertThat(withPassword.location()).contains(SCHEMA).doesNotContain("s3cret");
        } finally {
            withPassword.close();
        }
    }

    private static void sql(String statement) {
        PostgresUrl url = PostgresUrl.parse(SERVER);
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }
}
