package dev.parley.server.push;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.PushConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apple Push Notification service over HTTP/2 with token authentication (PROTOCOL.md §16.3): a request per
 * device to {@code /3/device/<token>}, signed with an ES256 JWT made from the provider's {@code .p8} key
 * ({@code kid} the key id, {@code iss} the team id). A JWT is reused for {@value #JWT_MINUTES} minutes, as
 * Apple asks (not more often than every 20, not longer than 60). 410, and 400 BadDeviceToken or
 * DeviceTokenNotForTopic, mean the device is gone. Thread-safe.
 */
final class ApnsSender {
    static final String PRODUCTION = "https://api.push.apple.com";
    static final String DEVELOPMENT = "https://api.sandbox.push.apple.com";
    static final int JWT_MINUTES = 40;

    private record Signed(String jwt, Instant at, String keyDigest) {}

    private final PushHttp http;
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, Signed> tokens = new ConcurrentHashMap<>();

    ApnsSender(PushHttp http, Clock clock, Duration timeout) {
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
    }

    CompletableFuture<Outcome> send(PushConfig.Provider p, String deviceToken, ObjectNode payload) {
        String jwt;
        try {
            jwt = token(p);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new Outcome(Outcome.Kind.FAILED, "the provider's key cannot sign: " + e.getMessage()));
        }
        String host = p.text("apn_host");
        if (host.isEmpty()) {
            host = p.fields().path("apn_development").asBoolean(false) ? DEVELOPMENT : PRODUCTION;
        }
        URI url = URI.create(stripSlash(host) + "/3/device/" + URLEncoder.encode(deviceToken, StandardCharsets.UTF_8));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("authorization", "bearer " + jwt);
        headers.put("apns-topic", p.text("apn_topic"));
        headers.put("apns-push-type", "alert");
        headers.put("apns-priority", "10");
        headers.put("content-type", "application/json");
        byte[] body = Json.write(payload).getBytes(StandardCharsets.UTF_8);
        return http.post(url, headers, body, timeout).thenApply(a -> {
            if (a.status() == 200) {
                return Outcome.SENT;
            }
            String reason = Outcome.answer(a.body()).path("reason").asText("");
            if (a.status() == 403 && reason.endsWith("ProviderToken")) {
                tokens.remove(key(p));
            }
            boolean gone = a.status() == 410
                    || (a.status() == 400
                            && (reason.equals("BadDeviceToken") || reason.equals("DeviceTokenNotForTopic")));
            return Outcome.of(a.status(), reason.isEmpty() ? a.body() : reason, gone);
        });
    }

    private String token(PushConfig.Provider p) {
        String digest = p.text("apn_auth_key").hashCode() + ":" + p.text("apn_key_id") + ":" + p.text("apn_team_id");
        Instant now = clock.instant();
        Signed s = tokens.get(key(p));
        if (s != null
                && s.keyDigest().equals(digest)
                && s.at().plus(Duration.ofMinutes(JWT_MINUTES)).isAfter(now)) {
            return s.jwt();
        }
        String jwt = JWT.create()
                .withKeyId(p.text("apn_key_id"))
                .withIssuer(p.text("apn_team_id"))
                .withIssuedAt(Date.from(now))
                .sign(Algorithm.ECDSA256(null, PushConfig.apnKey(p.text("apn_auth_key"))));
        tokens.put(key(p), new Signed(jwt, now, digest));
        return jwt;
    }

    private static String key(PushConfig.Provider p) {
        return p.type() + ":" + p.name();
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
