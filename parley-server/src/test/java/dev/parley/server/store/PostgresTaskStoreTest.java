package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The tasks contract against the PostgreSQL on this machine, in a fresh schema. */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresTaskStoreTest extends TaskStoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_tasks_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying("tasks");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }
}
