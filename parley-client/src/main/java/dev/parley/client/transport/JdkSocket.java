package dev.parley.client.transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Socket} on {@code java.net.http.WebSocket}. Text fragments are joined into whole messages,
 * and sends are chained because the JDK allows only one outstanding send.
 */
@JvmOnly
final class JdkSocket implements Socket, WebSocket.Listener {
    private final Handler handler;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile @Nullable WebSocket ws;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private final ScheduledExecutorService timer;

    private JdkSocket(Handler handler, ScheduledExecutorService timer) {
        this.handler = handler;
        this.timer = timer;
    }

    static CompletableFuture<Socket> open(
            HttpClient client, URI uri, Handler handler, Duration timeout, ScheduledExecutorService timer) {
        JdkSocket socket = new JdkSocket(handler, timer);
        return client.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, socket)
                .thenApply(ws -> socket);
    }

    @Override
    public synchronized CompletableFuture<Void> sendText(String text) {
        CompletableFuture<Void> sent = lastSend.handle((r, e) -> null)
                .thenCompose(x -> open().sendText(text, true))
                .thenApply(w -> null);
        lastSend = sent;
        return sent;
    }

    @Override
    public synchronized CompletableFuture<Void> close(int code, String reason, Duration timeout) {
        CompletableFuture<Void> closed = lastSend.handle((r, e) -> null)
                .thenCompose(x -> open().sendClose(code, reason))
                .thenCompose(w -> terminated);
        // The client's timer thread, not the JDK's shared delay thread, ends the wait.
        ScheduledFuture<?> timeoutTask = timer.schedule(
                () -> closed.completeExceptionally(new TimeoutException("no close frame from the server")),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        CompletableFuture<Void> done = closed.handle((r, e) -> {
            timeoutTask.cancel(false);
            abort();
            return null;
        });
        lastSend = done;
        return done;
    }

    private WebSocket open() {
        WebSocket w = ws;
        if (w == null) {
            throw new IllegalStateException("the WebSocket is not open yet");
        }
        return w;
    }

    @Override
    public void abort() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        terminated.complete(null);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        webSocket.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            handler.onText(text);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        boolean first = terminated.complete(null);
        if (first) {
            handler.onClosed(statusCode, reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (terminated.complete(null)) {
            handler.onError(error);
        }
    }
}
