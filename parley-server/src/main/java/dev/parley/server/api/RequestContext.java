package dev.parley.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.auth.Caller;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a REST handler sees of one request: the authenticated caller, the call, its path parameters and
 * the endpoint's name. It holds no service: handlers get theirs through their class's constructor.
 */
final class RequestContext {
    /** Null for an open route, which authenticates no one. */
    private final Authenticator.@Nullable Identity identity;

    private final HttpCall call;
    private final Map<String, String> pathParams;
    private final String endpoint;
    /** The parsed body: parsed once, whoever asks first (the actor's lookup or the handler). */
    private @Nullable ObjectNode body;

    RequestContext(
            Authenticator.@Nullable Identity identity, HttpCall call, Map<String, String> pathParams, String endpoint) {
        this.identity = identity;
        this.call = call;
        this.pathParams = pathParams;
        this.endpoint = endpoint;
    }

    Authenticator.@Nullable Identity identity() {
        return identity;
    }

    Caller caller() {
        return identity == null ? new Caller.Anonymous() : identity.caller();
    }

    HttpCall call() {
        return call;
    }

    /** A parameter of the route's template; a handler asks only for those its template names. */
    String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route has no path parameter '" + name + "'");
        }
        return value;
    }

    @Nullable
    String param(String name) {
        return call.param(name);
    }

    /** The name of the endpoint for error messages, as Stream's do: {@code "QueryUsers"}. */
    String endpoint() {
        return endpoint;
    }

    /**
     * The body as a JSON object; an empty body is {@code {}}. Parsed on the first call; every call returns the
     * same object, so the handler owns it.
     */
    ObjectNode body() {
        if (body != null) {
            return body;
        }
        if (call.body().length == 0) {
            body = Json.object();
            return body;
        }
        // NulGuard leaves multipart bodies alone (an upload's bytes mean nothing by a NUL escape); one read as
        // JSON all the same is checked here, before a NUL can reach the store.
        String type = call.header("content-type");
        if (type != null
                && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")
                && NulGuard.hasNulEscape(call.body())) {
            throw ChatException.input("request body contains a NUL character");
        }
        JsonNode n = Json.parseRequest(call.body(), "request body");
        if (!n.isObject()) {
            throw ChatException.input("request body must be a JSON object");
        }
        body = (ObjectNode) n;
        return body;
    }

    /** The {@code payload} query parameter parsed as a JSON object, or {@code {}} when absent. */
    ObjectNode payload() {
        String p = call.param("payload");
        return p == null || p.isEmpty() ? Json.object() : Json.parseRequestObject(p, "payload");
    }

    /**
     * The caller's own socket named by {@code connection_id}, if it is open in {@code registry} (this
     * node's); unknown ids, and sockets of other users, mean no connection (PROTOCOL.md §3.7).
     */
    Optional<Session> connection(ConnectionRegistry registry) {
        String userId = caller().userId();
        return registry.find(call.param("connection_id")).filter(s -> s.userId().equals(userId));
    }

    /** Refuses anything but a server token with code 17. */
    void requireServer() {
        if (!caller().isServer()) {
            throw ChatException.notAllowed(
                    endpoint + " failed with error: \"this endpoint needs a server-side token\"");
        }
    }

    /** Refuses anonymous callers with code 17. */
    void requireIdentified() {
        if (caller() instanceof Caller.Anonymous) {
            throw ChatException.notAllowed(endpoint + " failed with error: \"anonymous users cannot do this\"");
        }
    }
}
