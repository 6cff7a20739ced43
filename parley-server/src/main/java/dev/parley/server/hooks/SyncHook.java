package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
    private final LazyHttp http;

    SyncHook(String apiKey, String apiSecret, LazyHttp http) {
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.key = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.http = requireNonNull(http, "http");
    }

    /** Posts {@code body} to {@code url} and waits at most {@code timeoutMs} for the whole answer. */
    Answer call(URI url, byte[] body, int timeoutMs) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                .header("User-Agent", "parley-webhooks")
                .header("X-Api-Key", apiKey)
                .header("X-Signature", WebhookDispatcher.sign(key, body))
                .header("X-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Webhook-Attempt", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<InputStream>> sent;
        try {
            sent = http.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IllegalStateException stopping) {
            return failure("the node is stopping");
        }
        AtomicReference<InputStream> stream = new AtomicReference<>();
        // The body is read within the same time limit: a hook that sends its head and then stalls is cut off.
        CompletableFuture<Raw> answered = sent.thenApply(r -> {
            stream.set(r.body());
            try (InputStream in = r.body()) {
                return new Raw(r.statusCode(), in.readNBytes(MAX_ANSWER_BYTES + 1));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            Raw a = answered.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (a.status() < 200 || a.status() >= 300) {
                return failure("HTTP " + a.status());
            }
            return parse(a.body());
        } catch (TimeoutException e) {
            sent.cancel(true);
            closeQuietly(stream.get());
            return failure("no answer within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            return failure(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            sent.cancel(true);
            closeQuietly(stream.get());
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

    private record Raw(int status, byte[] body) {}

    private static void closeQuietly(@Nullable InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the exchange is being abandoned anyway
            }
        }
    }
}
