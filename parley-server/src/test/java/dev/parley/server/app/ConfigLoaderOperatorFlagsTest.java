package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import dev.parley.server.usage.ConnectionPolicy;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The operator flags: per-user connection limit, its policy, and switching {@code /metrics} off. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderOperatorFlagsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static ServerConfig load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env::get).apiKey("k").apiSecret(SECRET).build();
    }

    @Test
    void defaultsAreNoLimitWarnAndMetricsOn() {
        ServerConfig c = load(Map.of());
        assertThat(c.maxConnectionsPerUser()).isZero();
        assertThat(c.connectionPolicy()).isEqualTo(ConnectionPolicy.Mode.WARN);
        assertThat(c.metricsEnabled()).isTrue();
    }

    @Test
    void flagsWinOverVariables() {
        Map<String, String> env = Map.of(
                "PARLEY_MAX_CONNECTIONS_PER_USER",
                "5",
                "PARLEY_CONNECTION_POLICY",
                "close_oldest",
                "PARLEY_DISABLE_METRICS",
                "true");
        ServerConfig fromEnv = load(env);
        assertThat(fromEnv.maxConnectionsPerUser()).isEqualTo(5);
        assertThat(fromEnv.connectionPolicy()).isEqualTo(ConnectionPolicy.Mode.CLOSE_OLDEST);
        assertThat(fromEnv.metricsEnabled()).isFalse();
        ServerConfig flags = load(env, "--max-connections-per-user", "3", "--connection-policy=reject_new");
        assertThat(flags.maxConnectionsPerUser()).isEqualTo(3);
        assertThat(flags.connectionPolicy()).isEqualTo(ConnectionPolicy.Mode.REJECT_NEW);
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> load(Map.of(), "--connection-policy", "nuke"))
                .hasMessageContaining("--connection-policy")
                .hasMessageContaining("warn, reject_new or close_oldest");
        assertThatThrownBy(() -> load(Map.of(), "--max-connections-per-user", "-2"))
                .hasMessageContaining("--max-connections-per-user");
        assertThatThrownBy(() -> load(Map.of("PARLEY_MAX_CONNECTIONS_PER_USER", "many")))
                .hasMessageContaining("--max-connections-per-user");
    }

    @Test
    void helpListsTheOperatorFlags() {
        assertThat(ConfigLoader.help())
                .contains("--max-connections-per-user", "PARLEY_CONNECTION_POLICY", "--disable-metrics");
    }
}
