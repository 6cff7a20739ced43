package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;

/** Conversions of JSON operands to the Java values that are bound as SQL parameters. */
final class JsonValues {
    private JsonValues() {}

    /** A JSON number as a {@link Long} when it is integral and fits, else as a {@link Double}. */
    static Object number(JsonNode n) {
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        return n.doubleValue();
    }
}
