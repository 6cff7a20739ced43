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
import java.util.Map;
import java.util.StringJoiner;

/**
 * Calls a test server's REST API the way Stream's SDKs do: {@code api_key} as a query parameter, the raw
 * JWT in {@code Authorization} (no {@code Bearer}), {@code stream-auth-type}, and read parameters such as
 * {@code payload} as URL-encoded JSON. Immutable: the {@code with...} methods return a changed copy.
 */
public final class RestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String baseUrl;
    private final String apiKey;
    private final String token;
    private final String authType;

    private RestClient(String baseUrl, String apiKey, String token, String authType) {
        this.baseUrl = requireNonNull(baseUrl, "baseUrl");
        this.apiKey = apiKey;
        this.token = token;
        this.authType = authType;
    }

    /** A client that sends {@code token} with {@code stream-auth-type: jwt}. */
    public static RestClient of(String baseUrl, String apiKey, String token) {
        return new RestClient(baseUrl, apiKey, token, "jwt");
    }

    /** A client holding the server token of {@code server}. */
    public static RestClient server(TestServer server) {
        return of(server.baseUrl(), server.apiKey(), server.serverToken());
    }

    /** A client holding a user token (no expiry, no {@code iat}) for {@code userId}. */
    public static RestClient user(TestServer server, String userId) {
        return of(server.baseUrl(), server.apiKey(), server.userToken(userId));
    }

    /** The same client with another token; null sends no {@code Authorization}. */
    public RestClient withToken(String newToken) {
        return new RestClient(baseUrl, apiKey, newToken, authType);
    }

    /** The same client with another API key; null sends no {@code api_key}. */
    public RestClient withApiKey(String newKey) {
        return new RestClient(baseUrl, newKey, token, authType);
    }

    /** An anonymous client: {@code stream-auth-type: anonymous} and no {@code Authorization}. */
    public RestClient anonymous() {
        return new RestClient(baseUrl, apiKey, null, "anonymous");
    }

    /** A status, the headers and the parsed JSON body (null when the body is empty). */
    public record Response(int status, HttpHeaders headers, JsonNode body) {
        /** The error envelope's {@code code}, or -999 when there is none. */
        public int code() {
            return body == null ? -999 : body.path("code").asInt(-999);
        }

        public String message() {
            return body == null ? null : body.path("message").asText(null);
        }

        public ObjectNode json() {
            return (ObjectNode) body;
        }

        @Override
        public String toString() {
            return status + " " + body;
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
        return send("GET", path, Map.of("payload", Json.write(payload)), null, Map.of());
    }

    /** POST with a JSON body: a String is sent as is, anything else is written as JSON. */
    public Response post(String path, Object body) {
        return send("POST", path, Map.of(), body, Map.of());
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, Map.of(), body, Map.of());
    }

    public Response delete(String path, Map<String, String> params) {
        return send("DELETE", path, params, null, Map.of());
    }

    /**
     * Any call.
     *
     * @param body null for none; a String or byte[] is sent as is; anything else as JSON
     * @param extraHeaders added after the SDK headers
     */
    public Response send(String method, String path, Map<String, String> params, Object body,
            Map<String, String> extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path, params)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", token);
        }
        if (authType != null) {
            b.header("stream-auth-type", authType);
        }
        b.header("X-Stream-Client", "parley-tests");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        extraHeaders.forEach(b::header);
        b.method(method, publisher(body));
        try {
            HttpResponse<byte[]> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode parsed = res.body().length == 0 ? null : Json.parse(res.body(), "response body");
            return new Response(res.statusCode(), res.headers(), parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private URI uri(String path, Map<String, String> params) {
        Map<String, String> all = new LinkedHashMap<>();
        if (apiKey != null) {
            all.put("api_key", apiKey);
        }
        all.putAll(params);
        StringJoiner q = new StringJoiner("&");
        all.forEach((k, v) -> q.add(encode(k) + "=" + encode(v)));
        return URI.create(baseUrl + path + (all.isEmpty() ? "" : "?" + q));
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
}
