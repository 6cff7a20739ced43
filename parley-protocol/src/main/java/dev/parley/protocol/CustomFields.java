package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.JsonValue.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The custom fields of a protocol object: the keys without a typed field of their own, flattened into the
 * object on the wire (PROTOCOL.md §6). An immutable map from key to {@link JsonValue} that keeps the order of
 * its keys; thread-safe.
 *
 * <pre>{@code
 * CustomFields c = CustomFields.of("color", "red", "priority", 2);
 * c.string("color");                     // Optional[red]
 * c.with("tags", List.of("a", "b"));     // a copy with one more key
 * }</pre>
 */
public final class CustomFields {
    public static final CustomFields EMPTY = new CustomFields(Map.of());

    private final Map<String, JsonValue> values;

    private CustomFields(Map<String, JsonValue> values) {
        this.values = values;
    }

    /** The fields of {@code values}, in its order. */
    public static CustomFields of(Map<String, ? extends JsonValue> values) {
        requireNonNull(values, "values");
        if (values.isEmpty()) {
            return EMPTY;
        }
        Map<String, JsonValue> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(requireNonNull(k, "key"), requireNonNull(v, () -> "value of " + k)));
        return new CustomFields(Collections.unmodifiableMap(m));
    }

    /**
     * Fields from key and value pairs, values as {@link JsonValue#of(Object)} takes them:
     * {@code CustomFields.of("color", "red", "size", 3)}.
     *
     * @throws IllegalArgumentException for an odd count, a key that is not a string, or a value of another type
     */
    public static CustomFields of(@Nullable Object... keysAndValues) {
        return of(pairs(keysAndValues));
    }

    static Map<String, JsonValue> pairs(@Nullable Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "keysAndValues: " + keysAndValues.length + " items (expected: key and value pairs)");
        }
        Map<String, JsonValue> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String key)) {
                throw new IllegalArgumentException(
                        "keysAndValues[" + i + "]: " + keysAndValues[i] + " (expected: a string key)");
            }
            m.put(key, JsonValue.of(keysAndValues[i + 1]));
        }
        return m;
    }

    /** The fields of a JSON object. */
    public static CustomFields of(JsonObject object) {
        return of(object.fields());
    }

    /** The value of {@code key}, or empty. */
    public Optional<JsonValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key} when it is a string, or empty. */
    public Optional<String> string(String key) {
        JsonValue v = values.get(key);
        return v == null ? Optional.empty() : v.asString();
    }

    public boolean containsKey(String key) {
        return values.containsKey(key);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The fields as an unmodifiable map, in order. */
    public Map<String, JsonValue> asMap() {
        return values;
    }

    /** The fields as one JSON object. */
    public JsonObject toObject() {
        return new JsonObject(values);
    }

    /** A copy with {@code key} set to {@code value} (as {@link JsonValue#of(Object)} takes it). */
    public CustomFields with(String key, @Nullable Object value) {
        Map<String, JsonValue> m = new LinkedHashMap<>(values);
        m.put(requireNonNull(key, "key"), JsonValue.of(value));
        return new CustomFields(Collections.unmodifiableMap(m));
    }

    /** A copy without {@code key}. */
    public CustomFields without(String key) {
        if (!values.containsKey(key)) {
            return this;
        }
        Map<String, JsonValue> m = new LinkedHashMap<>(values);
        m.remove(key);
        return m.isEmpty() ? EMPTY : new CustomFields(Collections.unmodifiableMap(m));
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof CustomFields c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return toObject().toString();
    }
}
