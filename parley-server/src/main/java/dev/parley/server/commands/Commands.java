package dev.parley.server.commands;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.config.CommandConfig;
import dev.parley.server.hooks.CommandHandler;
import dev.parley.server.messages.MessageService;
import dev.parley.server.moderation.Moderation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Slash commands in sends (PROTOCOL.md §15.5). A message whose text starts with {@code /name} is a command when
 * its channel's type offers {@code name}: the built-ins ban, unban, mute and unmute act with the sender's own
 * permissions and answer the sender an ephemeral confirmation; a custom command goes to the app's command
 * handler, whose answer is stored and sent, shown to the sender alone, or rejects. A name the type does not
 * offer is answered with an error message. Ephemeral and error messages are stored nowhere and sent to no one
 * but the caller; an ephemeral one is kept in memory ({@value #MAX_EPHEMERAL} at most, for
 * {@link #EPHEMERAL_TTL}) for its actions ({@code POST /messages/{id}/action}).
 */
public final class Commands {
    /** Most ephemeral messages kept for their actions. */
    static final int MAX_EPHEMERAL = 10_000;

    /** How long an ephemeral message keeps its actions. */
    static final Duration EPHEMERAL_TTL = Duration.ofMinutes(15);

    private static final Pattern COMMAND = Pattern.compile("^/([^\\s/]+)(?:\\s+(.*))?$", Pattern.DOTALL);

    private final MessageService messages;
    private final Moderation moderation;
    private final ChannelAccess access;
    private final CommandHandler handler;
    private final Clock clock;

    private record Ephemeral(String cid, String userId, String command, ObjectNode message, Instant at) {}

    /** Ephemeral messages by id, oldest first (insertion order); guarded by itself. */
    private final Map<String, Ephemeral> ephemeral = new LinkedHashMap<>();

    public Commands(
            MessageService messages, Moderation moderation, ChannelAccess access, CommandHandler handler, Clock clock) {
        this.messages = requireNonNull(messages, "messages");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.handler = requireNonNull(handler, "handler");
        this.clock = requireNonNull(clock, "clock");
    }

    /** {@code POST /channels/{type}/{id}/message}: a command when the text starts with one, else a plain send. */
    public ObjectNode send(Actor actor, String cid, ObjectNode body) {
        String text = body.path("message").path("text").asText("");
        Matcher m = COMMAND.matcher(text);
        if (!m.matches()) {
            return messages.send(actor, cid, body);
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        String args = m.group(2) == null ? "" : m.group(2).trim();
        MessageService.Draft d = messages.draft(actor, cid, body);
        ObjectNode doc = d.doc().deepCopy();
        boolean offered = false;
        for (JsonNode c : d.type().config().path("commands")) {
            offered |= name.equals(c.path("name").asText(c.asText()));
        }
        if (!offered) {
            return answer(error(
                    doc, "Sorry, command " + name + " doesn't exist. Try posting your message without the starting /"));
        }
        doc.put("command", name);
        doc.put("args", args);
        doc.putObject("command_info").put("name", name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1));
        if (CommandConfig.BUILT_INS.containsKey(name)) {
            return answer(builtIn(d.as(), cid, name, args, body.path("message"), doc));
        }
        User author = requireNonNull(d.as().user(), "user"); // a draft acts as its message's author
        if (!handler.configured()) {
            return answer(error(doc, "custom_action_handler_url is not set: the app has no command handler"));
        }
        CommandHandler.Outcome o = handler.run(name, doc.deepCopy(), author.toJson(), null);
        return switch (o) {
            case CommandHandler.Outcome.Regular r ->
                messages.commit(messages.rewrite(withCommand(d, doc), r.message()));
            case CommandHandler.Outcome.Ephemeral e -> answer(keep(cid, author.id(), name, doc, e.message()));
            case CommandHandler.Outcome.Rejected r -> answer(error(doc, r.text()));
            case CommandHandler.Outcome.Cancelled c -> answer(error(doc, "The command was cancelled"));
            case CommandHandler.Outcome.Failed f -> messages.commit(withCommand(d, doc)); // fail-open: as sent
        };
    }

    /**
     * {@code POST /messages/{id}/action}: an action on an ephemeral message of a custom command, sent to the
     * handler with {@code form_data}. Answers the handler's message, or {@code message: null} when it cancels.
     */
    public ObjectNode action(Actor actor, String messageId, ObjectNode body) {
        Ephemeral e;
        synchronized (ephemeral) {
            expire();
            e = ephemeral.get(messageId);
        }
        if (e == null || !e.userId().equals(actor.userId())) {
            throw ChatException.input("RunMessageAction failed with error: \"message '" + messageId
                    + "' has no actions (only an ephemeral message of a command has, for "
                    + EPHEMERAL_TTL.toMinutes() + " minutes)\"");
        }
        JsonNode form = body.get("form_data");
        if (form == null || !form.isObject()) {
            throw ChatException.input("RunMessageAction failed with error: \"form_data must be an object\"");
        }
        User author = requireNonNull(actor.user(), "user"); // the check above named a user
        CommandHandler.Outcome o =
                handler.run(e.command(), e.message().deepCopy(), author.toJson(), (ObjectNode) form.deepCopy());
        return switch (o) {
            case CommandHandler.Outcome.Regular r -> {
                forget(messageId);
                ObjectNode send = Json.object();
                ObjectNode m = send.putObject("message");
                m.put("id", messageId);
                m.put("text", e.message().path("text").asText(""));
                m.set("attachments", e.message().path("attachments").deepCopy());
                MessageService.Draft d = messages.draft(actor, e.cid(), send);
                ObjectNode doc = d.doc().deepCopy();
                doc.put("command", e.command());
                doc.put("args", e.message().path("args").asText(""));
                yield messages.commit(messages.rewrite(withCommand(d, doc), r.message()));
            }
            case CommandHandler.Outcome.Ephemeral x ->
                answer(keep(e.cid(), e.userId(), e.command(), e.message(), x.message()));
            case CommandHandler.Outcome.Rejected r -> answer(error(e.message().deepCopy(), r.text()));
            case CommandHandler.Outcome.Cancelled c -> {
                forget(messageId);
                ObjectNode out = Json.object();
                out.putNull("message");
                yield out;
            }
            case CommandHandler.Outcome.Failed f ->
                answer(error(e.message().deepCopy(), "The command handler failed: " + f.why()));
        };
    }

    /** A built-in moderation command, with the sender's permissions; its failures are error messages. */
    private ObjectNode builtIn(Actor as, String cid, String name, String args, JsonNode message, ObjectNode doc) {
        String target = target(message, args);
        if (target == null) {
            return error(doc, "/" + name + " needs a user: /" + name + " @user");
        }
        String[] channel = cid.split(":", 2);
        try {
            String done;
            switch (name) {
                case "mute" -> {
                    moderation.mute(as, Json.object().put("target_id", target));
                    done = target + " is muted";
                }
                case "unmute" -> {
                    moderation.unmute(as, Json.object().put("target_id", target));
                    done = target + " is no longer muted";
                }
                case "ban" -> {
                    ObjectNode ban = Json.object()
                            .put("target_user_id", target)
                            .put("type", channel[0])
                            .put("id", channel[1]);
                    String reason = reason(args);
                    if (!reason.isEmpty()) {
                        ban.put("reason", reason);
                    }
                    moderation.bans().ban(as, ban);
                    done = target + " is banned from this channel";
                }
                default -> { // unban: the built-ins are exactly these four
                    moderation.bans().unban(as, target, channel[0], channel[1]);
                    done = target + " is no longer banned from this channel";
                }
            }
            ObjectNode ok = doc.deepCopy();
            ok.put("type", "ephemeral");
            ok.put("text", done);
            ok.put("html", MessageService.html(done));
            return stamped(ok);
        } catch (ChatException e) {
            return error(doc, String.valueOf(e.getMessage()));
        }
    }

    /** The command's user: the first mentioned user, else the first argument without its {@code @}. */
    private static @Nullable String target(JsonNode message, String args) {
        JsonNode mentioned = message.path("mentioned_users");
        if (mentioned.isArray() && !mentioned.isEmpty()) {
            JsonNode first = mentioned.get(0);
            String id = first.isTextual() ? first.asText() : first.path("id").asText("");
            if (!id.isEmpty()) {
                return id;
            }
        }
        String first = args.isEmpty() ? "" : args.split("\\s+", 2)[0];
        String id = first.startsWith("@") ? first.substring(1) : first;
        return id.isEmpty() ? null : id;
    }

    /** What follows the user in {@code /ban @user reason}. */
    private static String reason(String args) {
        String[] parts = args.split("\\s+", 2);
        return parts.length < 2 ? "" : parts[1].trim();
    }

    private MessageService.Draft withCommand(MessageService.Draft d, ObjectNode doc) {
        return new MessageService.Draft(d.as(), d.channel(), d.type(), doc, d.request(), d.rereadChannel(), d.roster());
    }

    /** Keeps an ephemeral message for its actions: the sent one with the handler's fields applied. */
    private ObjectNode keep(String cid, String userId, String command, ObjectNode sent, ObjectNode fromHandler) {
        ObjectNode m = sent.deepCopy();
        for (String k : new String[] {"text", "attachments", "mml"}) {
            if (fromHandler.has(k)) {
                m.set(k, fromHandler.get(k).deepCopy());
            }
        }
        m.put("html", MessageService.html(m.path("text").asText("")));
        m.put("type", "ephemeral");
        stamped(m);
        synchronized (ephemeral) {
            expire();
            ephemeral.remove(m.path("id").asText());
            ephemeral.put(m.path("id").asText(), new Ephemeral(cid, userId, command, m.deepCopy(), clock.instant()));
            while (ephemeral.size() > MAX_EPHEMERAL) {
                Iterator<String> oldest = ephemeral.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
        return m;
    }

    private void forget(String id) {
        synchronized (ephemeral) {
            ephemeral.remove(id);
        }
    }

    /** Drops expired ephemeral messages; call holding the map's lock. */
    private void expire() {
        Instant cutoff = clock.instant().minus(EPHEMERAL_TTL);
        Iterator<Ephemeral> it = ephemeral.values().iterator();
        while (it.hasNext() && it.next().at().isBefore(cutoff)) {
            it.remove();
        }
    }

    private ObjectNode error(ObjectNode doc, String text) {
        ObjectNode e = doc.deepCopy();
        e.put("type", "error");
        e.put("text", text);
        e.put("html", MessageService.html(text));
        return stamped(e);
    }

    private ObjectNode stamped(ObjectNode m) {
        String now = Timestamps.format(clock.instant());
        m.put("created_at", now);
        m.put("updated_at", now);
        return m;
    }

    private static ObjectNode answer(ObjectNode message) {
        ObjectNode out = Json.object();
        out.set("message", message);
        return out;
    }
}
