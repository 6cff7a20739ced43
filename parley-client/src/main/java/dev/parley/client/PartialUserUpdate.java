package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One item of {@code PATCH /users} (PROTOCOL.md §7.1 U3): fields to set (keys may be dotted paths into
 * nested custom objects) and fields to remove. A client-side caller may update only themself and never
 * their role or teams (code 17).
 *
 * @param id the user to update
 * @param set fields to set
 * @param unset fields to remove
 */
public record PartialUserUpdate(String id, Map<String, JsonValue> set, List<String> unset) {
    public PartialUserUpdate {
        requireNonNull(id, "id");
        set = set == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(set));
        unset = unset == null ? List.of() : List.copyOf(unset);
    }

    /** An update of {@code id} that changes nothing yet. */
    public static PartialUserUpdate of(String id) {
        return new PartialUserUpdate(id, Map.of(), List.of());
    }

    /**
     * This update plus {@code field = value}; values as {@link JsonValue#of(Object)} takes them (a string,
     * number, boolean, list, map or {@link JsonValue}).
     */
    public PartialUserUpdate set(String field, Object value) {
        Map<String, JsonValue> s = new LinkedHashMap<>(set);
        s.put(requireNonNull(field, "field"), JsonValue.of(requireNonNull(value, "value")));
        return new PartialUserUpdate(id, s, unset);
    }

    /** This update plus removing {@code field}. */
    public PartialUserUpdate unset(String field) {
        List<String> u = new java.util.ArrayList<>(unset);
        u.add(requireNonNull(field, "field"));
        return new PartialUserUpdate(id, set, u);
    }

    /** The item as sent. */
    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        ObjectNode s = o.putObject("set");
        set.forEach((k, v) -> s.set(k, Json.node(v)));
        unset.forEach(o.putArray("unset")::add);
        return o;
    }
}
