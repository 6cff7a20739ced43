package dev.parley.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A REST caller for integration tests: sends JSON with the key, the token and (optionally) the
 * connection id the way Stream's JS SDK does (PROTOCOL.md §1.2), and returns status and body.
 */
public final class Rest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** An answer: HTTP status and JSON body. */
    public record Answer(int status, ObjectNode body) {
        public int code() {
            return body.path("code").asInt();
        }
    }

    private final TestServer server;
    private final String token;
    private final String connectionId;

    private Rest(TestServer server, String token, String connectionId) {
        this.server = server;
        this.token = token;
        this.connectionId = connectionId;
    }

    /** Calls as {@code userId} with a user token. */
    public static Rest as(TestServer server, String userId) {
        return new Rest(server, server.userToken(userId), null);
    }

    /** Calls with a server token. */
    public static Rest server(TestServer server) {
        return new Rest(server, server.serverToken(), null);
    }

    /** The same caller, naming its socket so that watch subscribes it. */
    public Rest on(String connectionId) {
        return new Rest(server, token, connectionId);
    }

    public Answer post(String path, ObjectNode body) {
        return call("POST", path, body);
    }

    public Answer get(String path) {
        return call("GET", path, null);
    }

    public Answer call(String method, String path, ObjectNode body) {
        return callRaw(method, path, body == null ? null : Json.write(body));
    }

    /** Sends {@code body} exactly as given (null: no body). */
    public Answer callRaw(String method, String path, String body) {
        String sep = path.contains("?") ? "&" : "?";
        StringBuilder url = new StringBuilder(server.baseUrl()).append(path).append(sep).append("api_key=")
                .append(URLEncoder.encode(server.apiKey(), StandardCharsets.UTF_8));
        if (connectionId != null) {
            url.append("&connection_id=").append(URLEncoder.encode(connectionId, StandardCharsets.UTF_8));
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", token)
                .header("stream-auth-type", "jwt")
                .header("Content-Type", "application/json")
                .method(method, publisher)
                .build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), Json.parseObject(r.body(), "response"));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Builds a JSON object from alternating keys and values (strings, numbers, booleans, JSON nodes). */
    public static ObjectNode json(Object... kv) {
        ObjectNode o = Json.object();
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            Object v = kv[i + 1];
            switch (v) {
                case String s -> o.put(k, s);
                case Integer n -> o.put(k, n);
                case Boolean b -> o.put(k, b);
                case com.fasterxml.jackson.databind.JsonNode n -> o.set(k, n);
                case java.util.List<?> l -> {
                    var a = o.putArray(k);
                    l.forEach(x -> a.add(String.valueOf(x)));
                }
                default -> throw new IllegalArgumentException("cannot put a " + v.getClass());
            }
        }
        return o;
    }
}
