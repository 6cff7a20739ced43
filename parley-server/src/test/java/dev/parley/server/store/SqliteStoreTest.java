package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.User;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = SECONDS)
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected Store createStore() {
        return Stores.open(null, dataDir);
    }

    @Test
    void dataLivesInParleyDbAndSurvivesAReopen() {
        save(user("kept"));
        store.close();

        store = Stores.open("", dataDir);

        assertThat(store.location())
                .isEqualTo(dataDir.resolve("parley.db").toAbsolutePath().toString());
        assertThat(store.findUser("kept")).contains(user("kept"));
    }

    @Test
    void customKeysReadBackInTheOrderWritten() {
        save(custom("a", "{\"zeta\": 1, \"alpha\": 2, \"mid\": {\"y\": 1, \"b\": 2}}"));

        User read = store.findUser("a").orElseThrow();

        assertThat(read.custom().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(read.custom().get("mid").toString()).isEqualTo("{\"y\":1,\"b\":2}");
    }

    @Test
    void databaseFileIsInWalMode() throws Exception {
        String url = "jdbc:sqlite:" + dataDir.resolve("parley.db").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void theDatabaseFileCatchesUpWithTheWalWithoutAnotherCommit() {
        // A handful of writes stays far below SQLite's automatic checkpoint (1,000 pages): only the
        // checkpoint thread copies them into parley.db. A copy of the file alone, without its WAL, shows it.
        for (int i = 0; i < 20; i++) {
            save(user("cp-" + i));
        }
        Path copy = dataDir.resolve("copy");

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> {
                    java.nio.file.Files.createDirectories(copy);
                    java.nio.file.Files.copy(
                            dataDir.resolve("parley.db"),
                            copy.resolve("parley.db"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    java.nio.file.Files.deleteIfExists(copy.resolve("parley.db-wal"));
                    java.nio.file.Files.deleteIfExists(copy.resolve("parley.db-shm"));
                    String url = "jdbc:sqlite:" + copy.resolve("parley.db").toAbsolutePath();
                    try (Connection c = DriverManager.getConnection(url);
                            Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE id LIKE 'cp-%'")) {
                        return rs.next() && rs.getInt(1) == 20;
                    } catch (java.sql.SQLException torn) { // copied halfway through a checkpoint: look again
                        return false;
                    }
                });
    }
}
