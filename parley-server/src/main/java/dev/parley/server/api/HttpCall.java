package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.server.uploads.UploadForm;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One REST request, detached from the transport: what {@link RestApi} needs and nothing else.
 *
 * @param method upper-case HTTP method
 * @param path the path without query, without a trailing slash
 * @param query query parameters, first value of each
 * @param headers request headers with lower-case names
 * @param body the body, possibly empty
 * @param form the decoded multipart body of an upload route, whose body the transport streams instead of
 *     holding it; null for every other call
 * @param remoteAddress the caller's IP address without port, for limits per source address; empty when unknown
 */
public record HttpCall(
        String method,
        String path,
        Map<String, String> query,
        Map<String, String> headers,
        byte[] body,
        @Nullable UploadForm form,
        String remoteAddress) {
    public HttpCall {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
    }

    /** A call with its body in memory, from an unknown address. */
    public HttpCall(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        this(method, path, query, headers, body, null, "");
    }

    /** This call with a decoded upload body. */
    public HttpCall withForm(UploadForm uploadForm) {
        return new HttpCall(method, path, query, headers, body, uploadForm, remoteAddress);
    }

    public @Nullable String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public @Nullable String param(String name) {
        return query.get(name);
    }
}
