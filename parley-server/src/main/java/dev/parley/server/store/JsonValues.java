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

    /** The SQL type to read a custom value as when it is compared with the JSON operand {@code v}. */
    static SqlDialect.Scalar scalar(JsonNode v) {
        if (v.isNumber()) {
            return SqlDialect.Scalar.NUMBER;
        }
        return v.isBoolean() ? SqlDialect.Scalar.BOOLEAN : SqlDialect.Scalar.STRING;
    }

    /** A JSON scalar as the Java value to bind: a number as {@link #number}, a boolean, or its text. */
    static Object value(JsonNode v) {
        if (v.isNumber()) {
            return number(v);
        }
        return v.isBoolean() ? (Object) v.asBoolean() : v.asText();
    }
}
