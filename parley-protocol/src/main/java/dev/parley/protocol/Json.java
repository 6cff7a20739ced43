package dev.parley.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON codec shared by the server and the client SDK.
 *
 * <p>Thread-safe. Parsing errors become {@link ChatException}s with code 4 whose message names the
 * problem, so that bad input from a client never turns into a 500.
 */
public final class Json {
    /** Deepest nesting accepted in a request ({@link #parseRequest}); deeper input is refused as code 4. */
    public static final int MAX_DEPTH = 64;

    /**
     * Deepest nesting of any document read, such as a server's answer or a stored document: an answer wraps
     * its own levels (channels, messages, quoted messages) around data that a request stored at up to
     * {@link #MAX_DEPTH}, so readers of answers must take more than a request may send.
     */
    public static final int MAX_READ_DEPTH = 256;

    /**
     * Parsers and generators take their buffers from one pool shared by all threads: the default pool keeps
     * them per thread, which a server on virtual threads (one per request) never reuses, so every parse and
     * every encoding allocated fresh buffers (a quarter of the bytes a message send allocated).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_READ_DEPTH)
                        .maxStringLength(4 * 1024 * 1024)
                        .build());
    }

    /**
     * Reads whole documents: data after the value is an error. Not the mapper's own setting, which would also
     * stop streaming readers (such as the user import) at their first value.
     */
    private static final ObjectReader DOCUMENTS = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** The shared mapper. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Parses a document.
     *
     * @param what names the input in the error message, for example {@code "request body"}
     * @throws ChatException code 4 when the text is not JSON
     */
    public static JsonNode parse(String text, String what) {
        return read(text, what, MAX_READ_DEPTH);
    }

    public static JsonNode parse(byte[] bytes, String what) {
        return read(bytes, what, MAX_READ_DEPTH);
    }

    /** Parses a document that must be a JSON object. */
    public static ObjectNode parseObject(String text, String what) {
        return object(parse(text, what), what);
    }

    /** Parses a request's document, nested at most {@link #MAX_DEPTH} levels. */
    public static JsonNode parseRequest(String text, String what) {
        return read(text, what, MAX_DEPTH);
    }

    /** Parses a request's document, nested at most {@link #MAX_DEPTH} levels. */
    public static JsonNode parseRequest(byte[] bytes, String what) {
        return read(bytes, what, MAX_DEPTH);
    }

    /** Parses a request's document that must be a JSON object, nested at most {@link #MAX_DEPTH} levels. */
    public static ObjectNode parseRequestObject(String text, String what) {
        return object(read(text, what, MAX_DEPTH), what);
    }

    private static ObjectNode object(JsonNode node, String what) {
        if (!node.isObject()) {
            throw ChatException.input(what + " must be a JSON object");
        }
        return (ObjectNode) node;
    }

    private static JsonNode read(String text, String what, int maxDepth) {
        try {
            return checked(DOCUMENTS.readTree(text), what, maxDepth);
        } catch (JsonProcessingException e) {
            throw invalid(e, what);
        }
    }

