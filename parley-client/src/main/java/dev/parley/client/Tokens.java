package dev.parley.client;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.Jwt;
import java.time.Instant;

/**
 * Makes HS256 tokens for a Parley (or Stream) app, for backend code that holds the API secret
 * (PROTOCOL.md §2.3). Never ship the secret in a client app: hand user tokens to clients instead.
 *
 * <p>Stateless and thread-safe.
 */
public final class Tokens {
    private Tokens() {}

    /** A user token for {@code userId} that never expires. */
    public static String user(String secret, String userId) {
        return Jwt.userToken(requireNonNull(secret, "secret"), requireNonNull(userId, "userId"), null, null);
    }

    /**
     * A user token for {@code userId} that expires at {@code expiresAt}, issued now minus 5 seconds so
     * that a server whose clock is slightly behind does not refuse it with code 42.
     */
    public static String user(String secret, String userId, Instant expiresAt) {
        requireNonNull(expiresAt, "expiresAt");
        return Jwt.userToken(
                requireNonNull(secret, "secret"),
                requireNonNull(userId, "userId"),
                expiresAt,
                Instant.now().minusSeconds(5));
    }

    /** A server token, {@code {"server": true}}: full access to every endpoint. */
    public static String server(String secret) {
        return Jwt.serverToken(requireNonNull(secret, "secret"));
    }
}
