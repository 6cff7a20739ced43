package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Flags and {@code PARLEY_*} variables into a {@link ServerConfig}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderTest {
    private static final String SECRET = "s".repeat(32);

    private static ServerConfig load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env::get).apiKey("k").apiSecret(SECRET).build();
    }

    @Test
    void flagsWinOverEnvironmentVariables() {
        ServerConfig c = load(Map.of("PARLEY_PORT", "9000", "PARLEY_HOST", "10.0.0.1"), "--port", "9001");

        assertThat(c.port()).isEqualTo(9001);
        assertThat(c.host()).as("a variable without its flag still counts").isEqualTo("10.0.0.1");
    }

    @Test
    void flagsAcceptTheEqualsForm() {
        ServerConfig c = load(Map.of(), "--port=9002", "--data-dir=/tmp/parley-x", "--idle-timeout=2m");

        assertThat(c.port()).isEqualTo(9002);
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/parley-x"));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void environmentAloneSetsEveryValue() {
        ServerConfig c = ConfigLoader.load(
                        new String[0],
                        Map.of(
                                "PARLEY_API_KEY",
                                "envkey",
                                "PARLEY_API_SECRET",
                                SECRET,
                                "PARLEY_DISABLE_AUTH_CHECKS",
                                "true",
                                "PARLEY_IDLE_TIMEOUT",
                                "45s")::get)
                .build();

        assertThat(c.apiKey()).isEqualTo("envkey");
        assertThat(c.apiSecret()).isEqualTo(SECRET);
        assertThat(c.disableAuthChecks()).isTrue();
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        ServerConfig c = load(Map.of());

        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.embedded()).isTrue();
        assertThat(c.disableAuthChecks()).isFalse();
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void port3030IsRefused() {
        assertThatThrownBy(() -> load(Map.of(), "--port", "3030"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--port")
                .hasMessageContaining("3030");
        assertThatThrownBy(() -> load(Map.of("PARLEY_PORT", "3030"))).isInstanceOf(ConfigLoader.ConfigException.class);
    }

    @Test
    void portThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> load(Map.of(), "--port", "eighty"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--port");
    }

    @Test
    void unknownFlagIsRefusedByName() {
        assertThatThrownBy(() -> load(Map.of(), "--prot", "8080"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--prot");
    }

    @Test
    void flagWithoutItsValueIsRefused() {
        assertThatThrownBy(() -> load(Map.of(), "--port"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--port");
    }

    @Test
    void badDurationIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> load(Map.of(), "--idle-timeout", "soon"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--idle-timeout")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> load(Map.of(), "--idle-timeout", "0s"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--idle-timeout");
    }

    @Test
    void durationsAcceptTheirUnits() {
        assertThat(ConfigLoader.duration("250ms", "--x")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.duration("90", "--x")).isEqualTo(Duration.ofSeconds(90));
        assertThat(ConfigLoader.duration("1h", "--x")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void databaseUrlThatIsNotPostgresIsRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> load(Map.of(), "--database-url", "mysql://root:hunter2@db/chat"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--database-url")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void badBooleanIsRefused() {
        assertThatThrownBy(() -> load(Map.of("PARLEY_DISABLE_AUTH_CHECKS", "maybe")))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--disable-auth-checks");
    }

    @Test
    void helpListsEveryFlagAndVariable() {
        String help = ConfigLoader.help();

        assertThat(help)
                .contains(
                        "--port",
                        "--host",
                        "--api-key",
                        "--api-secret",
                        "--data-dir",
                        "--database-url",
                        "--disable-auth-checks",
                        "--idle-timeout",
                        "--help");
        assertThat(help)
                .contains(
                        "PARLEY_PORT",
                        "PARLEY_HOST",
                        "PARLEY_API_KEY",
                        "PARLEY_API_SECRET",
                        "PARLEY_DATA_DIR",
                        "PARLEY_DATABASE_URL",
                        "PARLEY_DISABLE_AUTH_CHECKS",
                        "PARLEY_IDLE_TIMEOUT");
        for (ConfigLoader.Option o : ConfigLoader.OPTIONS) {
            assertThat(help).contains(o.flag());
            if (o.env() != null) {
                assertThat(help).contains(o.env());
            }
        }
    }

    @Test
    void wantsHelpSeesLongAndShortForms() {
        assertThat(ConfigLoader.wantsHelp(new String[] {"--port", "1", "--help"}))
                .isTrue();
        assertThat(ConfigLoader.wantsHelp(new String[] {"-h"})).isTrue();
        assertThat(ConfigLoader.wantsHelp(new String[] {"--port", "1"})).isFalse();
    }

    @Test
    void theUploadStallTimeoutComesFromItsFlagOrVariableAndMustBePositive() {
        assertThat(load(Map.of()).uploadStallTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(load(Map.of("PARLEY_UPLOAD_STALL_TIMEOUT", "5s")).uploadStallTimeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(load(Map.of(), "--upload-stall-timeout", "2m").uploadStallTimeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> load(Map.of(), "--upload-stall-timeout", "soon"))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--upload-stall-timeout");
        assertThatThrownBy(() -> ServerConfig.builder()
                        .apiKey("k")
                        .apiSecret(SECRET)
                        .uploadStallTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upload stall timeout");
    }

    @Test
    void linkPreviewsMayReachPrivateHostsOnlyWhenItsFlagOrVariableSaysSo() {
        assertThat(load(Map.of()).linkPreviewPrivateHosts()).isFalse();
        assertThat(load(Map.of(), "--link-preview-private-hosts").linkPreviewPrivateHosts())
                .isTrue();
        assertThat(load(Map.of("PARLEY_LINK_PREVIEW_PRIVATE_HOSTS", "true")).linkPreviewPrivateHosts())
                .isTrue();
        assertThatThrownBy(() -> load(Map.of("PARLEY_LINK_PREVIEW_PRIVATE_HOSTS", "maybe")))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining("--link-preview-private-hosts");
    }
}
