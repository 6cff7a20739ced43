package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flags that make a node one of a cluster: {@code --redis-url} and {@code --node-id}. */
class ConfigLoaderClusterFlagsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String DB = "postgresql://postgres@127.0.0.1:5432/test";

    private static ServerConfig load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env::get).apiKey("k").apiSecret(SECRET).build();
    }

    @Test
    void withoutARedisUrlTheNodeRunsAlone() {
        ServerConfig c = load(Map.of(), "--database-url", DB);

        assertThat(c.clustered()).isFalse();
        assertThat(c.redisUrl()).isNull();
        assertThat(c.nodeId()).isNull();
    }

    @Test
    void aRedisUrlAndANodeIdFromFlagsOrVariablesMakeAClusteredNode() {
        ServerConfig flags =
                load(Map.of(), "--database-url", DB, "--redis-url", "redis://127.0.0.1:6379", "--node-id", "eu-1.a");
        ServerConfig vars = load(
                Map.of("PARLEY_DATABASE_URL", DB, "PARLEY_REDIS_URL", "redis://10.0.0.2:6380", "PARLEY_NODE_ID", "n2"));

        assertThat(flags.clustered()).isTrue();
        assertThat(flags.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(flags.nodeId()).isEqualTo("eu-1.a");
        assertThat(vars.redisUrl()).isEqualTo("redis://10.0.0.2:6380");
        assertThat(vars.nodeId()).isEqualTo("n2");
    }

    @Test
    void aRedisUrlWithTheEmbeddedStoreIsRefusedNamingDatabaseUrl() {
        assertThatThrownBy(() -> load(Map.of(), "--redis-url", "redis://127.0.0.1:6379"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--redis-url needs --database-url");
        assertThatThrownBy(() -> ServerConfig.builder()
                        .apiKey("k")
                        .apiSecret(SECRET)
                        .redisUrl("redis://127.0.0.1:6379")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--database-url");
    }

    @Test
    void aUrlThatIsNotRedisIsRefusedWithItsPasswordHidden() {
        assertThatThrownBy(() -> load(Map.of(), "--database-url", DB, "--redis-url", "http://u:hunter2@cache:6379"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--redis-url")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aNodeIdOutsideItsAlphabetIsRefused() {
        assertThatThrownBy(() -> load(Map.of(), "--node-id", "node one"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--node-id");
        assertThatThrownBy(() -> load(Map.of(), "--node-id", "x".repeat(65)))
                .isInstanceOf(ConfigLoader.ConfigException.class);
    }

    @Test
    void aClusteredNodeDrainsOverTenSecondsUnlessToldOtherwise() {
        ServerConfig alone = load(Map.of());
        ServerConfig clustered = load(Map.of(), "--database-url", DB, "--redis-url", "redis://127.0.0.1:6379");
        ServerConfig at =
                load(Map.of(), "--database-url", DB, "--redis-url", "redis://127.0.0.1:6379", "--drain-window", "0s");

        assertThat(alone.drainWindow()).isEqualTo(java.time.Duration.ZERO);
        assertThat(clustered.drainWindow()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(at.drainWindow()).isEqualTo(java.time.Duration.ZERO);
        assertThat(load(Map.of("PARLEY_DRAIN_WINDOW", "30s")).drainWindow())
                .isEqualTo(java.time.Duration.ofSeconds(30));
        assertThatThrownBy(() -> load(Map.of(), "--drain-window", "11m"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--drain-window");
    }
}
