package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.parley.server.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The chat contract against the PostgreSQL on this machine, in a fresh schema dropped afterwards. */
@IntegrationTest
@Timeout(value = 60, unit = SECONDS)
class PostgresChatStoreTest extends ChatStoreContractTest {
    static final PostgresTestSchema SCHEMA = new PostgresTestSchema("parley_chat_");

    @Override
    protected Store createStore() {
        return SCHEMA.openEmptying("channels", "members", "messages", "reactions", "channel_events");
    }

    @AfterAll
    static void dropSchema() {
        SCHEMA.drop();
    }
}
