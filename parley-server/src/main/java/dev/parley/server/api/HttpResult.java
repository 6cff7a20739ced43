package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A REST answer: status, JSON body (success bodies carry {@code duration}, errors the envelope) and extra
 * headers, such as the {@code X-RateLimit-*} ones.
 */
public record HttpResult(int status, ObjectNode body, Map<String, String> headers) {
    public HttpResult {
        headers = Map.copyOf(headers);
    }

    public HttpResult(int status, ObjectNode body) {
        this(status, body, Map.of());
    }
}
