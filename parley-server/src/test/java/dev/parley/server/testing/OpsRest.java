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
import java.util.LinkedHashMap;
import java.util.Map;

/** A small REST client for tests: adds {@code api_key}, sends the token as Stream's SDKs do, parses JSON. */
public final class OpsRest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Status and body of one answer; {@code json} is null when the body is not JSON. */
    public record Response(int status, String text, ObjectNode json) {}

    private final TestServer server;
    private final String token;
    private final String authType;

    private OpsRest(TestServer server, String token, String authType) {
        this.server = server;
        this.token = token;
        this.authType = authType;
    }

    /** Calls with a server token. */
    public static OpsRest asServer(TestServer server) {
        return new OpsRest(server, server.serverToken(), "jwt");
    }

    /** Calls with this token ({@code jwt}). */
    public static OpsRest withToken(TestServer server, String token) {
        return new OpsRest(server, token, "jwt");
    }

    /** Calls as an anonymous client. */
    public static OpsRest anonymous(TestServer server) {
        return new OpsRest(server, null, "anonymous");
    }

    public Response get(String path, String... params) {
        return send("GET", path, null, params);
    }

    public Response delete(String path, String... params) {
        return send("DELETE", path, null, params);
    }

    public Response post(String path, ObjectNode body, String... params) {
        return send("POST", path, body, params);
    }

    public Response patch(String path, ObjectNode body, String... params) {
        return send("PATCH", path, body, params);
    }

    /** Sends one request; {@code params} are name, value pairs added to the query with {@code api_key}. */
    public Response send(String method, String path, ObjectNode body, String... params) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("api_key", server.apiKey());
        for (int i = 0; i < params.length; i += 2) {
            q.put(params[i], params[i + 1]);
        }
        StringBuilder url = new StringBuilder(server.baseUrl()).append(path).append('?');
        q.forEach((k, v) -> url.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.substring(0, url.length() - 1)))
                .timeout(Duration.ofSeconds(10))
                .header("stream-auth-type", authType)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (token != null) {
            b.header("Authorization", token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            ObjectNode json = null;
            if (r.body().startsWith("{")) {
                json = Json.parseObject(r.body(), "response");
            }
            return new Response(r.statusCode(), r.body(), json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
