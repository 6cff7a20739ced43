package dev.parley.server.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The webhook settings of {@code PATCH /app} (PROTOCOL.md §15.1): the single {@code webhook_url} with its
 * {@code webhook_events} filter, and the {@code event_hooks} list, of which only {@code hook_type: "webhook"}
 * is served. Checks what a patch sets and turns the stored settings into the {@link Hook}s the server delivers to.
 */
public final class HookConfig {
    /** The id of the hook that {@code webhook_url} configures. */
    public static final String WEBHOOK_URL_ID = "webhook_url";

    /** Most entries of {@code event_hooks}. */
    public static final int MAX_EVENT_HOOKS = 20;

    /** Longest webhook URL accepted. */
    public static final int MAX_URL_LENGTH = 2048;

    /** The events the server posts to webhooks, in the order {@code GET /hook/events} lists them, with a line each. */
    public static final Map<String, String> EVENTS = events();

    /** Keys of an {@code event_hooks} entry the server reads or sets. */
    private static final Set<String> HOOK_KEYS = Set.of(
            "id",
            "hook_type",
            "enabled",
            "product",
            "event_types",
            "webhook_url",
            "should_send_custom_events",
            "created_at",
            "updated_at");

    /**
     * One hook the server delivers to.
     *
     * @param events the event types it takes; empty means every type of {@link #EVENTS}
     * @param customEvents whether it also takes custom events that clients send to channels
     */
    public record Hook(String id, URI url, Set<String> events, boolean customEvents) {
        public Hook {
            requireNonNull(id, "id");
            requireNonNull(url, "url");
            events = Set.copyOf(events);
        }

        /** Whether this hook takes events of {@code type}. */
        public boolean takes(String type, boolean custom) {
            if (custom) {
                return customEvents;
            }
            return EVENTS.containsKey(type) && (events.isEmpty() || events.contains(type));
        }
    }

    private HookConfig() {}

    /** The hooks of a stored settings document, the enabled ones only. */
    public static List<Hook> hooks(ObjectNode doc) {
        List<Hook> out = new ArrayList<>();
        String url = doc.path("webhook_url").asText("");
        if (!url.isEmpty()) {
            out.add(new Hook(WEBHOOK_URL_ID, URI.create(url), strings(doc.get("webhook_events")), true));
        }
        for (JsonNode h : doc.path("event_hooks")) {
            if (h.path("enabled").asBoolean(true)) {
                out.add(new Hook(
                        h.path("id").asText(),
                        URI.create(h.path("webhook_url").asText()),
                        strings(h.get("event_types")),
                        h.path("should_send_custom_events").asBoolean(false)));
            }
        }
        return List.copyOf(out);
    }

    /** Checks {@code webhook_url}: empty (no webhook) or an absolute http(s) URL. */
    static JsonNode checkUrl(String key, JsonNode v) {
        if (!v.isTextual()) {
            throw refused(key + " must be a string");
        }
        if (!v.asText().isEmpty()) {
            url(key, v.asText());
        }
        return v;
    }

    /** Checks {@code webhook_events}: null (every event) or a list of event names the server posts. */
    static JsonNode checkEvents(String key, JsonNode v) {
        if (v.isNull()) {
            return v;
        }
        if (!v.isArray()) {
            throw refused(key + " must be a list of event types or null");
        }
        ArrayNode out = Json.array();
        for (String type : eventList(key, v)) {
            out.add(type);
        }
        return out;
    }

