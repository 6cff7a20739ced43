package dev.parley.client.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** Builds the REST and WebSocket URLs of PROTOCOL.md §1.1 and §3.1. Stateless. */
public final class Urls {
    private Urls() {}

    /**
     * The WebSocket base derived from the REST base as the JS SDK does: the first {@code http} becomes
     * {@code ws} (so {@code https} becomes {@code wss}), then the first {@code :3030} becomes {@code :8800}.
     */
    public static String wsBase(String baseUrl) {
        return baseUrl.replaceFirst("http", "ws").replaceFirst(":3030", ":8800");
    }

    /** {@code <wsBase>/connect?json=..&api_key=..&authorization=..&stream-auth-type=jwt&X-Stream-Client=..} */
    public static URI connect(String baseUrl, String apiKey, String json, String token, String userAgent) {
        StringJoiner q = new StringJoiner("&");
        q.add("json=" + encode(json));
        q.add("api_key=" + encode(apiKey));
        q.add("authorization=" + encode(token));
        q.add("stream-auth-type=jwt");
        q.add("X-Stream-Client=" + encode(userAgent));
        return URI.create(wsBase(baseUrl) + "/connect?" + q);
    }

    /** {@code <base><path>?<params>}, parameters in the map's order, null values left out. */
    public static URI rest(String baseUrl, String path, Map<String, String> params) {
        StringJoiner q = new StringJoiner("&");
        params.forEach((k, v) -> {
            if (v != null) {
                q.add(encode(k) + "=" + encode(v));
            }
        });
        return URI.create(baseUrl + path + (q.length() == 0 ? "" : "?" + q));
    }

    /** Percent-encodes a query component (spaces as {@code %20}, not {@code +}). */
    public static String encode(String s) {
        try {
            return URLEncoder.encode(s, StandardCharsets.UTF_8.name()).replace("+", "%20");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }
}
