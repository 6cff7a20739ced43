package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Lenient readers for the JSON objects a server sends (PROTOCOL.md §6): a missing or null field gives
 * the default; a field of the wrong type is a {@link ChatException} naming {@code owner.field}. Stateless.
 */
public final class Wire {
    private Wire() {}

    public static @Nullable String text(JsonNode node, String owner, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input(owner + "." + field + " must be a string");
        }
        return n.asText();
    }

    /** The field's text, or {@code defaultValue} when it is missing or null. */
    public static String text(JsonNode node, String owner, String field, String defaultValue) {
        String v = text(node, owner, field);
        return v == null ? defaultValue : v;
    }

    public static String requiredText(JsonNode node, String owner, String field) {
        String v = text(node, owner, field);
        if (v == null) {
            throw ChatException.input(owner + "." + field + " is a required field");
        }
        return v;
    }

    public static boolean bool(JsonNode node, String owner, String field, boolean defaultValue) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw ChatException.input(owner + "." + field + " must be a boolean");
        }
        return n.asBoolean();
    }

    public static int integer(JsonNode node, String owner, String field, int defaultValue) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber()) {
            throw ChatException.input(owner + "." + field + " must be a number");
        }
        return n.asInt();
    }

    public static @Nullable Instant time(JsonNode node, String owner, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input(owner + "." + field + " must be an RFC 3339 timestamp string");
        }
        return Timestamps.parse(n.asText(), owner + "." + field);
    }

    public static @Nullable User user(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : User.fromJson(n);
    }

    public static <T> List<T> list(JsonNode node, String owner, String field, Function<JsonNode, T> read) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ChatException.input(owner + "." + field + " must be an array");
        }
        List<T> out = new ArrayList<>(n.size());
        n.forEach(e -> out.add(read.apply(e)));
        return out;
    }

    public static List<String> strings(JsonNode node, String owner, String field) {
        return list(node, owner, field, e -> {
            if (!e.isTextual()) {
                throw ChatException.input(owner + "." + field + " must be an array of strings");
            }
            return e.asText();
        });
    }

    public static Map<String, Integer> counts(JsonNode node, String owner, String field) {
        JsonNode n = node.get(field);
        Map<String, Integer> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw ChatException.input(owner + "." + field + " must be an object of numbers");
        }
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    /** Every key of {@code node} not in {@code typed}: the flattened custom data. */
    public static Map<String, JsonNode> custom(JsonNode node, Set<String> typed) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!typed.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public static void requireObject(JsonNode node, String owner) {
        if (node == null || !node.isObject()) {
            throw ChatException.input(owner + " must be a JSON object");
        }
    }
}