    /**
     * Checks a new {@code event_hooks} list and completes it: each entry gets an id if it has none, and
     * {@code created_at} (kept from the entry of the same id in {@code previous}) and {@code updated_at}.
     * The list replaces the previous one: a hook left out is removed.
     */
    static JsonNode checkEventHooks(JsonNode v, @Nullable JsonNode previous, Instant now) {
        if (v.isNull()) {
            return Json.array();
        }
        if (!v.isArray()) {
            throw refused("event_hooks must be a list");
        }
        if (v.size() > MAX_EVENT_HOOKS) {
            throw refused("event_hooks: " + v.size() + " hooks (at most " + MAX_EVENT_HOOKS + ")");
        }
        Map<String, JsonNode> before = new HashMap<>();
        if (previous != null) {
            for (JsonNode h : previous) {
                before.put(h.path("id").asText(), h);
            }
        }
        ArrayNode out = Json.array();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < v.size(); i++) {
            ObjectNode hook = checkHook("event_hooks[" + i + "]", v.get(i));
            String id = hook.path("id").asText();
            if (!ids.add(id)) {
                throw refused("event_hooks: id '" + id + "' appears twice");
            }
            JsonNode old = before.get(id);
            String stamp = Timestamps.format(now);
            hook.put("created_at", old != null ? old.path("created_at").asText(stamp) : stamp);
            hook.put(
                    "updated_at",
                    old != null && sameSettings(old, hook)
                            ? old.path("updated_at").asText(stamp)
                            : stamp);
            out.add(hook);
        }
        return out;
    }

    private static boolean sameSettings(JsonNode old, ObjectNode hook) {
        ObjectNode a = ((ObjectNode) old).deepCopy();
        ObjectNode b = hook.deepCopy();
        for (ObjectNode o : List.of(a, b)) {
            o.remove("created_at");
            o.remove("updated_at");
        }
        return a.equals(b);
    }

    private static ObjectNode checkHook(String where, JsonNode h) {
        if (!h.isObject()) {
            throw refused(where + " must be an object");
        }
        String type = h.path("hook_type").asText("webhook");
        if (!type.equals("webhook")) {
            throw refused(where + ".hook_type '" + type + "' is not served by this server (only \"webhook\"; SQS, SNS"
                    + " and pending-message hooks are not built)");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            boolean empty = e.getValue().isNull()
                    || (e.getValue().isTextual() && e.getValue().asText().isEmpty());
            if (!HOOK_KEYS.contains(e.getKey()) && !empty) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw refused("this server does not act on " + where + "." + String.join(", " + where + ".", unknown)
                    + "; refused rather than stored and ignored");
        }
        String product = h.path("product").asText("all");
        if (!product.equals("all") && !product.equals("chat")) {
            throw refused(where + ".product '" + product + "' (expected: chat or all)");
        }
        JsonNode url = h.get("webhook_url");
        if (url == null || !url.isTextual() || url.asText().isEmpty()) {
            throw refused(where + ".webhook_url is required");
        }
        url(where + ".webhook_url", url.asText());
        ObjectNode out = Json.object();
        JsonNode id = h.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw refused(where + ".id must be a string");
        }
        String idText = id == null || id.isNull() || id.asText().isEmpty()
                ? UUID.randomUUID().toString()
                : id.asText();
        if (idText.length() > 64 || idText.equals(WEBHOOK_URL_ID)) {
            throw refused(where + ".id: at most 64 characters, and not '" + WEBHOOK_URL_ID + "'");
        }
        out.put("id", idText);
        out.put("hook_type", "webhook");
        out.put("enabled", bool(where + ".enabled", h.get("enabled"), true));
        out.put("product", product);
        out.put("webhook_url", url.asText());
        JsonNode types = h.get("event_types");
        ArrayNode list = out.putArray("event_types");
        if (types != null && !types.isNull()) {
            if (!types.isArray()) {
                throw refused(where + ".event_types must be a list");
            }
            eventList(where + ".event_types", types).forEach(list::add);
        }
        out.put(
                "should_send_custom_events",
                bool(where + ".should_send_custom_events", h.get("should_send_custom_events"), false));
        return out;
    }

    private static List<String> eventList(String where, JsonNode v) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode t : v) {
            if (!t.isTextual()) {
                throw refused(where + " must hold event type names");
            }
            if (!EVENTS.containsKey(t.asText())) {
                throw refused(where + ": '" + t.asText() + "' is not an event this server posts to webhooks"
                        + " (GET /hook/events lists them)");
            }
            out.add(t.asText());
        }
        return List.copyOf(out);
    }

    private static boolean bool(String where, @Nullable JsonNode v, boolean absent) {
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw refused(where + " must be a boolean");
        }
        return v.asBoolean();
    }

    private static void url(String where, String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw refused(where + ": not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (text.length() > MAX_URL_LENGTH
                || !(scheme.equals("http") || scheme.equals("https"))
                || u.getHost() == null
                || u.getRawUserInfo() != null) {
            throw refused(where + ": expected an absolute http or https URL without credentials, at most "
                    + MAX_URL_LENGTH + " characters");
        }
    }

    private static Set<String> strings(@Nullable JsonNode v) {
        Set<String> out = new LinkedHashSet<>();
        if (v != null) {
            v.forEach(t -> out.add(t.asText()));
        }
        return out;
    }

    private static ChatException refused(String why) {
        return ChatException.input("UpdateApp failed with error: \"" + why + "\"");
    }

    private static Map<String, String> events() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("message.new", "a message was sent");
        m.put("message.updated", "a message was edited, pinned or unpinned");
        m.put("message.deleted", "a message was deleted");
        m.put("message.undeleted", "a deleted message was restored");
        m.put("message.read", "a member read a channel");
        m.put("message.flagged", "a message was flagged");
        m.put("reaction.new", "a reaction was added");
        m.put("reaction.updated", "a reaction was replaced");
        m.put("reaction.deleted", "a reaction was removed");
        m.put("member.added", "a member joined a channel");
        m.put("member.updated", "a member changed");
        m.put("member.removed", "a member left a channel");
        m.put("channel.created", "a channel was created");
        m.put("channel.updated", "a channel changed");
        m.put("channel.deleted", "a channel was deleted");
        m.put("channel.truncated", "a channel's messages were removed");
        m.put("channel.hidden", "a member hid a channel");
        m.put("channel.visible", "a member showed a hidden channel again");
        m.put("channel.muted", "a user muted a channel");
        m.put("channel.unmuted", "a user unmuted a channel");
        m.put("user.updated", "a user changed");
        m.put("user.deleted", "a user was deleted");
        m.put("user.deactivated", "a user was deactivated");
        m.put("user.reactivated", "a user was reactivated");
        m.put("user.banned", "a user was banned, app-wide or in a channel");
        m.put("user.unbanned", "a ban ended");
        m.put("user.muted", "a user muted another");
        m.put("user.unmuted", "a user unmuted another");
        m.put("user.flagged", "a user was flagged");
        m.put("user.unread_message_reminder", "a member left a small channel's messages unread for the app's interval");
        return java.util.Collections.unmodifiableMap(m);
    }
}
