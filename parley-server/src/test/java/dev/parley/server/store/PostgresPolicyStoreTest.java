package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The moderation policies contract against the PostgreSQL on this machine, in a fresh schema. */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresPolicyStoreTest extends PolicyStoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_policies_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying("moderation_configs", "moderation_rules", "future_channel_bans");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }
}
