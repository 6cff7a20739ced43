package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * One synchronous, signed call to a hook whose answer a request waits for (the before-send hook, the custom
 * command handler): the same headers as a webhook (PROTOCOL.md §15.2), one attempt, a time limit for the
 * whole answer and a bound on its size. Thread-safe.
 */
final class SyncHook {
    /** Most bytes of an answer read; a longer one is not usable. */
    static final int MAX_ANSWER_BYTES = 256 * 1024;

    /** A usable answer (a JSON document, or null for an empty body), or why there is none. */
    record Answer(@Nullable JsonNode json, @Nullable String failure) {}

    private final String apiKey;
    private final SecretKeySpec key;
    private final Supplier<HookHttp> http;

    SyncHook(String apiKey, String apiSecret, Supplier<HookHttp> http) {
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.key = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.http = requireNonNull(http, "http");
    }

    /** Posts {@code body} to {@code url} and waits at most {@code timeoutMs} for the whole answer. */
    Answer call(URI url, byte[] body, int timeoutMs) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "parley-webhooks");
        headers.put("X-Api-Key", apiKey);
        headers.put("X-Signature", WebhookDispatcher.sign(key, body));
        headers.put("X-Webhook-Id", UUID.randomUUID().toString());
        headers.put("X-Webhook-Attempt", "1");
        Duration limit = Duration.ofMillis(timeoutMs);
        try {
            HookHttp.Answer a = http.get()
                    .post(url, headers, body, limit, MAX_ANSWER_BYTES)
                    .get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
            if (a.status() < 200 || a.status() >= 300) {
                return failure("HTTP " + a.status());
            }
            return parse(a.body());
        } catch (TimeoutException e) {
            return failure("no answer within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return failure(
                    cause instanceof java.io.IOException ? String.valueOf(cause.getMessage()) : String.valueOf(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure("interrupted");
        }
    }

    /** An answer's body as JSON: strict, with no NUL character, within the size bound. */
    private static Answer parse(byte[] body) {
        if (body.length > MAX_ANSWER_BYTES) {
            return failure("answer longer than " + MAX_ANSWER_BYTES + " bytes");
        }
        if (body.length == 0) {
            return new Answer(null, null);
        }
        if (new String(body, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("\\u0000")) {
            return failure("the answer holds a NUL character");
        }
        try {
            return new Answer(Json.parseRequest(body, "hook answer"), null);
        } catch (RuntimeException e) {
            return failure("the answer is not JSON: " + e.getMessage());
        }
    }

    private static Answer failure(String why) {
        return new Answer(null, why);
    }
}
