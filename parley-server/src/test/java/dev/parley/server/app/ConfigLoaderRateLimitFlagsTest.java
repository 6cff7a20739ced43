package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rate-limit flags and their variables. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderRateLimitFlagsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static ServerConfig load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env::get).apiKey("k").apiSecret(SECRET).build();
    }

    @Test
    void defaultsAreStreamsNumbersWithEveryLimitOn() {
        ServerConfig c = load(Map.of());
        assertThat(c.rateLimitsEnabled()).isTrue();
        assertThat(c.rateLimitScale()).isEqualTo(1.0);
        assertThat(c.rateLimitPerUser()).isEqualTo(60);
        assertThat(c.rateLimitMaxKeys()).isEqualTo(100_000);
        assertThat(c.maxWsFramesPerMinute()).isEqualTo(600);
        assertThat(c.maxAdminSecretTries()).isEqualTo(10);
    }

    @Test
    void variablesSetEveryLimitAndFlagsWin() {
        Map<String, String> env = Map.of(
                "PARLEY_DISABLE_RATE_LIMITS",
                "true",
                "PARLEY_RATE_LIMIT_SCALE",
                "2.5",
                "PARLEY_RATE_LIMIT_PER_USER",
                "30",
                "PARLEY_RATE_LIMIT_MAX_KEYS",
                "5000",
                "PARLEY_MAX_WS_FRAMES_PER_MINUTE",
                "0",
                "PARLEY_MAX_ADMIN_SECRET_TRIES",
                "3");
        ServerConfig fromEnv = load(env);
        assertThat(fromEnv.rateLimitsEnabled()).isFalse();
        assertThat(fromEnv.rateLimitScale()).isEqualTo(2.5);
        assertThat(fromEnv.rateLimitPerUser()).isEqualTo(30);
        assertThat(fromEnv.rateLimitMaxKeys()).isEqualTo(5000);
        assertThat(fromEnv.maxWsFramesPerMinute()).isZero();
        assertThat(fromEnv.maxAdminSecretTries()).isEqualTo(3);
        ServerConfig flags =
                load(env, "--disable-rate-limits=false", "--rate-limit-scale", "0.5", "--max-ws-frames-per-minute=100");
        assertThat(flags.rateLimitsEnabled()).isTrue();
        assertThat(flags.rateLimitScale()).isEqualTo(0.5);
        assertThat(flags.maxWsFramesPerMinute()).isEqualTo(100);
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> load(Map.of(), "--rate-limit-scale", "0")).hasMessageContaining("--rate-limit-scale");
        assertThatThrownBy(() -> load(Map.of(), "--rate-limit-scale", "lots"))
                .hasMessageContaining("--rate-limit-scale");
        assertThatThrownBy(() -> load(Map.of(), "--rate-limit-per-user", "0"))
                .hasMessageContaining("--rate-limit-per-user");
        assertThatThrownBy(() -> load(Map.of(), "--rate-limit-max-keys", "10"))
                .hasMessageContaining("--rate-limit-max-keys");
        assertThatThrownBy(() -> load(Map.of("PARLEY_MAX_ADMIN_SECRET_TRIES", "-1")))
                .hasMessageContaining("--max-admin-secret-tries");
        assertThatThrownBy(() -> load(Map.of(), "--max-ws-frames-per-minute", "x"))
                .hasMessageContaining("--max-ws-frames-per-minute");
    }
}
