package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The key and secret generated on first start and kept in the data dir. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CredentialsTest {

    @Test
    void firstCallGeneratesAKeyAndASecretOfAtLeast32Bytes(@TempDir Path dir) {
        Credentials.KeyPair kp = Credentials.loadOrGenerate(dir.resolve("fresh"));

        assertThat(kp.generated()).isTrue();
        assertThat(kp.apiKey()).isNotBlank();
        assertThat(kp.apiSecret().getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
        assertThat(dir.resolve("fresh").resolve(Credentials.FILE)).exists();
    }

    @Test
    void secondCallReusesTheStoredPair(@TempDir Path dir) {
        Credentials.KeyPair first = Credentials.loadOrGenerate(dir);

        Credentials.KeyPair second = Credentials.loadOrGenerate(dir);

        assertThat(second.generated()).isFalse();
        assertThat(second.apiKey()).isEqualTo(first.apiKey());
        assertThat(second.apiSecret()).isEqualTo(first.apiSecret());
    }

    @Test
    void differentDataDirsGetDifferentSecrets(@TempDir Path dir) {
        assertThat(Credentials.loadOrGenerate(dir.resolve("a")).apiSecret())
                .isNotEqualTo(Credentials.loadOrGenerate(dir.resolve("b")).apiSecret());
    }

    @Test
    void generatedPairStartsAServerConfig(@TempDir Path dir) {
        Credentials.KeyPair kp = Credentials.loadOrGenerate(dir);

        ServerConfig c = ServerConfig.builder()
                .apiKey(kp.apiKey())
                .apiSecret(kp.apiSecret())
                .dataDir(dir)
                .build();

        assertThat(c.apiSecret()).isEqualTo(kp.apiSecret());
    }

    @Test
    void theFileIsReadableByItsOwnerOnly(@TempDir Path dir) throws IOException {
        Credentials.loadOrGenerate(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Credentials.FILE))))
                .isEqualTo("rw-------");
    }

    @Test
    void fileWithAShortSecretIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(Credentials.FILE), "{\"api_key\":\"k\",\"api_secret\":\"short\"}");

        assertThatThrownBy(() -> Credentials.loadOrGenerate(dir))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageContaining(Credentials.FILE);
    }
}
