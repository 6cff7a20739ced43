package dev.parley.server.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * The one REST client of the server's tests. Calls the API the way Stream's SDKs do: {@code api_key} (and,
 * once named, {@code connection_id}) as query parameters, the raw JWT in {@code Authorization} (no
 * {@code Bearer}), {@code stream-auth-type}, and read parameters such as {@code payload} as URL-encoded JSON.
 * Immutable and thread-safe: the {@code with...} methods return a changed copy.
 */
public final class RestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    // Read at each request, so that a client made from a ServerExtension before it starts works once it has.
    private final Supplier<String> baseUrl;
    private final Supplier<String> apiKey;
    private final Supplier<String> token;
    private final String authType;
    private final String connectionId;

    private RestClient(
            Supplier<String> baseUrl,
            Supplier<String> apiKey,
            Supplier<String> token,
            String authType,
            String connectionId) {
        this.baseUrl = requireNonNull(baseUrl, "baseUrl");
        this.apiKey = apiKey;
        this.token = token;
        this.authType = authType;
        this.connectionId = connectionId;
    }

    /** A client that sends {@code token} with {@code stream-auth-type: jwt}. */
    public static RestClient of(String baseUrl, String apiKey, String token) {
        requireNonNull(baseUrl, "baseUrl");
        return new RestClient(() -> baseUrl, () -> apiKey, () -> token, "jwt", null);
    }

    /** A client holding the server token of {@code server}; it may be made before the server starts. */
    public static RestClient server(TestServer server) {
        return new RestClient(server::baseUrl, server::apiKey, server::serverToken, "jwt", null);
    }

    /** A client holding a user token (no expiry, no {@code iat}) for {@code userId}. */
    public static RestClient user(TestServer server, String userId) {
        requireNonNull(userId, "userId");
        return new RestClient(server::baseUrl, server::apiKey, () -> server.userToken(userId), "jwt", null);
    }

    /** The same client with another token ({@code jwt}); null sends no {@code Authorization}. */
    public RestClient withToken(String newToken) {
        return new RestClient(baseUrl, apiKey, () -> newToken, "jwt", connectionId);
    }

    /** The same client with another API key; null sends no {@code api_key}. */
    public RestClient withApiKey(String newKey) {
        return new RestClient(baseUrl, () -> newKey, token, authType, connectionId);
    }

    /** The same client naming its socket, so that a watching query subscribes that connection. */
    public RestClient withConnectionId(String newConnectionId) {
        return new RestClient(baseUrl, apiKey, token, authType, newConnectionId);
    }

    /** An anonymous client: {@code stream-auth-type: anonymous} and no {@code Authorization}. */
    public RestClient anonymous() {
        return new RestClient(baseUrl, apiKey, () -> null, "anonymous", connectionId);
    }

    /**
     * One answer: status, headers, the body as text, and the body parsed when it is JSON (else null).
     */
    public record Response(int status, HttpHeaders headers, String text, JsonNode body) {
        /** The error envelope's {@code code}, or -999 when there is none. */
        public int code() {
            return body == null ? -999 : body.path("code").asInt(-999);
        }

        /** The error envelope's {@code message}, or null. */
        public String message() {
            return body == null ? null : body.path("message").asText(null);
        }

        /** The body as a JSON object, or null when it is not one. */
        public ObjectNode json() {
            return body instanceof ObjectNode o ? o : null;
        }

        @Override
        public String toString() {
            return status + " " + (body != null ? body : text);
        }
    }

    public Response get(String path) {
        return send("GET", path, Map.of(), null, Map.of());
    }

    public Response get(String path, Map<String, String> params) {
        return send("GET", path, params, null, Map.of());
    }

    /** A GET whose request is one JSON document in the {@code payload} parameter (PROTOCOL.md §1.3). */
    public Response getPayload(String path, JsonNode payload) {
        return get(path, Map.of("payload", Json.write(payload)));
    }

    /** POST with a JSON body: a String is sent as is, anything else is written as JSON. */
    public Response post(String path, Object body) {
        return send("POST", path, Map.of(), body, Map.of());
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, Map.of(), body, Map.of());
    }

    public Response delete(String path) {
        return delete(path, Map.of());
    }

    public Response delete(String path, Map<String, String> params) {
        return send("DELETE", path, params, null, Map.of());
    }

    /** Any method, with a body (null: none; a String or byte[] is sent as is; anything else as JSON). */
    public Response call(String method, String path, Object body) {
        return send(method, path, Map.of(), body, Map.of());
    }

    /**
     * Any call.
     *
     * @param path may carry a query of its own; {@code params} are added to it
     * @param body null for none; a String or byte[] is sent as is; anything else as JSON
     * @param extraHeaders added after the SDK headers; a {@code Content-Type} here replaces the JSON one
     */
    public Response send(
            String method, String path, Map<String, String> params, Object body, Map<String, String> extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path, params)).timeout(Duration.ofSeconds(10));
        String jwt = token.get();
        if (jwt != null) {
            b.header("Authorization", jwt);
        }
        if (authType != null) {
            b.header("stream-auth-type", authType);
        }
        b.header("X-Stream-Client", "parley-tests");
        if (body != null && extraHeaders.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            b.header("Content-Type", "application/json");
        }
        extraHeaders.forEach(b::header);
        b.method(method, publisher(body));
        try {
            HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(res.statusCode(), res.headers(), res.body(), parse(res.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(String text) {
        String t = text.stripLeading();
        return t.startsWith("{") || t.startsWith("[") ? Json.parse(text, "response body") : null;
    }

    private URI uri(String path, Map<String, String> params) {
        Map<String, String> all = new LinkedHashMap<>();
        String key = apiKey.get();
        if (key != null) {
            all.put("api_key", key);
        }
        if (connectionId != null) {
            all.put("connection_id", connectionId);
        }
        all.putAll(params);
        StringJoiner q = new StringJoiner("&");
        all.forEach((k, v) -> q.add(encode(k) + "=" + encode(v)));
        String sep = path.contains("?") ? "&" : "?";
        return URI.create(baseUrl.get() + path + (all.isEmpty() ? "" : sep + q));
    }

    private static HttpRequest.BodyPublisher publisher(Object body) {
        if (body == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        if (body instanceof byte[] bytes) {
            return HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        String text = body instanceof String s ? s : Json.write(body);
        return HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
    }

    /** URL-encodes a query value as the JS client does. */
    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * A JSON object from alternating keys and values: strings, integers, booleans, JSON nodes, or lists
     * (written as arrays of strings).
     */
    public static ObjectNode json(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values: " + kv.length + " (expected: an even count)");
        }
        ObjectNode o = Json.object();
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            switch (kv[i + 1]) {
                case String s -> o.put(k, s);
                case Integer n -> o.put(k, n);
                case Boolean b -> o.put(k, b);
                case JsonNode n -> o.set(k, n);
                case List<?> l -> {
                    var a = o.putArray(k);
                    l.forEach(x -> {
                        if (x instanceof JsonNode n) {
                            a.add(n);
                        } else {
                            a.add(String.valueOf(x));
                        }
                    });
                }
                default -> throw new IllegalArgumentException("cannot put a " + kv[i + 1].getClass());
            }
        }
        return o;
    }
}
