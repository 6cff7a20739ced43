package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 JSON Web Tokens as Stream's SDKs make them (PROTOCOL.md §2.3, §2.5).
 *
 * <p>Thread-safe; the only state is a small cache of keyed HMACs. Verification maps every failure onto the auth codes of §2.7: 5 for a
 * malformed token, 43 for a bad signature, 40 for an expired one, 41 for one not valid yet and 42 for
 * one issued in the future.
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
    private static final Map<String, Mac> KEYED = new ConcurrentHashMap<>();

    private Jwt() {}

    /** The claims of a token that passed verification. */
    public record Claims(String userId, boolean server, Instant issuedAt, Instant expiresAt, ObjectNode raw) {}

    /** Signs the claims with HS256 under {@code secret} (its UTF-8 bytes). */
    public static String sign(Map<String, ?> claims, String secret) {
        requireNonNull(claims, "claims");
        requireNonNull(secret, "secret");
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(Json.writeBytes(claims));
        String signingInput = HEADER + "." + payload;
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(secret, signingInput));
    }

    /** A user token for {@code userId}; {@code expiresAt} and {@code issuedAt} may be null. */
    public static String userToken(String secret, String userId, Instant expiresAt, Instant issuedAt) {
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

    /** The JS SDK's unsigned development token for {@code userId} (§2.5). */
    public static String devToken(String userId) {
        String payload = Base64.getEncoder()
                .encodeToString(Json.writeBytes(Map.of("user_id", userId)));
        return HEADER + "." + payload + "." + DEV_SIGNATURE;
    }

    /**
     * Reads the claims of a token without checking its signature or times. For clients that check a
     * token's {@code user_id} before connecting.
     *
     * @throws ChatException code 5 when the token is malformed
     */
    public static ObjectNode decodeUnverified(String token) {
        String[] parts = split(token);
        return decodePayload(parts[1]);
    }

    /**
     * Verifies a token.
     *
     * @param secret the app secret
     * @param now the current time
     * @param skipSignature true when the app has authentication checks disabled: then the signature,
     *     a development token's included, is not checked
     * @throws ChatException with the auth code of §2.7 when the token is not valid
     */
    public static Claims verify(String token, String secret, Instant now, boolean skipSignature) {
        String[] parts = split(token);
        ObjectNode claims = decodePayload(parts[1]);
        if (!skipSignature) {
            if (DEV_SIGNATURE.equals(parts[2])) {
                throw new ChatException(ErrorCode.TOKEN_SIGNATURE_INVALID,
                        "JWTAuth error: development tokens are refused while authentication checks are enabled");
            }
            checkAlgorithm(parts[0]);
            byte[] expected = hmac(secret, parts[0] + "." + parts[1]);
            byte[] actual = decodeSegment(parts[2], "signature");
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new ChatException(ErrorCode.TOKEN_SIGNATURE_INVALID, "JWTAuth error: signature is not valid");
            }
        }
        Instant exp = time(claims, "exp");
        Instant nbf = time(claims, "nbf");
        Instant iat = time(claims, "iat");
        if (exp != null && exp.plus(DEFAULT_SKEW).isBefore(now)) {
            throw new ChatException(ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has expired");
        }
        if (nbf != null && nbf.minus(DEFAULT_SKEW).isAfter(now)) {
            throw new ChatException(ErrorCode.TOKEN_NOT_VALID_YET, "JWTAuth error: token is not valid yet");
        }
        if (iat != null && iat.minus(DEFAULT_SKEW).isAfter(now)) {
            throw new ChatException(
                    ErrorCode.TOKEN_USED_BEFORE_ISSUED_AT, "JWTAuth error: token used before issued at (iat)");
        }
        JsonNode userId = claims.get("user_id");
        JsonNode server = claims.get("server");
        return new Claims(
                userId != null && userId.isTextual() ? userId.asText() : null,
                server != null && server.asBoolean(false),
                iat,
                exp,
                claims);
    }

    private static String[] split(String token) {
        if (token == null || token.isBlank()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token is missing");
        }
        String t = token.startsWith("Bearer ") ? token.substring(7) : token;
        String[] parts = t.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token is not a JWT (expected 3 segments)");
        }
        return parts;
    }

    private static void checkAlgorithm(String headerSegment) {
        JsonNode header;
        try {
            header = Json.parse(decodeSegment(headerSegment, "header"), "token header");
        } catch (ChatException e) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token header is not JSON");
        }
        if (!"HS256".equals(header.path("alg").asText())) {
            throw new ChatException(ErrorCode.TOKEN_SIGNATURE_INVALID,
                    "JWTAuth error: algorithm '" + header.path("alg").asText() + "' is not supported (expected: HS256)");
        }
    }

    private static ObjectNode decodePayload(String segment) {
        JsonNode node;
        try {
            node = Json.parse(decodeSegment(segment, "payload"), "token payload");
        } catch (ChatException e) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token payload is not JSON");
        }
        if (!node.isObject()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token payload is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Decodes base64 in either alphabet, with or without padding, as dev tokens need. */
    private static byte[] decodeSegment(String segment, String what) {
        String s = segment.replace('+', '-').replace('/', '_');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        try {
            return Base64.getUrlDecoder().decode(s.substring(0, end));
        } catch (IllegalArgumentException e) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: token " + what + " is not base64");
        }
    }

    private static Instant time(ObjectNode claims, String name) {
        JsonNode n = claims.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new ChatException(ErrorCode.AUTHENTICATION, "JWTAuth error: claim '" + name + "' must be a number");
        }
        return Instant.ofEpochSecond(n.asLong());
    }

    private static byte[] hmac(String secret, String input) {
        return mac(secret).doFinal(input.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A fresh HMAC for {@code secret}: a clone of a keyed prototype, which skips the provider lookup and
     * the key schedule of {@code Mac.getInstance} and {@code init} (most of the cost of a check). An app
     * has one or two secrets; the cache is cleared should it ever hold more than {@link #MAX_KEYS}.
     */
    private static Mac mac(String secret) {
        Mac prototype = KEYED.get(secret);
        if (prototype == null) {
            prototype = newMac(secret);
            if (KEYED.size() >= MAX_KEYS) {
                KEYED.clear();
            }
            KEYED.putIfAbsent(secret, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac(secret);
        }
    }

    private static Mac newMac(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
