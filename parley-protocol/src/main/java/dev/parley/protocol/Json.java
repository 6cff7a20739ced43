package dev.parley.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

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

    private static final ObjectMapper MAPPER = JsonMapper.builder()
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
        try {
            return checked(DOCUMENTS.readTree(text), what);
        } catch (JsonProcessingException e) {
            throw invalid(e, what);
        }
    }

    /** Parses a request's document, nested at most {@link #MAX_DEPTH} levels. */
    public static JsonNode parseRequest(String text, String what) {
        return shallow(parse(text, what), what);
    }

    /** Parses a request's document, nested at most {@link #MAX_DEPTH} levels. */
    public static JsonNode parseRequest(byte[] bytes, String what) {
        return shallow(parse(bytes, what), what);
    }

    /** Parses a request's document that must be a JSON object, nested at most {@link #MAX_DEPTH} levels. */
    public static ObjectNode parseRequestObject(String text, String what) {
        return (ObjectNode) shallow(parseObject(text, what), what);
    }

    private static JsonNode shallow(JsonNode root, String what) {
        Deque<Map.Entry<JsonNode, Integer>> todo = new ArrayDeque<>();
        todo.push(Map.entry(root, 1));
        while (!todo.isEmpty()) {
            Map.Entry<JsonNode, Integer> next = todo.pop();
            if (next.getValue() > MAX_DEPTH) {
                throw ChatException.input(what + " is nested deeper than " + MAX_DEPTH + " levels");
            }
            if (next.getKey().isContainerNode()) {
                next.getKey().forEach(child -> {
                    if (child.isContainerNode()) {
                        todo.push(Map.entry(child, next.getValue() + 1));
                    }
                });
            }
        }
        return root;
    }

    /** Parses a document that must be a JSON object. */
    public static ObjectNode parseObject(String text, String what) {
        JsonNode node = parse(text, what);
        if (!node.isObject()) {
            throw ChatException.input(what + " must be a JSON object");
        }
        return (ObjectNode) node;
    }

    public static JsonNode parse(byte[] bytes, String what) {
        try {
            return checked(DOCUMENTS.readTree(bytes), what);
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
     * escape of D800 to DFFF without its pair) in a string or a key, and a number too large for a double
     * ({@code 1e400}, which would be kept as infinity).
     */
    private static JsonNode checked(JsonNode root, String what) {
        if (root == null || root.isMissingNode()) {
            throw ChatException.input(what + " is empty");
        }
        Deque<Map.Entry<String, JsonNode>> todo = new ArrayDeque<>();
        todo.push(Map.entry("", root));
        while (!todo.isEmpty()) {
            Map.Entry<String, JsonNode> next = todo.pop();
            String path = next.getKey();
            JsonNode n = next.getValue();
            if (n.isTextual()) {
                checkText(n.textValue(), what, path);
            } else if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
                throw ChatException.input(what + " has a number out of range" + at(path)
                        + " (expected: a finite double)");
            } else if (n.isObject()) {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    checkText(e.getKey(), what, child);
                    todo.push(Map.entry(child, e.getValue()));
                }
            } else if (n.isArray()) {
                for (int i = 0; i < n.size(); i++) {
                    todo.push(Map.entry(path + "[" + i + "]", n.get(i)));
                }
            }
        }
        return root;
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : " at " + path;
    }

    private static void checkText(String s, String what, String path) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ChatException.input(what + " has a string with a lone UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + ")" + at(path) + ", which is not a character");
            }
        }
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
