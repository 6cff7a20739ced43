package dev.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Readers and writers of the fields of protocol objects (PROTOCOL.md §6). Reading is lenient about absence (a
 * missing or null field gives the default) and strict about type: a field of the wrong type is a
 * {@link ChatException} with code 4 naming {@code owner.field}. Stateless.
 */
final class Fields {
    private Fields() {}

    static void requireObject(@Nullable JsonNode node, String owner) {
        if (node == null || !node.isObject()) {
            throw ChatException.input(owner + " must be a JSON object");
        }
    }

    private static @Nullable JsonNode get(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : n;
    }

    static @Nullable String text(JsonNode node, String owner, String field) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input(owner + "." + field + " must be a string");
        }
        return n.textValue();
    }

    static String requiredText(JsonNode node, String owner, String field) {
        String v = text(node, owner, field);
        if (v == null) {
            throw ChatException.input(owner + "." + field + " is a required field");
        }
        return v;
    }

    static @Nullable Boolean optBool(JsonNode node, String owner, String field) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw ChatException.input(owner + "." + field + " must be a boolean");
        }
        return n.booleanValue();
    }

    static boolean bool(JsonNode node, String owner, String field) {
        Boolean b = optBool(node, owner, field);
        return b != null && b;
    }

    static @Nullable Integer optInteger(JsonNode node, String owner, String field) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw ChatException.input(owner + "." + field + " must be a number");
        }
        return n.asInt();
    }

    static int integer(JsonNode node, String owner, String field, int defaultValue) {
        Integer v = optInteger(node, owner, field);
        return v == null ? defaultValue : v;
    }

    static @Nullable Instant time(JsonNode node, String owner, String field) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input(owner + "." + field + " must be an RFC 3339 timestamp string");
        }
        return Timestamps.parse(n.textValue(), owner + "." + field);
    }

    static @Nullable User user(JsonNode node, String field) {
        JsonNode n = get(node, field);
        return n == null ? null : User.fromJson(n);
    }

    static <T> @Nullable T object(JsonNode node, String owner, String field, Function<JsonNode, T> read) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw ChatException.input(owner + "." + field + " must be a JSON object");
        }
        return read.apply(n);
    }

    static @Nullable JsonObject jsonObject(JsonNode node, String owner, String field) {
        return object(node, owner, field, n -> Json.objectValue(n, owner + "." + field));
    }

    /** The list, or null when the field is absent: for lists whose absence means "not sent". */
    static <T> @Nullable List<T> optList(JsonNode node, String owner, String field, Function<JsonNode, T> read) {
        JsonNode n = get(node, field);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw ChatException.input(owner + "." + field + " must be an array");
        }
        List<T> out = new ArrayList<>(n.size());
        n.forEach(e -> out.add(read.apply(e)));
        return out;
    }

    static <T> List<T> list(JsonNode node, String owner, String field, Function<JsonNode, T> read) {
        List<T> l = optList(node, owner, field, read);
        return l == null ? List.of() : l;
    }

    static @Nullable List<String> strings(JsonNode node, String owner, String field) {
        return optList(node, owner, field, e -> {
            if (!e.isTextual()) {
                throw ChatException.input(owner + "." + field + " must be an array of strings");
            }
            return e.textValue();
        });
    }

    static List<JsonObject> objects(JsonNode node, String owner, String field) {
        return list(node, owner, field, e -> Json.objectValue(e, owner + "." + field + "[]"));
    }

    static Map<String, Integer> counts(JsonNode node, String owner, String field) {
        JsonNode n = get(node, field);
        Map<String, Integer> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (!n.isObject()) {
            throw ChatException.input(owner + "." + field + " must be an object of numbers");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isNumber()) {
                throw ChatException.input(owner + "." + field + "." + e.getKey() + " must be a number");
            }
            out.put(e.getKey(), e.getValue().asInt());
        }
        return out;
    }

    // writers

    static void putTime(ObjectNode o, String field, @Nullable Instant t) {
        if (t != null) {
            o.put(field, Timestamps.format(t));
        }
    }

    /** Writes the time, or an explicit null: for fields the server always sends. */
    static void putTimeOrNull(ObjectNode o, String field, @Nullable Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, Timestamps.format(t));
        }
    }

    static void putText(ObjectNode o, String field, @Nullable String v) {
        if (v != null) {
            o.put(field, v);
        }
    }

    static void putInt(ObjectNode o, String field, @Nullable Integer v) {
        if (v != null) {
            o.put(field, v);
        }
    }

    static void putBool(ObjectNode o, String field, @Nullable Boolean v) {
        if (v != null) {
            o.put(field, v);
        }
    }

    static void putStrings(ObjectNode o, String field, List<String> values) {
        ArrayNode a = o.putArray(field);
        values.forEach(a::add);
    }

    static void putObjects(ObjectNode o, String field, List<JsonObject> values) {
        ArrayNode a = o.putArray(field);
        values.forEach(v -> a.add(Json.node(v)));
    }

    static void putCounts(ObjectNode o, String field, Map<String, Integer> counts) {
        ObjectNode c = o.putObject(field);
        counts.forEach(c::put);
    }

    static <T> List<T> copy(@Nullable List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    static <K, V> Map<K, V> copy(@Nullable Map<K, V> m) {
        return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    static CustomFields custom(@Nullable CustomFields c) {
        return c == null ? CustomFields.EMPTY : c;
    }
}
