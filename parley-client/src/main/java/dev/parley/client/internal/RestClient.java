package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.ChatApiException;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * REST calls with the parameters and headers of PROTOCOL.md §1.2: {@code api_key}, and while a user is
 * connected {@code user_id} and {@code connection_id}; the raw JWT in {@code Authorization}. An error
 * envelope (§10.1) becomes a {@link ChatApiException}; code 40 with a token provider reloads the token
 * and retries once (§2.9). Thread-safe.
 */
public final class RestClient {
    private final ClientConfig config;
    private final Transport transport;

    public RestClient(ClientConfig config, Transport transport) {
        this.config = requireNonNull(config, "config");
        this.transport = requireNonNull(transport, "transport");
    }

    /** One request: method, path below the base URL, extra query parameters, and a body or null. */
    public record Call(
            String method,
            String path,
            @Nullable Map<String, String> query,
            @Nullable JsonNode body) {
        public Call {
            requireNonNull(method, "method");
            requireNonNull(path, "path");
            query = query == null ? Map.of() : query;
        }
    }

    /**
     * Sends {@code call} as {@code session}'s user, or with a server token when {@code session} is null
     * and the client holds the secret.
     *
     * @throws IllegalStateException when there is neither a session nor a secret
     */
    public CompletableFuture<JsonNode> send(Call call, @Nullable Session session) {
        if (session == null) {
            if (config.secret() == null) {
                throw new IllegalStateException(
                        "no user is connected: call connectUser() first, or build the client with secret(...) for server-side use");
            }
            return send(call, null, dev.parley.client.Tokens.server(config.secret()), false);
        }
        return session.tokens().token().thenCompose(token -> send(call, session, token, true));
    }

    private CompletableFuture<JsonNode> send(Call call, @Nullable Session session, String token, boolean mayRetry) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("api_key", config.apiKey());
        if (session != null) {
            params.put("user_id", session.user().id());
            params.put("connection_id", session.connectionId());
        }
        params.putAll(call.query());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", token);
        headers.put("stream-auth-type", "jwt");
        headers.put("X-Stream-Client", config.userAgent());
        headers.put("x-client-request-id", UUID.randomUUID().toString());
        byte[] body = null;
        if (call.body() != null) {
            headers.put("Content-Type", "application/json");
            body = Json.writeBytes(call.body());
        }
        Transport.Request request = new Transport.Request(
                call.method(), Urls.rest(config.baseUrl(), call.path(), params), headers, body, config.timeout());
        CompletableFuture<JsonNode> decoded;
        try {
            decoded = transport.send(request).thenApply(RestClient::decode);
        } catch (RuntimeException e) {
            decoded = Futures.failed(e);
        }
        return Futures.recoverWith(decoded, cause -> {
            if (mayRetry
                    && session != null
                    && cause instanceof ChatApiException api
                    && api.tokenExpired()
                    && session.tokens().hasProvider()) {
                config.log()
                        .debug(
                                "{} {}: token expired (code 40); reloading it and retrying once",
                                call.method(),
                                call.path());
                return session.tokens().reload(token).thenCompose(fresh -> send(call, session, fresh, false));
            }
            return Futures.failed(cause);
        });
    }

    private static JsonNode decode(Transport.Response response) {
        int status = response.status();
        JsonNode body = null;
        try {
            body = response.body().length == 0 ? Json.object() : Json.parse(response.body(), "response body");
        } catch (ChatException e) {
            if (status / 100 == 2) {
                throw new ChatApiException(-1, status, "the response body is not JSON", Map.of(), false);
            }
        }
        if (status / 100 == 2 && body != null) { // body is null only when it failed to parse, thrown above for 2xx
            return body;
        }
        if (body == null || !body.isObject() || !body.has("code")) {
            throw new ChatApiException(-1, status, "StreamChat error HTTP code: " + status, Map.of(), false);
        }
        throw toException(body, status, false);
    }

    /** The exception for an error envelope; {@code httpStatus} is used when it has no {@code StatusCode}. */
    public static ChatApiException toException(JsonNode envelope, int httpStatus, boolean fromWebSocket) {
        Map<String, String> fields = new LinkedHashMap<>();
        JsonNode ef = envelope.path("exception_fields");
        for (Iterator<Map.Entry<String, JsonNode>> it = ef.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue().asText());
        }
        return new ChatApiException(
                envelope.path("code").asInt(-1),
                envelope.path("StatusCode").asInt(httpStatus),
                envelope.path("message").asText(""),
                fields,
                fromWebSocket);
    }
}
