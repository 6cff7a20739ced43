package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP deadlines and the per-address connection cap: defaults, flags, variables and bad values. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderHttpLimitsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static ServerConfig load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env::get).apiKey("k").apiSecret(SECRET).build();
    }

    @Test
    void defaultsBoundEveryWaitOnTheClientAndCapConnectionsPerAddress() {
        ServerConfig c = load(Map.of());
        assertThat(c.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.requestBodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.requestBodyMinRate()).isEqualTo(16 * 1024);
        assertThat(c.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxConnectionsPerAddress()).isEqualTo(1000);
    }

    @Test
    void variablesSetThemAndFlagsWin() {
        Map<String, String> env = Map.of(
                "PARLEY_REQUEST_HEAD_TIMEOUT",
                "5s",
                "PARLEY_REQUEST_BODY_TIMEOUT",
                "2m",
                "PARLEY_REQUEST_BODY_MIN_RATE",
                "0",
                "PARLEY_KEEP_ALIVE_TIMEOUT",
                "15s",
                "PARLEY_MAX_CONNECTIONS_PER_ADDRESS",
                "0");
        ServerConfig fromEnv = load(env);
        assertThat(fromEnv.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromEnv.requestBodyTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromEnv.requestBodyMinRate()).isZero();
        assertThat(fromEnv.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(fromEnv.maxConnectionsPerAddress()).isZero();

        ServerConfig flags = load(env, "--request-head-timeout", "800ms", "--max-connections-per-address=50");
        assertThat(flags.requestHeadTimeout()).isEqualTo(Duration.ofMillis(800));
        assertThat(flags.maxConnectionsPerAddress()).isEqualTo(50);
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> load(Map.of(), "--request-head-timeout", "0s"))
                .hasMessageContaining("--request-head-timeout");
        assertThatThrownBy(() -> load(Map.of("PARLEY_KEEP_ALIVE_TIMEOUT", "soon")))
                .hasMessageContaining("--keep-alive-timeout");
        assertThatThrownBy(() -> load(Map.of(), "--request-body-min-rate", "-1"))
                .hasMessageContaining("--request-body-min-rate");
        assertThatThrownBy(() -> load(Map.of(), "--max-connections-per-address", "lots"))
                .hasMessageContaining("--max-connections-per-address");
    }

    @Test
    void helpListsTheFlagsWithTheirVariables() {
        assertThat(ConfigLoader.help())
                .contains(
                        "--request-head-timeout",
                        "PARLEY_REQUEST_BODY_TIMEOUT",
                        "--request-body-min-rate",
                        "PARLEY_KEEP_ALIVE_TIMEOUT",
                        "--max-connections-per-address");
    }
}
