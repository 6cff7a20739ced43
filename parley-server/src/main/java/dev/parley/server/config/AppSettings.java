package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.usage.ConnectionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The app settings of {@code GET /app} and {@code PATCH /app} (PROTOCOL.md §7.15), immutable.
 *
 * @param doc the settings document as stored; only the keys of {@link #EDITABLE} are ever in it
 */
public record AppSettings(ObjectNode doc) {

    /** Keys {@code PATCH /app} accepts because the server acts on them, with the JSON type each must have. */
    static final Map<String, JsonType> EDITABLE = Map.ofEntries(
            Map.entry("name", JsonType.STRING),
            Map.entry("disable_auth_checks", JsonType.BOOLEAN),
            Map.entry("guest_user_creation_disabled", JsonType.BOOLEAN),
            Map.entry("revoke_tokens_issued_before", JsonType.TIMESTAMP_OR_NULL),
            Map.entry("file_upload_config", JsonType.OBJECT),
            Map.entry("image_upload_config", JsonType.OBJECT),
            Map.entry("max_connections_per_user", JsonType.INT_OR_NULL),
            Map.entry("connection_policy", JsonType.STRING_OR_NULL),
            Map.entry("webhook_url", JsonType.WEBHOOK_URL),
            Map.entry("webhook_events", JsonType.WEBHOOK_EVENTS),
            Map.entry("event_hooks", JsonType.EVENT_HOOKS),
            Map.entry("before_message_send_hook_url", JsonType.WEBHOOK_URL),
            Map.entry("before_message_send_hook_attempt_timeout_ms", JsonType.INT_OR_NULL),
            Map.entry("custom_action_handler_url", JsonType.COMMAND_URL),
            Map.entry(PushConfig.PUSH_CONFIG, JsonType.PUSH_CONFIG),
            Map.entry("grants", JsonType.APP_GRANTS),
            Map.entry("reminders_interval", JsonType.INT_OR_NULL));

    /**
     * The permissions of scope {@code .app} this server checks (PROTOCOL.md §11.3), each with the global roles
     * that have it until the app's {@code grants} say otherwise.
     */
    public static final Map<String, Set<String>> APP_GRANTS = Map.of(
            "mute-user", Set.of("admin", "moderator", "user", "guest"),
            "flag-user", Set.of("admin", "moderator", "user", "guest"),
            "ban-user", Set.of("admin", "moderator"),
            "read-bans", Set.of("admin", "moderator"),
            "read-flag-reports", Set.of("admin", "moderator"),
            "review-flag-reports", Set.of("admin", "moderator"));

    /**
     * Settings the server does not act on, each with the one value that says what the server does anyway:
     * that value is accepted and not stored; any other is refused like an unknown setting, so that no one
     * believes a webhook, a tenant boundary or a permission switch is in force when it is not.
     */
    static final Map<String, JsonNode> NO_OP = Map.of(
            "multi_tenant_enabled",
            BooleanNode.FALSE,
            "disable_permissions_checks",
            BooleanNode.FALSE,
            "enforce_unique_usernames",
            TextNode.valueOf("no"),
            "user_search_disallowed_roles",
            Json.array(),
            "explicit_event_hooks_deletion",
            BooleanNode.FALSE);

    /** Keys the server recognises but that cannot be changed through {@code PATCH /app}. */
    static final Set<String> READ_ONLY = Set.of(
            "suspended",
            "channel_configs",
            "permission_version",
            "placement",
            CommandConfig.COMMANDS,
            CommandConfig.TYPE_COMMANDS,
            PushConfig.PROVIDERS,
            PushConfig.TYPE_PUSH,
            TypeConfig.TYPES,
            TypeConfig.ROLES,
            TypeConfig.PERMISSIONS,
            "push_notifications");

    enum JsonType {
        STRING,
        BOOLEAN,
        TIMESTAMP_OR_NULL,
        OBJECT,
        INT_OR_NULL,
        STRING_OR_NULL,
        WEBHOOK_URL,
        WEBHOOK_EVENTS,
        EVENT_HOOKS,
        COMMAND_URL,
        PUSH_CONFIG,
        APP_GRANTS
    }

    public AppSettings {
        doc = doc.deepCopy();
    }

    public static AppSettings defaults() {
        ObjectNode d = Json.object();
        d.put("name", "parley");
        d.put("disable_auth_checks", false);
        d.put("disable_permissions_checks", false);
        d.putNull("revoke_tokens_issued_before");
        return new AppSettings(d);
    }

    public boolean disableAuthChecks() {
        return doc.path("disable_auth_checks").asBoolean(false);
    }

    /** Whether {@code POST /guest} is refused (PROTOCOL.md §2.6); it is until an app turns guests on. */
    public boolean guestCreationDisabled() {
        return doc.path("guest_user_creation_disabled").asBoolean(true);
    }

    /** App-wide revocation date (§2.8), or null. */
    public @Nullable Instant revokeTokensIssuedBefore() {
        JsonNode n = doc.get("revoke_tokens_issued_before");
        return n == null || n.isNull() ? null : Timestamps.parse(n.asText(), "revoke_tokens_issued_before");
    }

    public AppSettings withDisableAuthChecks(boolean v) {
        ObjectNode d = doc.deepCopy();
        d.put("disable_auth_checks", v);
        return new AppSettings(d);
    }

    /**
     * Applies a {@code PATCH /app} body: all of it or, on any refusal, none of it.
     *
     * @throws ChatException code 4 naming the key when a key has the wrong type, is read-only, or is a setting
     *     the server does not act on (other than its no-op value)
     */
    public AppSettings patch(ObjectNode body) {
        return patch(body, Instant.now());
    }

    /** As {@link #patch(ObjectNode)}, with {@code now} as the time of the change (stamped on event hooks). */
    public AppSettings patch(ObjectNode body, Instant now) {
        ObjectNode d = doc.deepCopy();
        Set<String> notActedOn = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (READ_ONLY.contains(key)) {
                throw ChatException.input("UpdateApp failed with error: \"" + key + " cannot be changed\"");
            }
            JsonType type = EDITABLE.get(key);
            if (type == JsonType.EVENT_HOOKS) {
                d.set(key, HookConfig.checkEventHooks(v, doc.get(key), now));
            } else if (type == JsonType.APP_GRANTS) {
                d.set(key, checkAppGrants(v, doc));
            } else if (type != null) {
                d.set(key, check(key, type, v));
            } else if (!v.equals(NO_OP.get(key))) {
                notActedOn.add(key);
            }
        }
        if (!notActedOn.isEmpty()) {
            throw ChatException.input("UpdateApp failed with error: \"this server does not act on "
                    + String.join(", ", notActedOn) + "; refused rather than stored and ignored\"");
        }
        return new AppSettings(d);
    }

    private static JsonNode check(String key, JsonType type, JsonNode v) {
        if (type == JsonType.WEBHOOK_URL) {
            return HookConfig.checkUrl(key, v);
        }
        if (type == JsonType.COMMAND_URL) {
            // {type} stands for the command's name (§15.5); braces are not valid in a URL.
            HookConfig.checkUrl(key, v.isTextual() ? TextNode.valueOf(v.asText().replace("{type}", "type")) : v);
            return v;
        }
        if (type == JsonType.WEBHOOK_EVENTS) {
            return HookConfig.checkEvents(key, v);
        }
        if (type == JsonType.PUSH_CONFIG) {
            return PushConfig.checkPushConfig(v);
        }
        boolean ok = switch (type) {
            case STRING -> v.isTextual();
            case BOOLEAN -> v.isBoolean();
            case OBJECT -> v.isObject();
            case INT_OR_NULL -> v.isNull() || v.isIntegralNumber();
            case TIMESTAMP_OR_NULL -> v.isNull() || v.isTextual();
            case STRING_OR_NULL -> v.isNull() || v.isTextual();
            case WEBHOOK_URL, WEBHOOK_EVENTS, EVENT_HOOKS, COMMAND_URL, PUSH_CONFIG, APP_GRANTS -> true; // apart
        };
        if (!ok) {
            throw ChatException.input("UpdateApp failed with error: \"" + key + " must be "
                    + type.name().toLowerCase(Locale.ROOT).replace('_', ' ') + "\"");
        }
        checkConnectionLimit(key, v);
        if (type == JsonType.TIMESTAMP_OR_NULL && v.isTextual()) {
            return Json.mapper().getNodeFactory().textNode(Timestamps.format(Timestamps.parse(v.asText(), key)));
        }
        return v;
    }

    /**
     * The app's {@code grants} after a patch (§11.5): each role sent gets exactly the list sent, of the permissions
     * in {@link #APP_GRANTS}; the roles not sent keep theirs. Code 4 for an unknown role or permission.
     */
    private static ObjectNode checkAppGrants(JsonNode v, ObjectNode doc) {
        if (!v.isObject()) {
            throw ChatException.input("UpdateApp failed with error: \"grants must map roles to lists of permissions\"");
        }
        Set<String> roles = TypeConfig.roleNames(doc);
        ObjectNode out = doc.get("grants") instanceof ObjectNode g ? g.deepCopy() : Json.object();
        v.properties().forEach(e -> {
            if (!roles.contains(e.getKey())) {
                throw ChatException.input(
                        "UpdateApp failed with error: \"grants: role '" + e.getKey() + "' does not exist\"");
            }
            if (!e.getValue().isArray()) {
                throw ChatException.input(
                        "UpdateApp failed with error: \"grants: " + e.getKey() + " must be a list of permissions\"");
            }
            for (JsonNode p : e.getValue()) {
                if (!p.isTextual() || !APP_GRANTS.containsKey(p.asText())) {
                    throw ChatException.input("UpdateApp failed with error: \"grants: '" + p.asText(p.toString())
                            + "' is not an app-wide permission this server checks (one of "
                            + String.join(", ", new TreeSet<>(APP_GRANTS.keySet())) + ")\"");
                }
            }
            out.set(e.getKey(), e.getValue().deepCopy());
        });
        return out;
    }

    /** The app-wide permissions of global role {@code role}: the app's grants for it, else the defaults. */
    public Set<String> appGrantsOf(String role) {
        JsonNode set = doc.path("grants").path(role);
        if (set.isArray()) {
            Set<String> out = new java.util.HashSet<>();
            set.forEach(p -> out.add(p.asText()));
            return out;
        }
        Set<String> out = new java.util.HashSet<>();
        APP_GRANTS.forEach((perm, roles) -> {
            if (roles.contains(role)) {
                out.add(perm);
            }
        });
        return out;
    }

    private static void checkConnectionLimit(String key, JsonNode v) {
        if (key.equals("before_message_send_hook_attempt_timeout_ms")
                && v.isIntegralNumber()
                && (v.asLong() < 0 || v.asLong() > 5000)) {
            throw ChatException.input(
                    "UpdateApp failed with error: \"before_message_send_hook_attempt_timeout_ms must be 0 to 5000\"");
        }
        if (key.equals("reminders_interval")
                && v.isIntegralNumber()
                && (v.asLong() < MIN_REMINDERS_INTERVAL.toSeconds()
                        || v.asLong() > MAX_REMINDERS_INTERVAL.toSeconds())) {
            throw ChatException.input("UpdateApp failed with error: \"reminders_interval must be "
                    + MIN_REMINDERS_INTERVAL.toSeconds() + " to " + MAX_REMINDERS_INTERVAL.toSeconds()
                    + " seconds\"");
        }
        if (key.equals("max_connections_per_user") && v.isIntegralNumber() && v.asLong() < 0) {
            throw ChatException.input("UpdateApp failed with error: \"max_connections_per_user must be >= 0 or null\"");
        }
        if (key.equals("connection_policy") && v.isTextual()) {
            try {
                ConnectionPolicy.Mode.parse(v.asText(), "connection_policy");
            } catch (IllegalArgumentException e) {
                throw ChatException.input("UpdateApp failed with error: \"" + e.getMessage() + "\"");
            }
        }
    }

    /**
     * The per-user connection limit: {@code max_connections_per_user} and {@code connection_policy} when set
     * through {@code PATCH /app}, else the server's configured defaults.
     */
    public ConnectionPolicy.Limit connectionLimit(ServerConfig config) {
        JsonNode max = doc.get("max_connections_per_user");
        JsonNode policy = doc.get("connection_policy");
        int m = max == null || max.isNull()
                ? config.maxConnectionsPerUser()
                : (int) Math.min(Integer.MAX_VALUE, max.asLong());
        ConnectionPolicy.Mode mode = policy == null || policy.isNull()
                ? config.connectionPolicy()
                : ConnectionPolicy.Mode.parse(policy.asText(), "connection_policy");
        return new ConnectionPolicy.Limit(m, mode);
    }

    /** How long a member's unread message waits before its unread reminder (PROTOCOL.md §7.30) by default. */
    public static final Duration DEFAULT_REMINDERS_INTERVAL = Duration.ofMinutes(5);

    static final Duration MIN_REMINDERS_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_REMINDERS_INTERVAL = Duration.ofDays(1);

    /** How long a member's unread message waits before its unread reminder: {@code reminders_interval}. */
    public Duration remindersInterval() {
        JsonNode v = doc.get("reminders_interval");
        return v == null || v.isNull() ? DEFAULT_REMINDERS_INTERVAL : Duration.ofSeconds(v.asLong());
    }

    /** The webhooks the server posts events to (PROTOCOL.md §15.1), the enabled ones. */
    public List<HookConfig.Hook> hooks() {
        return HookConfig.hooks(doc);
    }

    /** The before-message-send hook's time limit when the settings name none (Stream's default). */
    public static final int BEFORE_SEND_TIMEOUT_MS = 1500;

    /** The before-message-send hook's URL (PROTOCOL.md §15.4), or null when none is set. */
    public java.net.@Nullable URI beforeSendHookUrl() {
        String url = doc.path("before_message_send_hook_url").asText("");
        return url.isEmpty() ? null : java.net.URI.create(url);
    }

    /** The before-message-send hook's time limit in milliseconds: the setting, or 1,500 when it is 0 or unset. */
    public int beforeSendHookTimeoutMs() {
        int ms = doc.path("before_message_send_hook_attempt_timeout_ms").asInt(0);
        return ms <= 0 ? BEFORE_SEND_TIMEOUT_MS : ms;
    }

    /** The custom command handler's URL for {@code command} ({@code {type}} replaced), or null when none is set. */
    public java.net.@Nullable URI commandHandlerUrl(String command) {
        String url = doc.path("custom_action_handler_url").asText("");
        return url.isEmpty() ? null : java.net.URI.create(url.replace("{type}", command));
    }

    /** These settings with {@code change} applied to a copy of the document (for the server's own keys). */
    public AppSettings edited(java.util.function.Consumer<ObjectNode> change) {
        ObjectNode d = doc.deepCopy();
        change.accept(d);
        return new AppSettings(d);
    }

    /** The {@code app} object of {@code GET /app}. */
    public ObjectNode toJson() {
        ObjectNode app = doc.deepCopy();
        app.remove(CommandConfig.COMMANDS);
        app.remove(CommandConfig.TYPE_COMMANDS);
        app.remove(PushConfig.PROVIDERS);
        app.remove(PushConfig.TYPE_PUSH);
        app.remove(PushConfig.PUSH_CONFIG);
        app.remove(TypeConfig.TYPES);
        app.remove(TypeConfig.ROLES);
        app.remove(TypeConfig.PERMISSIONS);
        app.set("push_notifications", PushConfig.notificationsJson(doc));
        if (!app.has("webhook_url")) {
            app.put("webhook_url", "");
        }
        if (!app.has("webhook_events")) {
            app.putArray("webhook_events");
        }
        if (!app.has("event_hooks")) {
            app.putArray("event_hooks");
        }
        app.put("guest_user_creation_disabled", guestCreationDisabled());
        app.put("reminders_interval", remindersInterval().toSeconds());
        app.put("suspended", false);
        app.put("permission_version", "v2");
        if (!app.has("file_upload_config")) {
            app.set("file_upload_config", uploadConfig());
        }
        if (!app.has("image_upload_config")) {
            app.set("image_upload_config", uploadConfig());
        }
        ObjectNode grants = app.putObject("grants"); // every global role's, the app's or the defaults
        Set<String> roles = new TreeSet<>(List.of("admin", "moderator", "user", "guest", "anonymous"));
        doc.path("grants").fieldNames().forEachRemaining(roles::add);
        for (String role : roles) {
            ArrayNode list = grants.putArray(role);
            new TreeSet<>(appGrantsOf(role)).forEach(list::add);
        }
        app.putObject("channel_configs");
        return app;
    }

    private static ObjectNode uploadConfig() {
        ObjectNode c = Json.object();
        c.putArray("allowed_file_extensions");
        c.putArray("blocked_file_extensions");
        c.putArray("allowed_mime_types");
        c.putArray("blocked_mime_types");
        c.put("size_limit", 0);
        return c;
    }
}
