package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The moderation and search contract against the PostgreSQL on this machine, in a fresh schema. */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresModerationStoreTest extends ModerationStoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_mod_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying(
                "channels",
                "members",
                "messages",
                "reactions",
                "channel_events",
                "user_mutes",
                "channel_mutes",
                "bans",
                "flags",
                "flag_reports",
                "blocklists",
                "user_blocks");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }
}
