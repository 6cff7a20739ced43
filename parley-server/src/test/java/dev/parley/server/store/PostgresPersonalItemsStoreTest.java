package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The drafts, reminders and locations contract against the PostgreSQL on this machine, in a fresh schema. */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresPersonalItemsStoreTest extends PersonalItemsStoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_personal_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying("drafts", "reminders", "shared_locations");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }
}
