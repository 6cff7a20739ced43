package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A JSON value, as custom fields and other free-form parts of the protocol carry it (PROTOCOL.md §6).
 *
 * <p>A closed set: switch over {@link JsonString}, {@link JsonNumber}, {@link JsonBool}, {@link JsonNull},
 * {@link JsonArray} and {@link JsonObject}. Immutable and thread-safe; equal values are {@code equals}.
 * {@link Json#value} and {@link Json#node} convert to and from the codec's trees.
 */
public sealed interface JsonValue
        permits JsonValue.JsonString,
                JsonValue.JsonNumber,
                JsonValue.JsonBool,
                JsonValue.JsonNull,
                JsonValue.JsonArray,
                JsonValue.JsonObject {

    /** The JSON value of {@code value}; see {@link #of(Object)}. */
    static JsonString of(String value) {
        return new JsonString(value);
    }

    static JsonNumber of(long value) {
        return new JsonNumber(value);
    }

    static JsonNumber of(double value) {
        return new JsonNumber(value);
    }

    static JsonBool of(boolean value) {
        return value ? JsonBool.TRUE : JsonBool.FALSE;
    }

    /**
     * The JSON value of a plain Java value: null, a {@link JsonValue}, {@link String}, {@link Number},
     * {@link Boolean}, a {@link List} (or array of objects) of such values, or a {@link Map} with string keys.
     *
     * @throws IllegalArgumentException for any other type, or a number that is not finite
     */
    static JsonValue of(@Nullable Object value) {
        return switch (value) {
            case null -> JsonNull.INSTANCE;
            case JsonValue v -> v;
            case String s -> new JsonString(s);
            case Boolean b -> of(b.booleanValue());
            case Number n -> new JsonNumber(n);
            case CustomFields c -> new JsonObject(c.asMap());
            case List<?> l ->
                new JsonArray(Collections.unmodifiableList(
                        l.stream().map(JsonValue::of).collect(Collectors.toList())));
            case Object[] a -> of(List.of(a));
            case Map<?, ?> m -> {
                Map<String, JsonValue> fields = new LinkedHashMap<>();
                m.forEach((k, v) -> {
                    if (!(k instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, not " + k);
                    }
                    fields.put(key, of(v));
                });
                yield new JsonObject(fields);
            }
            default ->
                throw new IllegalArgumentException(
                        "not a JSON value: " + value.getClass().getName()
                                + " (expected: String, Number, Boolean, List, Map, JsonValue or null)");
        };
    }

    /** The text of a {@link JsonString}; empty for any other value. */
    default Optional<String> asString() {
        return this instanceof JsonString s ? Optional.of(s.value()) : Optional.empty();
    }

    /** A JSON string. */
    record JsonString(String value) implements JsonValue {
        public JsonString {
            requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return Json.write(Json.node(this));
        }
    }

    /**
     * A JSON number. Integral values are kept as {@link Long} (or {@link BigInteger} beyond it), others as
     * {@link Double} (or {@link BigDecimal} when given one), so {@code 1} and {@code 1.0} stay apart, as on
     * the wire.
     */
    record JsonNumber(Number value) implements JsonValue {
        public JsonNumber {
            requireNonNull(value, "value");
            value = switch (value) {
                case Long l -> l;
                case Integer i -> i.longValue();
                case Short s -> s.longValue();
                case Byte b -> b.longValue();
                case Double d -> finite(d);
                case Float f -> finite(f.doubleValue());
                case BigInteger b -> b.bitLength() < 64 ? (Number) b.longValue() : b;
                case BigDecimal b -> b;
                default -> finite(value.doubleValue());
            };
        }

        private static Double finite(double d) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON numbers are finite: " + d);
            }
            return d;
        }

        /** True when the value has no fraction part as written (a {@code long} or a big integer). */
        public boolean isIntegral() {
            return value instanceof Long || value instanceof BigInteger;
        }

        public long longValue() {
            return value.longValue();
        }

        public int intValue() {
            return value.intValue();
        }

        public double doubleValue() {
            return value.doubleValue();
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** {@code true} or {@code false}. */
    record JsonBool(boolean value) implements JsonValue {
        public static final JsonBool TRUE = new JsonBool(true);
        public static final JsonBool FALSE = new JsonBool(false);

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** {@code null}. */
    record JsonNull() implements JsonValue {
        public static final JsonNull INSTANCE = new JsonNull();

        @Override
        public String toString() {
            return "null";
        }
    }

    /** A JSON array; its list is immutable. */
    record JsonArray(List<JsonValue> values) implements JsonValue {
        public JsonArray {
            values = List.copyOf(values);
        }

        public static JsonArray of(JsonValue... values) {
            return new JsonArray(List.of(values));
        }

        @Override
        public String toString() {
            return Json.write(Json.node(this));
        }
    }

    /** A JSON object; its map is immutable and keeps the order of its keys. */
    record JsonObject(Map<String, JsonValue> fields) implements JsonValue {
        public static final JsonObject EMPTY = new JsonObject(Map.of());

        public JsonObject {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            fields.forEach((k, v) -> {
                requireNonNull(k, "key");
                requireNonNull(v, () -> "value of " + k);
            });
        }

        /** An object of key and value pairs; values as {@link JsonValue#of(Object)} takes them. */
        public static JsonObject of(@Nullable Object... keysAndValues) {
            return new JsonObject(CustomFields.pairs(keysAndValues));
        }

        /** The value of {@code key}, or empty. */
        public Optional<JsonValue> get(String key) {
            return Optional.ofNullable(fields.get(key));
        }

        /** This object with {@code key} set to {@code value} (as {@link JsonValue#of(Object)} takes it). */
        public JsonObject with(String key, @Nullable Object value) {
            Map<String, JsonValue> m = new LinkedHashMap<>(fields);
            m.put(requireNonNull(key, "key"), JsonValue.of(value));
            return new JsonObject(m);
        }

        @Override
        public String toString() {
            return Json.write(Json.node(this));
        }
    }
}
