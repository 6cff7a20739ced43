package dev.parley.server.moderation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.store.ModerationStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The fields of a filter, read one by one; {@link #rejectOthers} refuses what none read (code 4). */
final class FilterFields {
    private final JsonNode filter;
    private final String endpoint;
    private final Set<String> read = new HashSet<>();

    FilterFields(JsonNode filter, String endpoint) {
        this.filter = filter;
        this.endpoint = endpoint;
    }

    /** A string field: {@code "x"}, {@code {"$eq": "x"}} or {@code {"$in": [...]}}. */
    Optional<List<String>> values(String field) {
        read.add(field);
        JsonNode v = filter.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isTextual()) {
            return Optional.of(List.of(v.asText()));
        }
        if (v.isObject()
                && v.size() == 1
                && v.get("$eq") != null
                && v.get("$eq").isTextual()) {
            return Optional.of(List.of(v.get("$eq").asText()));
        }
        if (v.isObject()
                && v.size() == 1
                && v.get("$in") != null
                && v.get("$in").isArray()) {
            JsonNode list = v.get("$in");
            if (list.isEmpty() || list.size() > ModerationStore.MAX_FILTER_VALUES) {
                throw bad(field + ": $in takes 1 to " + ModerationStore.MAX_FILTER_VALUES + " values");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode x : list) {
                if (!x.isTextual()) {
                    throw bad(field + ": $in takes strings");
                }
                out.add(x.asText());
            }
            return Optional.of(out);
        }
        throw bad(field + " supports a string, $eq or $in");
    }

    /** A boolean field: {@code true} or {@code {"$eq": true}}. */
    @Nullable
    Boolean bool(String field) {
        read.add(field);
        JsonNode v = filter.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isObject() && v.size() == 1 && v.has("$eq")) {
            v = v.get("$eq");
        }
        if (!v.isBoolean()) {
            throw bad(field + " must be true or false");
        }
        return v.asBoolean();
    }

    void rejectOthers() {
        List<String> unknown = new ArrayList<>();
        filter.fieldNames().forEachRemaining(k -> {
            if (!read.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw bad("cannot filter on " + String.join(", ", unknown) + " (expected: "
                    + String.join(", ", new java.util.TreeSet<>(read)) + ")");
        }
    }

    private ChatException bad(String message) {
        return ChatException.input(endpoint + " failed with error: \"" + message + "\"");
    }
}
