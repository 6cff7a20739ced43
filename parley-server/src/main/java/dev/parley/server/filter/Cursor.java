package dev.parley.server.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;

/**
 * The opaque {@code next} and {@code prev} of this server's paged queries (PROTOCOL.md §9.7): an offset written
 * as a decimal string. Stateless.
 */
public final class Cursor {
    private Cursor() {}

    /**
     * The offset {@code body.field} carries: 0 when it is absent, null or empty; code 4, naming {@code endpoint},
     * when it is not a cursor this server gave.
     */
    public static int offset(JsonNode body, String field, String endpoint) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
            return 0;
        }
        try {
            int v = Integer.parseInt(n.asText());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ChatException.input(endpoint + " failed with error: \"" + field + ": '" + n.asText()
                + "' is not a cursor of this server\"");
    }
}
