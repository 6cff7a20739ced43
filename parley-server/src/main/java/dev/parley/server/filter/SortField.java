package dev.parley.server.filter;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One entry of a sort (PROTOCOL.md §9.6): {@code {"field": "...", "direction": 1|-1}}.
 *
 * @param field the field name as sent
 * @param ascending true for direction 1
 */
public record SortField(String field, boolean ascending) {
    /** Most sort entries accepted. */
    public static final int MAX_FIELDS = 5;

    public SortField {
        requireNonNull(field, "field");
    }

    /**
     * Parses a sort: the array form of the wire, or the object form {@code {"name": 1}} that some callers
     * send; null means no sort.
     */
    public static List<SortField> parse(JsonNode node) {
        List<SortField> out = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return out;
        }
        if (node.isArray()) {
            for (JsonNode e : node) {
                if (!e.isObject()
                        || !e.path("field").isTextual()
                        || e.path("field").asText().isEmpty()) {
                    throw ChatException.input("sort entries must be objects with a string 'field'");
                }
                out.add(new SortField(
                        e.get("field").asText(),
                        direction(e.get("direction"), e.get("field").asText())));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(new SortField(e.getKey(), direction(e.getValue(), e.getKey())));
            }
        } else {
            throw ChatException.input("sort must be an array of {field, direction} objects");
        }
        if (out.size() > MAX_FIELDS) {
            throw ChatException.input("sort has " + out.size() + " fields (expected: at most " + MAX_FIELDS + ")");
        }
        return out;
    }

    private static boolean direction(JsonNode d, String field) {
        if (d == null || d.isNull()) {
            return true;
        }
        if (!d.isIntegralNumber() || (d.asInt() != 1 && d.asInt() != -1)) {
            throw ChatException.input("sort direction of '" + field + "' must be 1 or -1");
        }
        return d.asInt() == 1;
    }
}
