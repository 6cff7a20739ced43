package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = SECONDS)
class SqliteTaskStoreTest extends TaskStoreContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected Store createStore() {
        return Stores.open(null, dataDir);
    }
}
