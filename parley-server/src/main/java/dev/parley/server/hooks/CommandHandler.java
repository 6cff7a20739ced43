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
 * The custom command handler (PROTOCOL.md §15.5): a message that starts with one of the app's custom commands,
 * and every action on the ephemeral message it answered, is posted to {@code custom_action_handler_url}
 * ({@code {type}} replaced by the command's name) as {@code {message, user, form_data}}. The answer's
 * {@code message} decides: {@code regular} (or no type) is stored and sent, {@code ephemeral} goes back to
 * the sender alone, {@code error} rejects, {@code null} cancels. Like the before-send hook it fails open: a
 * handler that is late ({@value #TIMEOUT_MS} ms), down or answers garbage leaves the message as sent.
 */
public final class CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

    /** The handler's time limit for its whole answer. */
    public static final int TIMEOUT_MS = 1500;

    /** What the handler answered. */
    public sealed interface Outcome {
        /** Store and send this message (the handler's rewrite of the sent one). */
        record Regular(ObjectNode message) implements Outcome {}

        /** Show this message to the sender only. */
        record Ephemeral(ObjectNode message) implements Outcome {}

        /** Reject the command with this text. */
        record Rejected(String text) implements Outcome {}

        /** Drop the message. */
        record Cancelled() implements Outcome {}

        /** The handler failed: the message goes on as sent. */
        record Failed(String why) implements Outcome {}
    }

    private final Supplier<AppSettings> settings;
    private final SyncHook call;
    private final Metrics metrics;

    CommandHandler(Supplier<AppSettings> settings, SyncHook call, Metrics metrics) {
        this.settings = requireNonNull(settings, "settings");
        this.call = requireNonNull(call, "call");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Whether {@code custom_action_handler_url} is set. */
    public boolean configured() {
        return settings.get().commandHandlerUrl("x") != null;
    }

    /** Asks the handler about {@code message} (with its {@code command} and {@code args}); blocks boundedly. */
    public Outcome run(String command, ObjectNode message, ObjectNode user, @Nullable ObjectNode formData) {
        URI url = settings.get().commandHandlerUrl(command);
        if (url == null) {
            return failed("custom_action_handler_url is not set");
        }
        ObjectNode body = Json.object();
        body.set("message", message);
        body.set("user", user);
        if (formData != null) {
            body.set("form_data", formData);
        }
        SyncHook.Answer a = call.call(url, Json.writeBytes(body), TIMEOUT_MS);
        String why = a.failure();
        if (why != null) {
            return failed(why);
        }
        JsonNode answer = a.json();
        if (answer == null || !answer.has("message")) {
            return failed("the answer has no message");
        }
        JsonNode m = answer.get("message");
        if (m.isNull()) {
            metrics.commandHandler("cancelled");
            return new Outcome.Cancelled();
        }
        if (!m.isObject()) {
            return failed("the answer's message is not an object");
        }
        String type = m.path("type").asText("regular");
        return switch (type) {
            case "error" -> {
                metrics.commandHandler("rejected");
                String text = m.path("text").asText("");
                yield new Outcome.Rejected(text.isEmpty() ? "the command was rejected" : text);
            }
            case "ephemeral" -> {
                metrics.commandHandler("ephemeral");
                yield new Outcome.Ephemeral((ObjectNode) m);
            }
            default -> {
                metrics.commandHandler("regular");
                yield new Outcome.Regular((ObjectNode) m);
            }
        };
    }

    private Outcome failed(String why) {
        metrics.commandHandler("failed");
        log.warn("custom command handler failed, the message goes on as sent: {}", why);
        return new Outcome.Failed(why);
    }
}
