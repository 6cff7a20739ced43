package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import dev.parley.server.metrics.Metrics;
import java.net.URI;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The before-message-send hook (PROTOCOL.md §15.4): a send is posted to {@code before_message_send_hook_url}
 * before it is stored, and the answer lets it pass, rewrites it or rejects it. Fail-open, as Stream's: a
 * timeout ({@code before_message_send_hook_attempt_timeout_ms}, default {@value AppSettings#BEFORE_SEND_TIMEOUT_MS} ms), a
 * refused connection, a status other than 2xx or an answer that is not a usable message lets the message
 * through unchanged, and is logged and counted. Called on the sender's virtual thread, never under a lock.
 */
public final class BeforeSendHook {
    private static final Logger log = LoggerFactory.getLogger(BeforeSendHook.class);

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
    private final SyncHook call;
    private final Metrics metrics;

    BeforeSendHook(Supplier<AppSettings> settings, SyncHook call, Metrics metrics) {
        this.settings = requireNonNull(settings, "settings");
        this.call = requireNonNull(call, "call");
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
        SyncHook.Answer a = call.call(url, Json.writeBytes(body), timeoutMs);
        String why = a.failure();
        if (why != null) {
            return failOpen(why);
        }
        return verdict(a.json());
    }

    /** The answer's verdict; an answer that names no usable message lets the message through. */
    private Verdict verdict(@Nullable JsonNode answer) {
        JsonNode m = answer == null ? null : answer.path("message");
        if (m == null || !m.isObject()) {
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
