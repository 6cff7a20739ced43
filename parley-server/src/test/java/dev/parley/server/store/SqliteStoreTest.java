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
}
