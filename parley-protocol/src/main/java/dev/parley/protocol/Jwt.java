package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureGenerationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * HS256 JSON Web Tokens as Stream's SDKs make them.
 *
 * <p>Decoding, the HMAC check and the time checks are auth0's java-jwt; this class only maps its outcomes
 * onto the auth codes: 5 for a malformed token (claims of the wrong type or out of range included), 43 for
 * a bad signature or another algorithm than HS256, 40 for an expired token, 41 for one not valid yet and 42
 * for one issued in the future. Thread-safe; the only state is a small cache of keyed algorithms.
 */
public final class Jwt {
    /** The signature segment of the JS SDK's development tokens. */
    public static final String DEV_SIGNATURE = "devtoken";

    /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(5);

    private static final String HEADER = Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private static final int MAX_KEYS = 16;
    private static final Map<String, Algorithm> KEYED = new ConcurrentHashMap<>();

    private Jwt() {}

    /**
     * The claims of a token that passed verification: {@code user_id} when it is a string, whether
     * {@code server} is {@code true}, and the times.
     */
    public record Claims(String userId, boolean server, Instant issuedAt, Instant expiresAt) {}

    /** Signs the claims with HS256 under {@code secret} (its UTF-8 bytes). */
    public static String sign(Map<String, ?> claims, String secret) {
        requireNonNull(claims, "claims");
        requireNonNull(secret, "secret");
        // The header and the claims are written here rather than by JWT.create() so that they keep the
        // byte order Stream's SDKs produce: {"alg":"HS256","typ":"JWT"} and the caller's claim order.
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(Json.writeBytes(claims));
        byte[] signature;
        try {
            signature = hs256(secret)
                    .sign(HEADER.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII));
        } catch (SignatureGenerationException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        return HEADER + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    /** A user token for {@code userId}; {@code expiresAt} and {@code issuedAt} may be null. */
    public static String userToken(
            String secret, String userId, @Nullable Instant expiresAt, @Nullable Instant issuedAt) {
        requireNonNull(userId, "userId");
        var claims = new java.util.LinkedHashMap<String, Object>();
        claims.put("user_id", userId);
        if (expiresAt != null) {
            claims.put("exp", expiresAt.getEpochSecond());
        }
        if (issuedAt != null) {
            claims.put("iat", issuedAt.getEpochSecond());
        }
        return sign(claims, secret);
    }

    /** A server token: {@code {"server": true}}. */
    public static String serverToken(String secret) {
        return sign(Map.of("server", true), secret);
    }

    /** The JS SDK's unsigned development token for {@code userId}. */
    public static String devToken(String userId) {
        String payload = Base64.getEncoder().encodeToString(Json.writeBytes(Map.of("user_id", userId)));
        return HEADER + "." + payload + "." + DEV_SIGNATURE;
    }

    /**
     * Reads the claims of a token without checking its signature or times. For clients that check a
     * token's {@code user_id} before connecting.
     *
     * @throws ChatException code 5 when the token is malformed
     */
    public static ObjectNode decodeUnverified(String token) {
        String[] parts = split(strip(token));
        return decodePayload(parts[1]);
    }

    /**
     * Verifies a token.
     *
     * @param secret the app secret
     * @param now the current time
     * @param skipSignature true when the app has authentication checks disabled: then the signature,
     *     a development token's included, is not checked, but the times are
     * @throws ChatException with an auth code (5, 40, 41, 42, 43) when the token is not valid
     */
    public static Claims verify(String token, String secret, Instant now, boolean skipSignature) {
        String jwt = strip(token);
        String[] parts = split(jwt);
        if (!skipSignature && DEV_SIGNATURE.equals(parts[2])) {
            throw new ChatException(
                    ErrorCode.TOKEN_SIGNATURE_INVALID,
                    "JWTAuth error: development tokens are refused while authentication checks are enabled");
        }
        DecodedJWT verified;
        try {
            if (skipSignature) {
                // Development tokens encode their payload in standard base64 with padding, which JWT
                // decoders refuse; the segments are re-encoded to base64url first.
                DecodedJWT decoded =
                        JWT.decode(urlSegment(parts[0]) + "." + urlSegment(parts[1]) + "." + urlSegment(parts[2]));
                if (decoded.getAlgorithm() == null) {
                    throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token header has no 'alg'");
                }
                verified = verifier(new Unchecked(decoded.getAlgorithm()), now).verify(decoded);
            } else {
                verified = verifier(hs256(secret), now).verify(jwt);
            }
        } catch (SignatureVerificationException e) {
            throw new ChatException(ErrorCode.TOKEN_SIGNATURE_INVALID, "JWTAuth error: signature is not valid");
        } catch (AlgorithmMismatchException e) {
            throw new ChatException(
                    ErrorCode.TOKEN_SIGNATURE_INVALID,
                    "JWTAuth error: the token's algorithm is not supported (expected: HS256)");
        } catch (TokenExpiredException e) {
            throw new ChatException(ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has expired");
        } catch (IncorrectClaimException e) {
            throw switch (e.getClaimName()) {
                case "nbf" -> new ChatException(ErrorCode.TOKEN_NOT_VALID_YET, "JWTAuth error: token is not valid yet");
                case "iat" ->
                    new ChatException(
                            ErrorCode.TOKEN_USED_BEFORE_ISSUED_AT, "JWTAuth error: token used before issued at (iat)");
                default ->
                    new ChatException(
                            ErrorCode.AUTHENTICATION, "JWTAuth error: claim '" + e.getClaimName() + "' is not valid");
            };
        } catch (JWTVerificationException e) {
            // JWTDecodeException among them. Its message quotes the decoded token, which is not echoed.
            throw new ChatException(
                    ErrorCode.AUTHENTICATION,
                    "JWTAuth error: token is malformed (expected: base64url "
                            + "segments of JSON objects; exp, nbf and iat as numbers of seconds)");
        } catch (DateTimeException | ArithmeticException e) {
            // A time claim that fits a long but not an Instant (beyond the year 1,000,000,000).
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: a time claim is out of range");
        } catch (ChatException e) {
            throw e;
        } catch (RuntimeException e) {
            // java-jwt lets a few malformed tokens through as other exceptions (a header or payload of JSON
            // null is a NullPointerException); whatever it is, the token is not valid.
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token is malformed");
        }
        return new Claims(
                verified.getClaim("user_id").asString(),
                Boolean.TRUE.equals(verified.getClaim("server").asBoolean()),
                verified.getIssuedAtAsInstant(),
                verified.getExpiresAtAsInstant());
    }

    /**
     * A verifier for one check. java-jwt takes the time from a clock fixed at build; building is cheap
     * (a list of three checks) next to the HMAC, and keeps {@code now} a plain argument.
     */
    @SuppressWarnings("JavaDurationGetSecondsToToSeconds") // toSeconds() is not on Android 8
    private static JWTVerifier verifier(Algorithm algorithm, Instant now) {
        return ((JWTVerifier.BaseVerification) JWT.require(algorithm).acceptLeeway(DEFAULT_SKEW.getSeconds()))
                .build(Clock.fixed(now, ZoneOffset.UTC));
    }

    /** The token without a {@code Bearer } prefix. */
    private static String strip(String token) {
        if (token == null || token.trim().isEmpty()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token is missing");
        }
        return token.startsWith("Bearer ") ? token.substring(7) : token;
    }

    private static String[] split(String t) {
        String[] parts = t.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new ChatException(
                    ErrorCode.AUTHENTICATION, "JWTAuth error: token is not a JWT (expected 3 segments)");
        }
        return parts;
    }

    private static ObjectNode decodePayload(String segment) {
        JsonNode node;
        try {
            node = Json.parse(decodeSegment(segment), "token payload");
        } catch (ChatException e) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token payload is not JSON");
        }
        if (!node.isObject()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token payload is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Decodes base64 in either alphabet, with or without padding, as dev tokens need. */
    private static byte[] decodeSegment(String segment) {
        try {
            return Base64.getUrlDecoder().decode(urlSegment(segment));
        } catch (IllegalArgumentException e) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token payload is not base64");
        }
    }

    /** {@code segment} in the base64url alphabet without padding. */
    private static String urlSegment(String segment) {
        String s = segment.replace('+', '-').replace('/', '_');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * The HS256 algorithm keyed with {@code secret}. An app has one or two secrets; the cache is cleared
     * should it ever hold more than {@link #MAX_KEYS}.
     */
    private static Algorithm hs256(String secret) {
        Algorithm algorithm = KEYED.get(secret);
        if (algorithm == null) {
            algorithm = new KeyedHs256(secret.getBytes(StandardCharsets.UTF_8));
            if (KEYED.size() >= MAX_KEYS) {
                KEYED.clear();
            }
            KEYED.putIfAbsent(secret, algorithm);
        }
        return algorithm;
    }

    /**
     * HS256 with its key prepared once. java-jwt's own HMAC algorithm looks up and keys a new {@link Mac} for
     * every check; a connect storm (W2) spent its largest share of the library's extra cost there, so a
     * keyed prototype is cloned per check instead. The MAC is the JDK's, and the comparison constant-time;
     * java-jwt still decodes the token and checks its algorithm and times.
     */
    private static final class KeyedHs256 extends Algorithm {
        private final Mac prototype;
        private final byte[] secret;

        KeyedHs256(byte[] secret) {
            super("HS256", "HmacSHA256");
            this.secret = secret.clone();
            this.prototype = keyed();
        }

        private Mac keyed() {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        }

        private Mac mac() {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                return keyed(); // a provider whose MAC cannot be cloned: key one per check
            }
        }

        @Override
        public void verify(DecodedJWT jwt) {
            byte[] given;
            try {
                given = Base64.getUrlDecoder().decode(jwt.getSignature());
            } catch (IllegalArgumentException e) {
                throw new SignatureVerificationException(this, e);
            }
            byte[] expected = sign(
                    jwt.getHeader().getBytes(StandardCharsets.US_ASCII),
                    jwt.getPayload().getBytes(StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(expected, given)) {
                throw new SignatureVerificationException(this);
            }
        }

        @Override
        public byte[] sign(byte[] headerBytes, byte[] payloadBytes) {
            Mac mac = mac();
            mac.update(headerBytes);
            mac.update((byte) '.');
            return mac.doFinal(payloadBytes);
        }

        @Override
        public byte[] sign(byte[] contentBytes) {
            return mac().doFinal(contentBytes);
        }
    }

    /**
     * Accepts any signature under the algorithm the token names, for apps with authentication checks
     * disabled: the verifier still decodes the token and checks its times.
     */
    private static final class Unchecked extends Algorithm {
        Unchecked(String name) {
            super(name, "unchecked");
        }

        @Override
        public void verify(DecodedJWT jwt) {}

        @Override
        public byte[] sign(byte[] contentBytes) {
            throw new UnsupportedOperationException("an unchecked algorithm does not sign");
        }
    }
}
