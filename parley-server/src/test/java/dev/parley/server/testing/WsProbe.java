package dev.parley.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw WebSocket client for protocol tests: opens {@code /connect} with the query string Stream's JS SDK
 * sends (PROTOCOL.md §3.1), collects every text frame, and records the close code.
 */
public final class WsProbe implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<ObjectNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket socket;

    private WsProbe(URI uri) {
        StringBuilder text = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    frames.add(Json.parseObject(text.toString(), "frame"));
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeCode.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closeCode.completeExceptionally(error);
            }
        };
        this.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(WAIT)
                .buildAsync(uri, listener)
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Connects as {@code userId} with {@code token} and {@code userDetails} (its {@code id} is added). */
    public static WsProbe connect(TestServer server, String userId, String token, ObjectNode userDetails) {
        ObjectNode json = Json.object();
        json.put("user_id", userId);
        ObjectNode details = userDetails.deepCopy();
        if (!details.has("id")) {
            details.put("id", userId);
        }
        json.set("user_details", details);
        json.put("client_request_id", java.util.UUID.randomUUID().toString());
        Map<String, String> q = new LinkedHashMap<>();
        q.put("json", Json.write(json));
        q.put("api_key", server.apiKey());
        q.put("authorization", token);
        q.put("stream-auth-type", "jwt");
        q.put("X-Stream-Client", "parley-test-probe");
        return open(server, q);
    }

    /** Opens {@code /connect} with exactly these query parameters. */
    public static WsProbe open(TestServer server, Map<String, String> query) {
        StringBuilder s = new StringBuilder(server.wsUrl()).append("/connect?");
        query.forEach((k, v) -> s.append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        return new WsProbe(URI.create(s.substring(0, s.length() - 1)));
    }

    /** The next frame, waiting up to 10 s; fails when none comes. */
    public ObjectNode next() {
        try {
            ObjectNode f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + WAIT);
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame of this type within {@code wait}, skipping others; empty when none came. */
    public java.util.Optional<ObjectNode> poll(String type, java.time.Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = until - System.nanoTime();
                ObjectNode f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
                if (f == null) {
                    return java.util.Optional.empty();
                }
                if (type.equals(f.path("type").asText())) {
                    return java.util.Optional.of(f);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame of this type, skipping others. */
    public ObjectNode next(String type) {
        while (true) {
            ObjectNode f = next();
            if (type.equals(f.path("type").asText())) {
                return f;
            }
        }
    }

    /** The close code the server sent, waiting up to 10 s. */
    public int closeCode() {
        return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends the JS SDK's heartbeat frame. */
    public void heartbeat() {
        sendText("[{\"type\":\"health.check\",\"client_id\":\"probe\"}]");
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null)
                    .join();
        }
        socket.abort();
    }
}
