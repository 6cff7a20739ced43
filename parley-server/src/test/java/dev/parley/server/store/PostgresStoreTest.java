package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract against the PostgreSQL on this machine ({@code PARLEY_TEST_POSTGRES_URL}, default the
 * {@code test} database on 127.0.0.1:5432 as {@code postgres}), in a schema of its own that is dropped
 * afterwards.
 */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresStoreTest extends StoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_test_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying("users", "active_users", "daily_peaks", "app_settings");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }

    @Test
    void locationNamesTheSchemaButNotThePassword() {
        Store withPassword = Stores.open(
                PostgresTestSchema.SERVER.replace("postgres@", "postgres:s3cret@") + "?schema=" + SCHEMA.name(), null);
        try {
            assertThat(withPassword.location()).contains(SCHEMA.name()).doesNotContain("s3cret");
        } finally {
            withPassword.close();
        }
    }
}
