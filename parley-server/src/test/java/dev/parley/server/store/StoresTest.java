package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = SECONDS)
class StoresTest {

    @Test
    void blankUrlOpensTheEmbeddedStore(@TempDir Path dir) {
        try (Store store = Stores.open("  ", dir)) {
            assertThat(store).isInstanceOf(SqliteStore.class);
            assertThat(store.kind()).isEqualTo("sqlite");
        }
    }

    @Test
    void unknownUrlFailsNamingTheValueWithoutItsPassword(@TempDir Path dir) {
        assertThatThrownBy(() -> Stores.open("mysql://root:hunter2@db/chat", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql://root:***@db/chat")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void postgresqlUrlIsSplitIntoDriverUrlUserAndPassword() {
        PostgresUrl url =
                PostgresUrl.parse("postgresql://chat:p%40ss@db.example:6543/parley?schema=tenant_1&sslmode=require");

        assertThat(url.user()).isEqualTo("chat");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(url.schema()).isEqualTo("tenant_1");
        assertThat(url.jdbcUrl())
                .startsWith("jdbc:postgresql://db.example:6543/parley?sslmode=require&currentSchema=tenant_1")
                .doesNotContain("p@ss");
        assertThat(url.location()).doesNotContain("p@ss").contains("chat");
    }

    @Test
    void postgresAndJdbcFormsAreAccepted() {
        PostgresUrl short_ = PostgresUrl.parse("postgres://u@localhost/db");
        PostgresUrl jdbc = PostgresUrl.parse("jdbc:postgresql://localhost:5433/db?user=u&password=pw&currentSchema=s");

        assertThat(short_.jdbcUrl()).startsWith("jdbc:postgresql://localhost:5432/db?");
        assertThat(short_.schema()).isNull();
        assertThat(jdbc.user()).isEqualTo("u");
        assertThat(jdbc.password()).isEqualTo("pw");
        assertThat(jdbc.schema()).isEqualTo("s");
        assertThat(jdbc.jdbcUrl()).doesNotContain("pw").contains("currentSchema=s");
    }

    @Test
    void badPostgresUrlsFailWithoutShowingThePassword() {
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:topsecret@host/db?schema=a;drop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:topsecret@host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no database name")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> PostgresUrl.parse("jdbc:postgresql://host/db?password=topsecret&schema=1x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void poolSizeIsTheNodesAndNotPassedToTheDriver() {
        PostgresUrl sized = PostgresUrl.parse("postgresql://u@host/db?pool_size=32&sslmode=require");
        PostgresUrl plain = PostgresUrl.parse("postgresql://u@host/db");

        assertThat(sized.poolSize()).isEqualTo(32);
        assertThat(sized.jdbcUrl()).contains("sslmode=require").doesNotContain("pool_size");
        assertThat(plain.poolSize()).isEqualTo(PostgresUrl.DEFAULT_POOL_SIZE);
        for (String bad : List.of("0", "201", "many", "")) {
            assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:topsecret@host/db?pool_size=" + bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pool_size")
                    .hasMessageNotContaining("topsecret");
        }
    }
}