    private static JsonNode read(byte[] bytes, String what, int maxDepth) {
        try {
            return checked(DOCUMENTS.readTree(bytes), what, maxDepth);
        } catch (JsonProcessingException e) {
            throw invalid(e, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChatException invalid(JsonProcessingException e, String what) {
        String detail = e.getOriginalMessage();
        if (detail != null && detail.startsWith("Trailing token")) {
            detail = "more data follows the JSON value";
        }
        return ChatException.input(what + " is not valid JSON: " + detail);
    }

    /**
     * Refuses what the parser lets through but no store can keep as sent: a lone UTF-16 surrogate (a JSON
     * escape of D800 to DFFF without its pair) in a string or a key, a number too large for a double
     * ({@code 1e400}, which would be kept as infinity), and containers nested deeper than {@code maxDepth}.
     * One walk; the path to a refused value (such as {@code users[0].set.a.b}) is built only on failure.
     */
    private static JsonNode checked(JsonNode root, String what, int maxDepth) {
        if (root == null || root.isMissingNode()) {
            throw ChatException.input(what + " is empty");
        }
        try {
            check(root, 1, maxDepth);
        } catch (Refused r) {
            throw ChatException.input(what + " " + r.problem + (r.path.isEmpty() ? "" : " at " + r.path));
        }
        return root;
    }

    /** Recursion is bounded by the parser's own limit on nesting ({@link #MAX_READ_DEPTH}). */
    private static void check(JsonNode n, int depth, int maxDepth) {
        if (n.isTextual()) {
            checkText(n.textValue());
        } else if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
            throw new Refused("has a number out of range (expected: a finite double)");
        } else if (n.isContainerNode()) {
            if (depth > maxDepth) {
                throw new Refused("is nested deeper than " + maxDepth + " levels");
            }
            if (n.isObject()) {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    try {
                        checkText(e.getKey());
                        check(e.getValue(), depth + 1, maxDepth);
                    } catch (Refused r) {
                        throw r.under(e.getKey());
                    }
                }
            } else {
                for (int i = 0; i < n.size(); i++) {
                    try {
                        check(n.get(i), depth + 1, maxDepth);
                    } catch (Refused r) {
                        throw r.at(i);
                    }
                }
            }
        }
    }

    private static void checkText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Refused("has a string with a lone UTF-16 surrogate (\\u" + Integer.toHexString(c)
                        + "), which is not a character");
            }
        }
    }

    /** A refused value; the path to it is added by each level on the way out. Never leaves this class. */
    private static final class Refused extends RuntimeException {
        final String problem;
        String path = "";

        Refused(String problem) {
            super(problem, null, false, false);
            this.problem = problem;
        }

        Refused under(String key) {
            path = path.isEmpty() ? key : path.startsWith("[") ? key + path : key + "." + path;
            return this;
        }

        Refused at(int index) {
            path = "[" + index + "]" + (path.isEmpty() || path.startsWith("[") ? path : "." + path);
            return this;
        }
    }

    /** The {@link JsonValue} of a tree; a missing node is {@link JsonValue.JsonNull}. */
    public static JsonValue value(@Nullable JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return JsonValue.JsonNull.INSTANCE;
        }
        if (n.isTextual()) {
            return new JsonValue.JsonString(n.textValue());
        }
        if (n.isBoolean()) {
            return JsonValue.of(n.booleanValue());
        }
        if (n.isIntegralNumber()) {
            return new JsonValue.JsonNumber(n.canConvertToLong() ? (Number) n.longValue() : n.bigIntegerValue());
        }
        if (n.isBigDecimal()) {
            return new JsonValue.JsonNumber(n.decimalValue());
        }
        if (n.isNumber()) {
            return new JsonValue.JsonNumber(n.doubleValue());
        }
        if (n.isArray()) {
            List<JsonValue> values = new ArrayList<>(n.size());
            n.forEach(e -> values.add(value(e)));
            return new JsonValue.JsonArray(values);
        }
        if (n.isObject()) {
            return new JsonValue.JsonObject(fields(n, Set.of()));
        }
        return new JsonValue.JsonString(n.asText());
    }

    /** The tree of a {@link JsonValue}; integral numbers in the {@code int} range become int nodes, as parsed. */
    public static JsonNode node(JsonValue v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        // An if chain rather than a pattern switch: the switch over a sealed type compiles to a MatchException
        // that Android 8 lacks.
        if (v instanceof JsonValue.JsonString s) {
            return f.textNode(s.value());
        }
        if (v instanceof JsonValue.JsonBool b) {
            return f.booleanNode(b.value());
        }
        if (v instanceof JsonValue.JsonNumber n) {
            Number value = n.value();
            if (value instanceof Long l) {
                return l == l.intValue() ? f.numberNode(l.intValue()) : f.numberNode(l);
            }
            if (value instanceof BigInteger b) {
                return f.numberNode(b);
            }
            if (value instanceof BigDecimal d) {
                return f.numberNode(d);
            }
            return f.numberNode(n.doubleValue());
        }
        if (v instanceof JsonValue.JsonArray a) {
            ArrayNode out = f.arrayNode();
            a.values().forEach(e -> out.add(node(e)));
            return out;
        }
        if (v instanceof JsonValue.JsonObject o) {
            return node(o);
        }
        return f.nullNode();
    }

    /** The tree of a JSON object. */
    public static ObjectNode node(JsonValue.JsonObject o) {
        ObjectNode out = object();
        o.fields().forEach((k, e) -> out.set(k, node(e)));
        return out;
    }

    /** The tree of custom fields, as one object. */
    public static ObjectNode node(CustomFields c) {
        ObjectNode out = object();
        putAll(out, c);
        return out;
    }

    /** Sets every custom field on {@code target}, flattened (PROTOCOL.md §6). */
    public static ObjectNode putAll(ObjectNode target, CustomFields c) {
        c.asMap().forEach((k, e) -> target.set(k, node(e)));
        return target;
    }

    /** The JSON object of a tree that must be an object. */
    public static JsonValue.JsonObject objectValue(@Nullable JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw ChatException.input(what + " must be a JSON object");
        }
        return new JsonValue.JsonObject(fields(n, Set.of()));
    }

    /** The keys of an object tree that are not in {@code typed}: its custom fields. */
    public static CustomFields custom(JsonNode object, Set<String> typed) {
        return CustomFields.of(fields(object, typed));
    }

    private static Map<String, JsonValue> fields(JsonNode object, Set<String> skip) {
        Map<String, JsonValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (!skip.contains(e.getKey())) {
                out.put(e.getKey(), value(e.getValue()));
            }
        }
        return out;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
