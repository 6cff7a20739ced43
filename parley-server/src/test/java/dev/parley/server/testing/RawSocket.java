package dev.parley.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare {@code /connect} socket on {@link java.net.http.WebSocket}, for asserting the frames and the close
 * code of a handshake exactly as the server sends them. Frames are queued as parsed JSON objects.
 */
public final class RawSocket implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<ObjectNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket socket;

    private RawSocket(URI uri) {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new Listener()).join();
    }

    /** Opens {@code /connect} for {@code userId} with {@code token}, as the JS client does. */
    public static RawSocket connect(TestServer server, String userId, String token) {
        ObjectNode json = Json.object();
        json.put("user_id", userId);
        json.putObject("user_details").put("id", userId);
        String uri = server.wsUrl() + "/connect?json=" + RestClient.encode(Json.write(json))
                + "&api_key=" + RestClient.encode(server.apiKey())
                + "&authorization=" + RestClient.encode(token)
                + "&stream-auth-type=jwt";
        return new RawSocket(URI.create(uri));
    }

    /** The next frame, waiting up to 10 seconds. */
    public ObjectNode nextFrame() {
        try {
            ObjectNode f = frames.poll(10, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within 10 s");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The close code the server sent, waiting up to 10 seconds. */
    public int closeCode() {
        return closeCode.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "test done");
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(Json.parseObject(partial.toString(), "frame"));
                partial.setLength(0);
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
    }
}
