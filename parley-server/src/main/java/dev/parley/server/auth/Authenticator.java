package dev.parley.server.auth;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.User;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Checks the API key and the token of a REST call or a socket handshake (PROTOCOL.md §2.7), in that order:
 * key (2), token form (5), signature (43), times (40, 41, 42). Revocation (§2.8) is checked by
 * {@link #checkRevocation}. Thread-safe.
 *
 * <p>A REST client sends the same token with every call, so tokens that passed verification on a REST call
 * are remembered (at most {@link #MAX_REMEMBERED}): a remembered token skips the decoding and the HMAC, whose
 * outcome cannot change for the same string and secret, but its times are checked again on every call, and
 * tokens are never remembered while authentication checks are disabled. A token is remembered at its second
 * REST call (a fixed table of hashes notes the first), and a socket's token not at all, so that a user who
 * connects and makes one call holds no entry.
 */
public final class Authenticator {
    private final String apiKey;
    private final String apiSecret;
    private final Clock clock;
    private final Supplier<dev.parley.server.config.AppSettings> settings;

    /** Most tokens remembered; past it a quarter of them is forgotten. */
    static final int MAX_REMEMBERED = 16_384;

    private final ConcurrentHashMap<String, Remembered> remembered = new ConcurrentHashMap<>();

    /**
     * The hashes of tokens seen once on a REST call, one slot per hash's low bits: a hint only (a collision
     * remembers a token at its first call, a race forgets one), never a reason to trust a token. Races on the
     * slots are harmless for that reason.
     */
    private final int[] seenOnce = new int[MAX_REMEMBERED];

    /** A token's claims and when its signature and times were last checked in full. */
    private record Remembered(Jwt.Claims claims, Instant checkedAt) {}

    public Authenticator(
            String apiKey, String apiSecret, Clock clock, Supplier<dev.parley.server.config.AppSettings> settings) {
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.apiSecret = requireNonNull(apiSecret, "apiSecret");
        this.clock = requireNonNull(clock, "clock");
        this.settings = requireNonNull(settings, "settings");
    }

    /** What a verified token says. */
    public record Identity(Caller caller, @Nullable Instant issuedAt) {}

    /** @throws ChatException code 2 when {@code key} is missing or not this app's key */
    public void checkApiKey(@Nullable String key) {
        if (key == null || key.isEmpty()) {
            throw new ChatException(ErrorCode.ACCESS_KEY, "api_key not found");
        }
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            throw new ChatException(ErrorCode.ACCESS_KEY, "api_key not valid");
        }
    }

    /**
     * Authenticates a call.
     *
     * @param authType the {@code stream-auth-type} value; null means {@code jwt}
     * @param token the {@code Authorization} value
     */
    public Identity authenticate(@Nullable String authType, @Nullable String token) {
        return authenticate(authType, token, false);
    }

    /**
     * Authenticates a call; with {@code remember}, a token that passes is remembered for the caller's next
     * calls (see the class comment). REST calls remember; a socket's handshake does not.
     */
    public Identity authenticate(@Nullable String authType, @Nullable String token, boolean remember) {
        if ("anonymous".equals(authType)) {
            return new Identity(new Caller.Anonymous(), null);
        }
        if (authType != null && !authType.isEmpty() && !"jwt".equals(authType)) {
            throw new ChatException(
                    ErrorCode.AUTHENTICATION, "stream-auth-type: '" + authType + "' (expected: jwt or anonymous)");
        }
        boolean skip = settings.get().disableAuthChecks();
        if (token == null) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token is missing"); // as Jwt.verify
        }
        Jwt.Claims claims = verify(token, skip, remember);
        if (claims.userId() != null && !claims.userId().isEmpty()) {
            // App-wide revocation covers user tokens only: a server token such as the JS SDK's
            // {"server": true} has no iat, and revoking it would lock the backend out of PATCH /app.
            checkAppRevocation(claims.issuedAt());
            return new Identity(new Caller.UserCaller(claims.userId()), claims.issuedAt());
        }
        if (claims.server()) {
            if (skip && Jwt.DEV_SIGNATURE.equals(token.substring(token.lastIndexOf('.') + 1))) {
                throw new ChatException(
                        ErrorCode.AUTHENTICATION, "JWTAuth error: a development token cannot be a server token");
            }
            return new Identity(new Caller.Server(), claims.issuedAt());
        }
        throw new ChatException(
                ErrorCode.AUTHENTICATION, "JWTAuth error: token has no user_id claim and is not a server token");
    }

    /**
     * {@link Jwt#verify}, or a remembered outcome: a remembered token still answers code 40 once expired, and
     * a clock that went back before the full check makes the check run again (its {@code nbf} and {@code iat}
     * passed at the full check, and time only moves on).
     */
    private Jwt.Claims verify(String token, boolean skip, boolean remember) {
        Instant now = clock.instant();
        if (!skip) {
            Remembered r = remembered.get(token);
            if (r != null
                    && !now.isBefore(r.checkedAt())
                    && (r.claims().expiresAt() == null
                            || !now.isAfter(r.claims().expiresAt().plus(Jwt.DEFAULT_SKEW)))) {
                return r.claims();
            }
        }
        Jwt.Claims claims = Jwt.verify(token, apiSecret, now, skip);
        if (remember && !skip && secondCall(token)) {
            if (remembered.size() >= MAX_REMEMBERED) {
                forgetSome();
            }
            remembered.put(token, new Remembered(claims, now));
        }
        return claims;
    }

    /** Whether {@code token} was seen on a REST call before (probably); notes it otherwise. */
    private boolean secondCall(String token) {
        int h = token.hashCode();
        int slot = h & (seenOnce.length - 1);
        if (seenOnce[slot] == h) {
            return true;
        }
        seenOnce[slot] = h;
        return false;
    }

    /** Forgets about a quarter of the remembered tokens (whichever the map yields first). */
    private void forgetSome() {
        Iterator<String> it = remembered.keySet().iterator();
        for (int i = 0; i < MAX_REMEMBERED / 4 && it.hasNext(); i++) {
            it.next();
            it.remove();
        }
    }

    /** How many tokens are remembered; for tests. */
    int rememberedTokens() {
        return remembered.size();
    }

    private void checkAppRevocation(@Nullable Instant issuedAt) {
        Instant revoked = settings.get().revokeTokensIssuedBefore();
        if (revoked != null && (issuedAt == null || issuedAt.isBefore(revoked))) {
            throw new ChatException(ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has been revoked");
        }
    }

    /** Refuses a user token issued before the user's own revocation date (§2.8) with code 40. */
    public static void checkRevocation(Identity identity, @Nullable User user) {
        if (user == null
                || user.revokeTokensIssuedBefore() == null
                || !(identity.caller() instanceof Caller.UserCaller)) {
            return;
        }
        Instant iat = identity.issuedAt();
        if (iat == null || iat.isBefore(user.revokeTokensIssuedBefore())) {
            throw new ChatException(ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has been revoked");
        }
    }
}
