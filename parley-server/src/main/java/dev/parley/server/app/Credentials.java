package dev.parley.server.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The app's key and secret when none is configured: generated on the first start and kept in
 * {@code <data-dir>/credentials.json} (owner-readable only), so that every later start uses the same.
 */
public final class Credentials {
    static final String FILE = "credentials.json";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key and a secret, and whether they were generated just now. */
    public record KeyPair(String apiKey, String apiSecret, boolean generated) {}

    private Credentials() {}

    /** Loads the stored pair, or generates and stores a new one. */
    public static KeyPair loadOrGenerate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                ObjectNode o = Json.parseObject(Files.readString(file, StandardCharsets.UTF_8), FILE);
                String key = o.path("api_key").asText("");
                String secret = o.path("api_secret").asText("");
                if (key.isEmpty() || secret.length() < ServerConfig.MIN_SECRET_BYTES) {
                    throw new ConfigLoader.ConfigException(
                            file + " does not hold an api_key and an api_secret of at least "
                                    + ServerConfig.MIN_SECRET_BYTES + " bytes; fix or delete it");
                }
                return new KeyPair(key, secret, false);
            }
            Files.createDirectories(dataDir);
            String key = random(9);
            String secret = random(36);
            ObjectNode o = Json.object();
            o.put("api_key", key);
            o.put("api_secret", secret);
            Files.writeString(file, o.toPrettyString() + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the file keeps its default permissions
            }
            return new KeyPair(key, secret, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(b)
                .toLowerCase(Locale.ROOT)
                .replace('-', 'x')
                .replace('_', 'y');
    }
}
