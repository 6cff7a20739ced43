package dev.parley.server.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Builds {@link Filter}s from JSON. Input errors are code 4 naming the offending key. */
final class FilterParser {
    /** Deepest nesting of {@code $and}/{@code $or}/{@code $nor} accepted. */
    static final int MAX_DEPTH = 8;

    /** Most conditions accepted in one filter. */
    static final int MAX_CONDITIONS = 200;

    private FilterParser() {}

    static Filter parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new Filter.All();
        }
        int[] count = {0};
        return parseObject(node, 0, count);
    }

    private static Filter parseObject(JsonNode node, int depth, int[] count) {
        if (!node.isObject()) {
            throw ChatException.input("filter_conditions must be a JSON object");
        }
        if (depth > MAX_DEPTH) {
            throw ChatException.input("filter_conditions is nested deeper than " + MAX_DEPTH + " levels");
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "$and" -> parts.add(new Filter.And(parseList(key, value, depth, count)));
                case "$or" -> parts.add(new Filter.Or(parseList(key, value, depth, count)));
                case "$nor" -> parts.add(new Filter.Nor(parseList(key, value, depth, count)));
                default -> {
                    if (key.startsWith("$")) {
                        throw ChatException.input("filter operator '" + key + "' is not supported at this level");
                    }
                    parts.addAll(parseField(key, value, count));
                }
            }
        }
        if (parts.isEmpty()) {
            return new Filter.All();
        }
        return parts.size() == 1 ? parts.get(0) : new Filter.And(parts);
    }

    private static List<Filter> parseList(String op, JsonNode value, int depth, int[] count) {
        if (!value.isArray() || value.isEmpty()) {
            throw ChatException.input("filter_conditions." + op + " must be a non-empty array of filters");
        }
        List<Filter> out = new ArrayList<>();
        for (JsonNode n : value) {
            out.add(parseObject(n, depth + 1, count));
        }
        return out;
    }

    private static List<Filter> parseField(String field, JsonNode value, int[] count) {
        List<Filter> out = new ArrayList<>();
        if (value.isObject() && value.size() > 0 && value.fieldNames().next().startsWith("$")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Filter.Op op = Filter.Op.of(e.getKey());
                out.add(condition(field, op, e.getValue(), count));
            }
        } else {
            out.add(condition(field, Filter.Op.EQ, value, count));
        }
        return out;
    }

    /** Databases refuse NUL characters in text; refuse them here as input errors instead. */
    private static void checkText(String field, JsonNode value) {
        if (field.indexOf('\u0000') >= 0 || (value.isTextual() && value.asText().indexOf('\u0000') >= 0)) {
            throw ChatException.input(
                    "filter_conditions." + field.replace('\u0000', '?') + " contains a NUL character");
        }
        if (value.isArray()) {
            for (JsonNode n : value) {
                checkText(field, n);
            }
        }
    }

    private static Filter condition(String field, Filter.Op op, JsonNode value, int[] count) {
        if (++count[0] > MAX_CONDITIONS) {
            throw ChatException.input("filter_conditions has more than " + MAX_CONDITIONS + " conditions");
        }
        checkText(field, value);
        switch (op) {
            case IN, NIN -> {
                if (!value.isArray()) {
                    throw ChatException.input("filter_conditions." + field + "." + op.wire() + " must be an array");
                }
            }
            case EXISTS -> {
                if (!value.isBoolean()) {
                    throw ChatException.input("filter_conditions." + field + ".$exists must be a boolean");
                }
            }
            case AUTOCOMPLETE, Q -> {
                if (!value.isTextual()) {
                    throw ChatException.input("filter_conditions." + field + "." + op.wire() + " must be a string");
                }
            }
            default -> {
                if (value.isObject()) {
                    throw ChatException.input(
                            "filter_conditions." + field + "." + op.wire() + " must not be an object");
                }
            }
        }
        return new Filter.Condition(field, op, value);
    }
}
