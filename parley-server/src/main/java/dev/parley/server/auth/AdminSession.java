package dev.parley.server.auth;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Short-lived tokens for the operator dashboard, so that the API secret never stays in a browser: the
 * dashboard trades key and secret for a token once ({@code POST /parley/admin/session}) and keeps only that.
 *
 * <p>The token is an HS256 JWT signed with the app secret, carrying {@code parley_admin: true}, {@code iat}
 * and an {@code exp} {@link #LIFETIME} later. It has neither {@code user_id} nor {@code server}, so every
 * Stream endpoint refuses it (code 5); only the {@code /parley/*} operator endpoints accept it, with the
 * rights of a server token. Stateless and thread-safe.
 */
public final class AdminSession {
    /** How long an admin session token is valid. */
    public static final Duration LIFETIME = Duration.ofHours(1);

    /** The claim that marks an admin session token. */
    public static final String CLAIM = "parley_admin";

    private final String apiKey;
    private final String apiSecret;
    private final Clock clock;

    /** An issued token and its expiry. */
    public record Issued(String token, Instant expiresAt) {}

    public AdminSession(String apiKey, String apiSecret, Clock clock) {
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.apiSecret = requireNonNull(apiSecret, "apiSecret");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Issues a token when key and secret are the app's.
     *
     * @throws ChatException code 5 when either is wrong (the message does not say which)
     */
    public Issued issue(String key, String secret) {
        if (key == null || secret == null || !equal(key, apiKey) || !equal(secret, apiSecret)) {
            throw new ChatException(
                    ErrorCode.AUTHENTICATION, "CreateAdminSession failed with error: \"api key or secret is wrong\"");
        }
        Instant now = clock.instant();
        Instant exp = now.plus(LIFETIME);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put(CLAIM, true);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        return new Issued(Jwt.sign(claims, apiSecret), Instant.ofEpochSecond(exp.getEpochSecond()));
    }

    /**
     * Whether {@code token} is a valid admin session token; a token that claims to be one but is expired
     * or badly signed is refused with its auth code (40, 43...).
     */
    public boolean accepts(@Nullable String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        var unverified = decode(token);
        if (unverified == null || !unverified.path(CLAIM).asBoolean(false)) {
            return false;
        }
        Jwt.Claims claims = Jwt.verify(token, apiSecret, clock.instant(), false);
        if (claims.expiresAt() == null) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: an admin session token must expire");
        }
        return true;
    }

    private static com.fasterxml.jackson.databind.node.@Nullable ObjectNode decode(String token) {
        try {
            return Jwt.decodeUnverified(token);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
