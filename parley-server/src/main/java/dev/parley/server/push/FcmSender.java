package dev.parley.server.push;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Firebase Cloud Messaging, HTTP v1 API (PROTOCOL.md §16.3). The provider's service account signs an RS256
 * assertion that its {@code token_uri} exchanges for an OAuth access token (scope {@value #SCOPE}), kept until
 * five minutes before it expires; each device gets one {@code messages:send} of a {@code message} with its
 * {@code token}, the rendered {@code notification} and {@code data}, and the APNs template under
 * {@code apns.payload} when one is set. 404, or an answer naming an unregistered or invalid registration token,
 * means the device is gone. Thread-safe.
 */
final class FcmSender {
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    static final String ENDPOINT = "https://fcm.googleapis.com";

    /** The keys FCM v1 takes in {@code notification}; others go to {@code android.notification}. */
    private static final Set<String> NOTIFICATION_KEYS = Set.of("title", "body", "image");

    private record Access(String token, Instant expires, String credentials) {}

    private final PushHttp http;
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, CompletableFuture<Access>> tokens = new ConcurrentHashMap<>();

    FcmSender(PushHttp http, Clock clock, Duration timeout) {
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** The v1 request body for one device. */
    static ObjectNode message(
            String deviceToken,
            ObjectNode notification,
            ObjectNode data,
            @org.jspecify.annotations.Nullable ObjectNode apn) {
        ObjectNode m = Json.object();
        ObjectNode msg = m.putObject("message");
        msg.put("token", deviceToken);
        ObjectNode n = Json.object();
        ObjectNode android = Json.object();
        notification.properties().forEach(e -> {
            if (NOTIFICATION_KEYS.contains(e.getKey())) {
                n.put(e.getKey(), e.getValue().asText());
            } else {
                android.set(
                        e.getKey(),
                        e.getValue().isValueNode()
                                ? Json.mapper()
                                        .getNodeFactory()
                                        .textNode(e.getValue().asText())
                                : e.getValue());
            }
        });
        if (!n.isEmpty()) {
            msg.set("notification", n);
        }
        if (!android.isEmpty()) {
            msg.putObject("android").set("notification", android);
        }
        ObjectNode d = msg.putObject("data");
        // FCM's data values are strings: an object or a number is sent as its JSON text.
        data.properties()
                .forEach(e -> d.put(
                        e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : Json.write(e.getValue())));
        if (apn != null && !apn.isEmpty()) {
            msg.putObject("apns").set("payload", apn);
        }
        return m;
    }

    CompletableFuture<Outcome> send(PushConfig.Provider p, String deviceToken, ObjectNode body) {
        PushConfig.ServiceAccount account;
        try {
            account = PushConfig.serviceAccount(p.text("firebase_credentials"));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Outcome(Outcome.Kind.FAILED, String.valueOf(e.getMessage())));
        }
        String base = p.text("firebase_host").isEmpty() ? ENDPOINT : ApnsSender.stripSlash(p.text("firebase_host"));
        URI url = URI.create(base + "/v1/projects/" + URLEncoder.encode(account.projectId(), StandardCharsets.UTF_8)
                + "/messages:send");
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        return access(p, account)
                .thenCompose(token -> http.post(
                                url,
                                Map.of(
                                        "authorization",
                                        "Bearer " + token,
                                        "content-type",
                                        "application/json; charset=UTF-8"),
                                bytes,
                                timeout)
                        .thenApply(a -> {
                            if (a.status() == 200) {
                                return Outcome.SENT;
                            }
                            if (a.status() == 401) {
                                tokens.remove(key(p));
                            }
                            JsonNode error = Outcome.answer(a.body()).path("error");
                            String words = error.path("status").asText("") + " "
                                    + error.path("message").asText("");
                            boolean gone = a.status() == 404
                                    || a.body().contains("UNREGISTERED")
                                    || (a.status() == 400 && words.contains("registration token"));
                            return Outcome.of(a.status(), words.isBlank() ? a.body() : words.trim(), gone);
                        }));
    }

    /**
     * The provider's access token: the one kept while it is good, the one being asked for, or a new one asked of
     * the token endpoint (a failed ask is asked again by the next push).
     */
    private CompletableFuture<String> access(PushConfig.Provider p, PushConfig.ServiceAccount account) {
        String credentials = p.text("firebase_credentials");
        Instant now = clock.instant();
        return tokens.compute(key(p), (k, kept) -> {
                    if (kept != null && !kept.isDone()) {
                        return kept;
                    }
                    if (kept != null && !kept.isCompletedExceptionally()) {
                        Access a = kept.join();
                        if (a.credentials().equals(credentials) && a.expires().isAfter(now)) {
                            return kept;
                        }
                    }
                    return ask(account, credentials, now);
                })
                .thenApply(Access::token);
    }

    /** Exchanges a signed assertion for an access token (RFC 7523), never completing on the caller's thread. */
    private CompletableFuture<Access> ask(PushConfig.ServiceAccount account, String credentials, Instant now) {
        String assertion;
        try {
            assertion = JWT.create()
                    .withIssuer(account.clientEmail())
                    .withClaim("scope", SCOPE)
                    .withAudience(account.tokenUri().toString())
                    .withIssuedAt(Date.from(now))
                    .withExpiresAt(Date.from(now.plusSeconds(3600)))
                    .sign(Algorithm.RSA256(null, account.key()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        String form = "grant_type="
                + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
        return http.post(
                        account.tokenUri(),
                        Map.of("content-type", "application/x-www-form-urlencoded"),
                        form.getBytes(StandardCharsets.UTF_8),
                        timeout)
                .thenApply(a -> {
                    JsonNode t = Outcome.answer(a.body());
                    String token = t.path("access_token").asText("");
                    if (a.status() != 200 || token.isEmpty()) {
                        throw new IllegalStateException(
                                "the token endpoint answered " + a.status() + " " + Outcome.shorten(a.body()));
                    }
                    long seconds = Math.max(60, t.path("expires_in").asLong(3600));
                    return new Access(token, now.plusSeconds(seconds - Math.min(300, seconds / 2)), credentials);
                });
    }

    private static String key(PushConfig.Provider p) {
        return p.type() + ":" + p.name();
    }
}
