package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import dev.parley.server.metrics.Metrics;
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
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The before-message-send hook (PROTOCOL.md §15.4): a send is posted to {@code before_message_send_hook_url}
 * before it is stored, and the answer lets it pass, rewrites it or rejects it. Fail-open, as Stream's: a
 * timeout ({@code before_message_send_hook_attempt_timeout_ms}, default {@value #DEFAULT_TIMEOUT_MS} ms), a
 * refused connection, a status other than 2xx or an answer that is not a usable message lets the message
 * through unchanged, and is logged and counted. Called on the sender's virtual thread, never under a lock.
 */
public final class BeforeSendHook {
    private static final Logger log = LoggerFactory.getLogger(BeforeSendHook.class);

    /** The attempt's time limit when the settings name none. */
    public static final int DEFAULT_TIMEOUT_MS = 1500;

    /** Most bytes of an answer read; a longer one is not a usable message. */
    static final int MAX_ANSWER_BYTES = 256 * 1024;

    /** What the hook decided. */
    public sealed interface Verdict {
        /** Store the message as it is. */
        record Pass() implements Verdict {}

        /** Store the message with these fields of the answer's message set (the caller picks what applies). */
        record Rewrite(ObjectNode message) implements Verdict {}

        /** Store nothing; the sender gets an error message with this text. */
        record Reject(String text) implements Verdict {}
    }

    private static final Verdict PASS = new Verdict.Pass();

    private final Supplier<AppSettings> settings;
    private final String apiKey;
    private final SecretKeySpec key;
    private final LazyHttp http;
    private final Metrics metrics;

    BeforeSendHook(Supplier<AppSettings> settings, String apiKey, String apiSecret, LazyHttp http, Metrics metrics) {
        this.settings = requireNonNull(settings, "settings");
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.key = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.http = requireNonNull(http, "http");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Whether a hook is configured (else {@link #check} is not worth building its request for). */
    public boolean configured() {
        return settings.get().beforeSendHookUrl() != null;
    }

    /**
     * Asks the hook about a message about to be stored: {@code {message, user, channel}} as Stream sends them.
     * Blocks for at most the attempt's time limit.
     */
    public Verdict check(ObjectNode message, ObjectNode user, ObjectNode channel) {
        AppSettings s = settings.get();
        URI url = s.beforeSendHookUrl();
        if (url == null) {
            return PASS;
        }
        int timeoutMs = s.beforeSendHookTimeoutMs();
        ObjectNode body = Json.object();
        body.set("message", message);
        body.set("user", user);
        body.set("channel", channel);
        byte[] bytes = Json.writeBytes(body);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                .header("User-Agent", "parley-webhooks")
                .header("X-Api-Key", apiKey)
                .header("X-Signature", WebhookDispatcher.sign(key, bytes))
                .header("X-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Webhook-Attempt", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        CompletableFuture<HttpResponse<InputStream>> sent;
        try {
            sent = http.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IllegalStateException stopping) {
            return failOpen("the node is stopping");
        }
        java.util.concurrent.atomic.AtomicReference<InputStream> stream =
                new java.util.concurrent.atomic.AtomicReference<>();
        // The body is read within the same time limit: a hook that sends its head and then stalls is cut off.
        CompletableFuture<Answer> answered = sent.thenApply(r -> {
            stream.set(r.body());
            try (InputStream in = r.body()) {
                return new Answer(r.statusCode(), in.readNBytes(MAX_ANSWER_BYTES + 1));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            Answer a = answered.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (a.status() < 200 || a.status() >= 300) {
                return failOpen("HTTP " + a.status());
            }
            if (a.body().length > MAX_ANSWER_BYTES) {
                return failOpen("answer longer than " + MAX_ANSWER_BYTES + " bytes");
            }
            return verdict(a.body());
        } catch (TimeoutException e) {
            sent.cancel(true);
            closeQuietly(stream.get());
            return failOpen("no answer within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            return failOpen(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            sent.cancel(true);
            closeQuietly(stream.get());
            Thread.currentThread().interrupt();
            return failOpen("interrupted");
        }
    }

    private record Answer(int status, byte[] body) {}

    private static void closeQuietly(@Nullable InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the exchange is being abandoned anyway
            }
        }
    }

    /** The answer's verdict; an answer that names no usable message lets the message through. */
    private Verdict verdict(byte[] answer) {
        if (answer.length == 0) {
            metrics.beforeSendHook("pass");
            return PASS;
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        if (text.toLowerCase(Locale.ROOT).contains("\\u0000")) {
            return failOpen("the answer holds a NUL character");
        }
        JsonNode parsed;
        try {
            parsed = Json.parseRequest(answer, "hook answer");
        } catch (RuntimeException e) {
            return failOpen("the answer is not JSON: " + e.getMessage());
        }
        JsonNode m = parsed.path("message");
        if (!m.isObject()) {
            metrics.beforeSendHook("pass");
            return PASS;
        }
        if ("error".equals(m.path("type").asText())) {
            metrics.beforeSendHook("reject");
            String why = m.path("text").asText("");
            return new Verdict.Reject(why.isEmpty() ? "the message was rejected" : why);
        }
        metrics.beforeSendHook("rewrite");
        return new Verdict.Rewrite((ObjectNode) m);
    }

    private Verdict failOpen(String why) {
        metrics.beforeSendHook("failed_open");
        log.warn("before-send hook failed, the message goes through unchanged: {}", why);
        return PASS;
    }
}
