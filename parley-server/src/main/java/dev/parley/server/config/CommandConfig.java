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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Slash commands (PROTOCOL.md §15.5): the built-in moderation commands, the app's custom commands of
 * {@code /commands}, and which commands each channel type offers. Both live in the app settings document,
 * under keys that {@code GET /app} does not show and {@code PATCH /app} cannot set: {@value #COMMANDS} (name
 * to command) and {@value #TYPE_COMMANDS} (channel type to command names).
 */
public final class CommandConfig {
    static final String COMMANDS = "commands";
    static final String TYPE_COMMANDS = "channel_type_commands";

    /** Most custom commands of an app. */
    public static final int MAX_CUSTOM = 50;

    /** What a command's name may be. */
    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

    /** The built-in commands this server runs, in the order the composer lists them. */
    public static final Map<String, ObjectNode> BUILT_INS = builtIns();

    /**
     * Names reserved for commands Stream has built in, served here or not: {@code giphy} needs a Giphy key,
     * which this server has no setting for, so it is neither offered nor available as a custom name.
     */
    static final Set<String> RESERVED = Set.of("giphy", "imgur", "flag", "ban", "unban", "mute", "unmute");

    /** The moderation set, as Stream names it. */
    public static final String MODERATION_SET = "moderation_set";

    private CommandConfig() {}

    private static Map<String, ObjectNode> builtIns() {
        Map<String, ObjectNode> m = new LinkedHashMap<>();
        m.put("ban", command("ban", "Ban a user", "[@username] [text]", MODERATION_SET));
        m.put("unban", command("unban", "Unban a user", "[@username]", MODERATION_SET));
        m.put("mute", command("mute", "Mute a user", "[@username]", MODERATION_SET));
        m.put("unmute", command("unmute", "Unmute a user", "[@username]", MODERATION_SET));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static ObjectNode command(String name, String description, String args, String set) {
        return Json.object()
                .put("name", name)
                .put("description", description)
                .put("args", args)
                .put("set", set);
    }

    /** The app's custom commands, by name, as stored (each with its times). */
    public static Map<String, ObjectNode> custom(ObjectNode doc) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        doc.path(COMMANDS).properties().forEach(e -> out.put(e.getKey(), (ObjectNode) e.getValue()));
        return out;
    }

    /** A command by name: built-in or custom; null when there is none. */
    public static @Nullable ObjectNode find(ObjectNode doc, String name) {
        ObjectNode b = BUILT_INS.get(name);
        if (b != null) {
            return b.deepCopy();
        }
        JsonNode c = doc.path(COMMANDS).get(name);
        return c == null ? null : (ObjectNode) c.deepCopy();
    }

    /**
     * The command names a channel type offers: set with {@code PUT /channeltypes/{name}}, or by default the
     * moderation set (Stream's messaging type offers {@code giphy}, which needs a key this server does not
     * take, so that the composer's list is not empty the moderation commands stand in).
     */
    public static List<String> namesOf(ObjectNode doc, String type) {
        JsonNode set = doc.path(TYPE_COMMANDS).get(type);
        if (set == null) {
            return List.copyOf(BUILT_INS.keySet());
        }
        List<String> out = new ArrayList<>();
        set.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The command objects of a channel type, {@code {name, description, args, set}}, for its config. */
    public static ArrayNode objectsOf(ObjectNode doc, String type) {
        ArrayNode out = Json.array();
        for (String name : namesOf(doc, type)) {
            ObjectNode c = find(doc, name);
            if (c != null) {
                ObjectNode o = out.addObject();
                o.put("name", name);
                o.put("description", c.path("description").asText(""));
                o.put("args", c.path("args").asText(""));
                o.put("set", c.path("set").asText(""));
            }
        }
        return out;
    }

    /** {@code POST /commands}: adds a custom command. */
    public static ObjectNode create(ObjectNode doc, ObjectNode body, Instant now) {
        String name = body.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw ChatException.input("CreateCommand failed with error: \"name: '" + name
                    + "' (expected: 1 to 64 lower-case letters, digits, '_' or '-')\"");
        }
        if (RESERVED.contains(name) || custom(doc).containsKey(name)) {
            throw ChatException.input("CreateCommand failed with error: \"a command named '" + name + "' exists\"");
        }
        if (custom(doc).size() >= MAX_CUSTOM) {
            throw ChatException.input(
                    "CreateCommand failed with error: \"at most " + MAX_CUSTOM + " custom commands per app\"");
        }
        String description = text(body, "description", "CreateCommand", true);
        ObjectNode c =
                command(name, description, text(body, "args", "CreateCommand", false), setOf(body, "CreateCommand"));
        c.put("created_at", Timestamps.format(now));
        c.put("updated_at", Timestamps.format(now));
        doc.withObject(COMMANDS).set(name, c);
        return c.deepCopy();
    }

    /** {@code PUT /commands/{name}}: changes the fields sent of a custom command. */
    public static ObjectNode update(ObjectNode doc, String name, ObjectNode body, Instant now) {
        JsonNode existing = doc.path(COMMANDS).get(name);
        if (existing == null) {
            throw notFound("UpdateCommand", name);
        }
        ObjectNode c = (ObjectNode) existing.deepCopy();
        if (body.has("description")) {
            c.put("description", text(body, "description", "UpdateCommand", true));
        }
        if (body.has("args")) {
            c.put("args", text(body, "args", "UpdateCommand", false));
        }
        if (body.has("set")) {
            c.put("set", setOf(body, "UpdateCommand"));
        }
        c.put("updated_at", Timestamps.format(now));
        doc.withObject(COMMANDS).set(name, c);
        return c.deepCopy();
    }

    /** {@code DELETE /commands/{name}}: refused while a channel type lists the command. */
    public static void delete(ObjectNode doc, String name) {
        if (!doc.path(COMMANDS).has(name)) {
            throw notFound("DeleteCommand", name);
        }
        doc.path(TYPE_COMMANDS)
                .properties()
                .forEach(e -> e.getValue().forEach(n -> {
                    if (n.asText().equals(name)) {
                        throw ChatException.input("DeleteCommand failed with error: \"command '" + name
                                + "' is used by channel type '" + e.getKey() + "'\"");
                    }
                }));
        ((ObjectNode) doc.get(COMMANDS)).remove(name);
    }

    /**
     * {@code PUT /channeltypes/{name}} with {@code commands}: names, {@code "all"} and
     * {@code "moderation_set"} expanded in place and in order; answers the stored names.
     */
    public static List<String> setTypeCommands(ObjectNode doc, String type, JsonNode commands) {
        if (!commands.isArray()) {
            throw ChatException.input("UpdateChannelType failed with error: \"commands must be a list of names\"");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode n : commands) {
            String name = n.asText("");
            switch (name) {
                case "all" -> {
                    out.addAll(BUILT_INS.keySet());
                    out.addAll(custom(doc).keySet());
                }
                case MODERATION_SET -> out.addAll(BUILT_INS.keySet());
                default -> {
                    if (!n.isTextual() || find(doc, name) == null) {
                        throw ChatException.input("UpdateChannelType failed with error: \"command '" + name
                                + "' does not exist"
                                + (name.equals("giphy") || name.equals("fun_set")
                                        ? " (giphy needs a Giphy key, which this server does not take)"
                                        : "")
                                + "\"");
                    }
                    out.add(name);
                }
            }
        }
        ArrayNode stored = doc.withObject(TYPE_COMMANDS).putArray(type);
        out.forEach(stored::add);
        return List.copyOf(out);
    }

    private static String setOf(ObjectNode body, String endpoint) {
        String set = text(body, "set", endpoint, false);
        if (!set.isEmpty() && !set.equals("fun_set") && !set.equals(MODERATION_SET)) {
            throw ChatException.input(endpoint + " failed with error: \"set: '" + set
                    + "' (expected: fun_set, moderation_set or empty)\"");
        }
        return set;
    }

    private static String text(ObjectNode body, String key, String endpoint, boolean required) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw ChatException.input(endpoint + " failed with error: \"" + key + " is required\"");
            }
            return "";
        }
        if (!v.isTextual() || v.asText().length() > 1024) {
            throw ChatException.input(
                    endpoint + " failed with error: \"" + key + " must be a string of at most 1024" + " characters\"");
        }
        if (required && v.asText().isBlank()) {
            throw ChatException.input(endpoint + " failed with error: \"" + key + " is required\"");
        }
        return v.asText();
    }

    private static ChatException notFound(String endpoint, String name) {
        return ChatException.notFound(endpoint + " failed with error: \"command '" + name + "' does not exist\"");
    }
}
