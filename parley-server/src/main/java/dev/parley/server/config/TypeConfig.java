package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Channel types and roles an app defines (PROTOCOL.md §11.5): custom channel types, the changes made to the
 * built-in ones, and custom roles. They live in the app settings document under keys that {@code GET /app} does
 * not show and {@code PATCH /app} cannot set: {@value #TYPES} (type name to {@code {custom, config, grants,
 * created_at, updated_at}}, where {@code config} holds the flags set and {@code grants} the roles whose
 * permissions were replaced) and {@value #ROLES} (role name to {@code {created_at, updated_at}}).
 */
public final class TypeConfig {
    static final String TYPES = "channel_types";
    static final String ROLES = "roles";
    static final String PERMISSIONS = "custom_permissions";

    /** Most custom permissions of an app. */
    public static final int MAX_CUSTOM_PERMISSIONS = 100;

    /** Most custom channel types and custom roles of an app. */
    public static final int MAX_CUSTOM_TYPES = 50;

    public static final int MAX_CUSTOM_ROLES = 50;

    /** What a channel type's or a role's name may be. */
    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

    /** The channel types this server has built in. */
    public static final Set<String> BUILT_IN_TYPES = Set.of("messaging", "team", "livestream", "gaming", "commerce");

    /** The roles this server has built in: global roles, then channel roles. */
    public static final List<String> BUILT_IN_ROLES =
            List.of("admin", "moderator", "user", "guest", "anonymous", "channel_member", "channel_moderator");

    /** Feature flags a type may switch either way: each changes what the server does (§6.2.1). */
    static final Set<String> FLAGS = Set.of(
            "typing_events",
            "read_events",
            "connect_events",
            "delivery_events",
            "search",
            "reactions",
            "replies",
            "quotes",
            "mutes",
            "uploads",
            "url_enrichment",
            "polls",
            "custom_events",
            "count_messages",
            "skip_last_msg_update_for_system_msgs",
            "user_message_reminders",
            "reminders",
            "shared_locations",
            "mark_messages_pending");

    /** Longest message a type may allow. */
    public static final int MAX_MESSAGE_LENGTH = 20_000;

    /** Keys of a create or update body handled elsewhere or naming the type. */
    static final Set<String> HANDLED_ELSEWHERE = Set.of("name", "commands", "push_notifications", "grants");

    private TypeConfig() {}

    /** A defined type as the settings document keeps it. */
    public record Defined(
            String name,
            boolean custom,
            ObjectNode config,
            Map<String, List<String>> grants,
            Instant createdAt,
            Instant updatedAt) {}

    /** The types the app defined or changed, by name. */
    public static Map<String, Defined> types(ObjectNode doc) {
        Map<String, Defined> out = new LinkedHashMap<>();
        doc.path(TYPES).properties().forEach(e -> {
            JsonNode t = e.getValue();
            Map<String, List<String>> grants = new LinkedHashMap<>();
            t.path("grants").properties().forEach(g -> {
                List<String> perms = new ArrayList<>();
                g.getValue().forEach(p -> perms.add(p.asText()));
                grants.put(g.getKey(), perms);
            });
            JsonNode config = t.path("config");
            out.put(
                    e.getKey(),
                    new Defined(
                            e.getKey(),
                            t.path("custom").asBoolean(false),
                            config.isObject() ? (ObjectNode) config.deepCopy() : Json.object(),
                            grants,
                            Timestamps.parse(t.path("created_at").asText(), "created_at"),
                            Timestamps.parse(t.path("updated_at").asText(), "updated_at")));
        });
        return out;
    }

    /**
     * {@code POST /channeltypes}: a custom type; its flags, commands, push and grants are set by {@code apply}
     * afterwards (as an update would). Code 4 for a bad or taken name.
     */
    public static void create(ObjectNode doc, String name, Instant now) {
        if (!NAME.matcher(name).matches()) {
            throw ChatException.input("CreateChannelType failed with error: \"name must be 1 to 64 characters of "
                    + "a-z, 0-9, _ and -, not '" + name + "'\"");
        }
        if (BUILT_IN_TYPES.contains(name) || doc.path(TYPES).has(name)) {
            throw ChatException.input(
                    "CreateChannelType failed with error: \"channel type '" + name + "' already exists\"");
        }
        long custom = doc.path(TYPES).properties().stream()
                .filter(e -> e.getValue().path("custom").asBoolean(false))
                .count();
        if (custom >= MAX_CUSTOM_TYPES) {
            throw ChatException.input("CreateChannelType failed with error: \"an app has at most " + MAX_CUSTOM_TYPES
                    + " custom channel types\"");
        }
        ObjectNode t = typesNode(doc).putObject(name);
        t.put("custom", true);
        t.putObject("config");
        t.putObject("grants");
        t.put("created_at", Timestamps.format(now));
        t.put("updated_at", Timestamps.format(now));
    }

    /**
     * Checks an update of {@code name}'s flags and grants before anything changes: unknown keys, flags of
     * features not served, values of the wrong kind and grants naming unknown permissions are code 4.
     */
    public static void check(
            String endpoint, ObjectNode body, Set<String> knownRoles, Predicate<String> knownPermission) {
        List<String> unknown = new ArrayList<>();
        body.properties().forEach(e -> {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (HANDLED_ELSEWHERE.contains(k)) {
                return;
            }
            if (FLAGS.contains(k)) {
                if (!v.isBoolean()) {
                    throw input(endpoint, k + " must be true or false");
                }
            } else if (k.equals("max_message_length")) {
                if (!v.canConvertToInt() || v.asInt() < 1 || v.asInt() > MAX_MESSAGE_LENGTH) {
                    throw input(endpoint, "max_message_length must be 1 to " + MAX_MESSAGE_LENGTH);
                }
            } else if (k.equals("message_retention")) {
                if (!v.isTextual()
                        || !(v.asText().equals("infinite") || v.asText().matches("[1-9][0-9]{0,6}"))) {
                    throw input(endpoint, "message_retention must be 'infinite' or a number of hours");
                }
                if (!v.asText().equals("infinite")) {
                    throw input(endpoint, "message_retention: this server keeps messages until they are deleted");
                }
            } else if (k.equals("automod")) {
                if (!v.asText("").equals("disabled")) {
                    throw input(endpoint, "automod: this server has no automatic moderation; only 'disabled'");
                }
            } else if (k.equals("blocklist")) {
                // The list's existence is the caller's check: the blocklists are not settings (PROTOCOL.md §7.27).
                if (!v.isNull() && !(v.isTextual() && v.asText().matches("[A-Za-z0-9_-]{0,64}"))) {
                    throw input(endpoint, "blocklist must be the name of a blocklist, or '' for none");
                }
            } else if (k.equals("automod_behavior") || k.equals("blocklist_behavior")) {
                if (!Set.of("flag", "block", "shadow_block").contains(v.asText(""))) {
                    throw input(endpoint, k + " must be flag, block or shadow_block");
                }
            } else if (k.equals("permissions")) {
                throw input(
                        endpoint,
                        "permissions are the policies of Stream's permission v1, which this server "
                                + "does not serve; set grants instead");
            } else {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw input(endpoint, "unknown channel type settings: " + String.join(", ", new TreeSet<>(unknown)));
        }
        JsonNode grants = body.get("grants");
        if (grants != null) {
            if (!grants.isObject()) {
                throw input(endpoint, "grants must map roles to lists of permissions");
            }
            grants.properties().forEach(g -> {
                if (!knownRoles.contains(g.getKey())) {
                    throw input(endpoint, "grants: role '" + g.getKey() + "' does not exist");
                }
                if (!g.getValue().isArray()) {
                    throw input(endpoint, "grants: " + g.getKey() + " must be a list of permissions");
                }
                for (JsonNode p : g.getValue()) {
                    if (!p.isTextual() || !knownPermission.test(p.asText())) {
                        throw input(endpoint, "grants: '" + p.asText(p.toString()) + "' is not a permission");
                    }
                }
            });
        }
    }

    /**
     * Stores the flags and grants of a checked ({@link #check}) update of {@code name}: each flag sent replaces
     * the type's, each role in {@code grants} gets exactly the permissions listed (an empty list takes them all
     * away), roles not listed keep theirs.
     */
    public static void apply(ObjectNode doc, String name, ObjectNode body, Instant now) {
        ObjectNode t = (ObjectNode) typesNode(doc).get(name);
        if (t == null) {
            t = typesNode(doc).putObject(name);
            t.put("custom", false);
            t.putObject("config");
            t.putObject("grants");
            t.put("created_at", Timestamps.format(now));
        }
        ObjectNode config = t.with("config");
        ObjectNode grants = t.with("grants");
        body.properties().forEach(e -> {
            if (e.getKey().equals("grants")) {
                e.getValue()
                        .properties()
                        .forEach(g -> grants.set(g.getKey(), g.getValue().deepCopy()));
            } else if (!HANDLED_ELSEWHERE.contains(e.getKey())) {
                config.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        t.put("updated_at", Timestamps.format(now));
    }

    /** Forgets a custom type, with the commands and the push switch set for it. */
    public static void delete(ObjectNode doc, String name) {
        typesNode(doc).remove(name);
        for (String key : List.of(CommandConfig.TYPE_COMMANDS, PushConfig.TYPE_PUSH)) {
            if (doc.get(key) instanceof ObjectNode perType) {
                perType.remove(name);
            }
        }
    }

    /** Custom roles, by name, with their times. */
    public static Map<String, ObjectNode> roles(ObjectNode doc) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        doc.path(ROLES).properties().forEach(e -> out.put(e.getKey(), (ObjectNode) e.getValue()));
        return out;
    }

    /** Every role: the built-in ones and the app's. */
    public static Set<String> roleNames(ObjectNode doc) {
        Set<String> all = new java.util.LinkedHashSet<>(BUILT_IN_ROLES);
        all.addAll(roles(doc).keySet());
        return all;
    }

    /** {@code POST /roles}: code 4 for a bad or taken name. */
    public static ObjectNode createRole(ObjectNode doc, String name, Instant now) {
        if (!NAME.matcher(name).matches()) {
            throw ChatException.input("CreateRole failed with error: \"name must be 1 to 64 characters of a-z, 0-9, "
                    + "_ and -, not '" + name + "'\"");
        }
        if (BUILT_IN_ROLES.contains(name) || doc.path(ROLES).has(name)) {
            throw ChatException.input("CreateRole failed with error: \"role '" + name + "' already exists\"");
        }
        if (doc.path(ROLES).size() >= MAX_CUSTOM_ROLES) {
            throw ChatException.input(
                    "CreateRole failed with error: \"an app has at most " + MAX_CUSTOM_ROLES + " custom roles\"");
        }
        ObjectNode r = rolesNode(doc).putObject(name);
        r.put("created_at", Timestamps.format(now));
        r.put("updated_at", Timestamps.format(now));
        return roleJson(name, r, true);
    }

    /**
     * {@code DELETE /roles/{name}}: built-in roles cannot go, nor a role a channel type still grants permissions
     * to (code 4); an unknown role is code 16.
     */
    public static void deleteRole(ObjectNode doc, String name) {
        if (BUILT_IN_ROLES.contains(name)) {
            throw ChatException.input("DeleteRole failed with error: \"'" + name + "' is a built-in role\"");
        }
        if (!doc.path(ROLES).has(name)) {
            throw ChatException.notFound("DeleteRole failed with error: \"role '" + name + "' does not exist\"");
        }
        List<String> granting = new ArrayList<>();
        doc.path(TYPES).properties().forEach(e -> {
            JsonNode perms = e.getValue().path("grants").path(name);
            if (perms.isArray() && !perms.isEmpty()) {
                granting.add(e.getKey());
            }
        });
        if (!granting.isEmpty()) {
            throw ChatException.input("DeleteRole failed with error: \"role '" + name + "' still has grants in "
                    + "channel types " + String.join(", ", granting) + "; take them away first\"");
        }
        rolesNode(doc).remove(name);
    }

    /** A role as {@code /roles} shows it. */
    public static ObjectNode roleJson(String name, JsonNode times, boolean custom) {
        ObjectNode o = Json.object().put("name", name).put("custom", custom);
        ArrayNode scopes = o.putArray("scopes");
        if (name.startsWith("channel_")) {
            scopes.add("channel");
        }
        if (times.has("created_at")) {
            o.put("created_at", times.get("created_at").asText());
            o.put("updated_at", times.get("updated_at").asText());
        }
        return o;
    }

    private static ObjectNode typesNode(ObjectNode doc) {
        JsonNode t = doc.get(TYPES);
        return t instanceof ObjectNode o ? o : doc.putObject(TYPES);
    }

    private static ObjectNode rolesNode(ObjectNode doc) {
        JsonNode t = doc.get(ROLES);
        return t instanceof ObjectNode o ? o : doc.putObject(ROLES);
    }

    /**
     * Custom permissions (§11.5), by id: each {@code {name, description, action, owner, created_at, updated_at}},
     * where {@code action} names the built-in action it allows.
     */
    public static Map<String, ObjectNode> permissions(ObjectNode doc) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        doc.path(PERMISSIONS).properties().forEach(e -> out.put(e.getKey(), (ObjectNode) e.getValue()));
        return out;
    }

    /**
     * {@code POST /permissions} ({@code id} null) or {@code PUT /permissions/{id}}: checks and stores a custom
     * permission. {@code knownAction} says whether an action exists; {@code builtIn} whether an id is a built-in
     * permission's. Conditions and team scoping are refused (code 4): this server has neither.
     */
    public static ObjectNode putPermission(
            ObjectNode doc,
            @Nullable String id,
            JsonNode body,
            Predicate<String> knownAction,
            Predicate<String> builtIn,
            Instant now) {
        String endpoint = id == null ? "CreatePermission" : "UpdatePermission";
        String pid = id != null ? id : body.path("id").asText("");
        if (id == null) {
            if (!NAME.matcher(pid).matches()) {
                throw input(endpoint, "id must be 1 to 64 characters of a-z, 0-9, _ and -, not '" + pid + "'");
            }
            if (builtIn.test(pid) || doc.path(PERMISSIONS).has(pid)) {
                throw input(endpoint, "permission '" + pid + "' already exists");
            }
            if (doc.path(PERMISSIONS).size() >= MAX_CUSTOM_PERMISSIONS) {
                throw input(endpoint, "an app has at most " + MAX_CUSTOM_PERMISSIONS + " custom permissions");
            }
        } else if (!doc.path(PERMISSIONS).has(pid)) {
            throw ChatException.notFound(endpoint + " failed with error: \"permission '" + pid + "' does not exist\"");
        }
        String action = body.path("action").asText("");
        if (!knownAction.test(action)) {
            throw input(endpoint, "action '" + action + "' is not an action of this server (see GET /permissions)");
        }
        JsonNode condition = body.get("condition");
        if (condition != null && !condition.isNull() && !(condition.isObject() && condition.isEmpty())) {
            throw input(endpoint, "conditions are not supported by this server; grant the permission to a role");
        }
        if (body.path("same_team").asBoolean(false)) {
            throw input(endpoint, "same_team needs multi-tenancy, which this server does not serve");
        }
        JsonNode owner = body.get("owner");
        if (owner != null && !owner.isNull() && !owner.isBoolean()) {
            throw input(endpoint, "owner must be true or false");
        }
        ObjectNode all = doc.get(PERMISSIONS) instanceof ObjectNode o ? o : doc.putObject(PERMISSIONS);
        ObjectNode old = (ObjectNode) all.get(pid);
        ObjectNode p = Json.object();
        p.put("name", body.path("name").asText(pid));
        p.put("description", body.path("description").asText(""));
        p.put("action", action);
        p.put("owner", owner != null && owner.asBoolean(false));
        p.put(
                "created_at",
                old == null ? Timestamps.format(now) : old.path("created_at").asText());
        p.put("updated_at", Timestamps.format(now));
        all.set(pid, p);
        return permissionJson(pid, p);
    }

    /** {@code DELETE /permissions/{id}}: not while a channel type grants it (code 4); unknown is code 16. */
    public static void deletePermission(ObjectNode doc, String id) {
        if (!doc.path(PERMISSIONS).has(id)) {
            throw ChatException.notFound(
                    "DeletePermission failed with error: \"permission '" + id + "' does not exist or is built in\"");
        }
        List<String> granting = new ArrayList<>();
        doc.path(TYPES)
                .properties()
                .forEach(t -> t.getValue().path("grants").properties().forEach(g -> {
                    for (JsonNode perm : g.getValue()) {
                        if (perm.asText().equals(id)) {
                            granting.add(t.getKey() + "." + g.getKey());
                        }
                    }
                }));
        if (!granting.isEmpty()) {
            throw input(
                    "DeletePermission",
                    "permission '" + id + "' is still granted in " + String.join(", ", granting)
                            + "; take it away first");
        }
        ((ObjectNode) doc.get(PERMISSIONS)).remove(id);
    }

    /** A custom permission as {@code /permissions} shows it. */
    public static ObjectNode permissionJson(String id, JsonNode p) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("name", p.path("name").asText(id));
        o.put("description", p.path("description").asText(""));
        o.put("action", p.path("action").asText());
        o.put("owner", p.path("owner").asBoolean(false));
        o.put("same_team", false);
        o.put("custom", true);
        o.put("level", "channel");
        o.putObject("condition");
        o.putArray("tags");
        return o;
    }

    private static ChatException input(String endpoint, String message) {
        return ChatException.input(endpoint + " failed with error: \"" + message + "\"");
    }
}
