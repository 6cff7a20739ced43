package dev.parley.client.transport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Transport} on OkHttp 5, for Android (which has no {@code java.net.http}) or any JVM. Add
 * {@code com.squareup.okhttp3:okhttp} 5.x to the app: the SDK declares it optional.
 *
 * <p>{@link #factory()} builds one OkHttp client per chat client, running its calls on the chat client's
 * I/O threads; closing the chat client cancels its calls and empties its connection pool.
 * {@link #factory(OkHttpClient)} shares an app's OkHttp client (its pool, interceptors, TLS set-up) and
 * leaves it open when the chat client closes. Either way redirects are not followed, a REST request fails
 * after the client's timeout, and a WebSocket has no read timeout once open (heartbeats watch it, §3.4).
 */
public final class OkHttpTransport implements Transport {
    private static final byte[] EMPTY = new byte[0];

    private final OkHttpClient http;
    private final OkHttpClient sockets;
    private final boolean own;
    private final ScheduledExecutorService timer;

    private OkHttpTransport(OkHttpClient base, boolean own, Settings settings) {
        this.own = own;
        this.timer = settings.timer();
        this.http = base.newBuilder()
                .connectTimeout(settings.timeout())
                .readTimeout(Duration.ZERO)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
        // The call timeout of a WebSocket covers its handshake only.
        this.sockets = http.newBuilder().callTimeout(settings.timeout()).build();
    }

    /** Builds an OkHttp client for each chat client, on the chat client's I/O threads. */
    public static Transport.Factory factory() {
        return settings -> new OkHttpTransport(
                new OkHttpClient.Builder()
                        .dispatcher(new Dispatcher(settings.io()))
                        .build(),
                true,
                settings);
    }

    /** Uses {@code client} (shared, never shut down by the SDK) for each chat client. */
    public static Transport.Factory factory(OkHttpClient client) {
        requireNonNull(client, "client");
        return settings -> new OkHttpTransport(client, false, settings);
    }

    @Override
    public CompletableFuture<Transport.Response> send(Transport.Request request) {
        okhttp3.Request.Builder b =
                new okhttp3.Request.Builder().url(request.uri().toString());
        String contentType = null;
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            b.header(h.getKey(), h.getValue());
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = h.getValue();
            }
        }
        byte[] body = request.body();
        RequestBody rb = null;
        if (body != null || needsBody(request.method())) {
            rb = RequestBody.create(
                    body == null ? EMPTY : body, contentType == null ? null : MediaType.parse(contentType));
        }
        b.method(request.method(), rb);
        Call call = http.newCall(b.build());
        call.timeout().timeout(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Transport.Response> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                result.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call c, okhttp3.Response response) {
                try (okhttp3.Response r = response) {
                    result.complete(new Transport.Response(r.code(), r.body().bytes()));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /** OkHttp refuses these methods without a body: they get an empty one. */
    private static boolean needsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    @Override
    public CompletableFuture<Socket> openSocket(URI uri, Socket.Handler handler) {
        OkSocket socket = new OkSocket(handler, timer);
        socket.ws = sockets.newWebSocket(
                new okhttp3.Request.Builder().url(uri.toString()).build(), socket);
        return socket.opened;
    }

    @Override
    public void close() {
        if (own) {
            http.dispatcher().cancelAll();
            http.connectionPool().evictAll();
        }
    }

    /** One OkHttp WebSocket as a {@link Socket}. OkHttp joins fragments and queues sends in order itself. */
    private static final class OkSocket extends WebSocketListener implements Socket {
        private final Socket.Handler handler;
        private final ScheduledExecutorService timer;
        final CompletableFuture<Socket> opened = new CompletableFuture<>();
        private final CompletableFuture<Void> terminated = new CompletableFuture<>();
        volatile @Nullable WebSocket ws;

        OkSocket(Socket.Handler handler, ScheduledExecutorService timer) {
            this.handler = handler;
            this.timer = timer;
        }

        private WebSocket open() {
            WebSocket w = ws;
            if (w == null || !opened.isDone()) {
                throw new IllegalStateException("the WebSocket is not open yet");
            }
            return w;
        }

        @Override
        public CompletableFuture<Void> sendText(String text) {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            try {
                if (open().send(text)) {
                    sent.complete(null);
                } else {
                    sent.completeExceptionally(new IOException("the WebSocket is closing or its send queue is full"));
                }
            } catch (RuntimeException e) {
                sent.completeExceptionally(e);
            }
            return sent;
        }

        @Override
        public CompletableFuture<Void> close(int code, String reason, Duration timeout) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ScheduledFuture<?> timeoutTask = timer.schedule(
                    () -> done.completeExceptionally(new TimeoutException("no close frame from the server")),
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            terminated.whenComplete((r, e) -> done.complete(null));
            try {
                open().close(code, reason);
            } catch (RuntimeException e) {
                done.complete(null);
            }
            return done.handle((r, e) -> {
                timeoutTask.cancel(false);
                abort();
                return null;
            });
        }

        @Override
        public void abort() {
            WebSocket w = ws;
            if (w != null) {
                w.cancel();
            }
            terminated.complete(null);
        }

        @Override
        public void onOpen(WebSocket webSocket, okhttp3.Response response) {
            ws = webSocket;
            opened.complete(this);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            handler.onText(text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            // The protocol sends text frames only (§3); a binary frame is ignored.
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            try {
                // The reply to the peer's close frame: its code when one may be sent (1005 "none" may not).
                webSocket.close(sendable(code) ? code : 1000, null);
            } catch (RuntimeException e) {
                webSocket.cancel();
            }
            if (terminated.complete(null)) {
                handler.onClosed(code, reason);
            }
        }

        /** Close codes an endpoint may put in a close frame; the others are reserved. */
        private static boolean sendable(int code) {
            return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            if (terminated.complete(null)) {
                handler.onClosed(code, reason);
            }
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, okhttp3.@Nullable Response response) {
            if (!opened.isDone()) {
                opened.completeExceptionally(t);
                terminated.complete(null);
                return;
            }
            if (terminated.complete(null)) {
                handler.onError(t);
            }
        }
    }
}
