package dev.parley.client.transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@link Transport} on {@code java.net.http}: the default on a JVM. Its {@code HttpClient} runs on the
 * client's I/O executor, follows no redirects, and is shut down with the client. Not available on Android.
 */
@JvmOnly
public final class JdkTransport implements Transport {
    private final HttpClient http;
    private final Duration timeout;
    private final Duration closeTimeout;
    private final ScheduledExecutorService timer;

    private JdkTransport(Settings settings) {
        this.timeout = settings.timeout();
        this.closeTimeout = settings.closeTimeout();
        this.timer = settings.timer();
        this.http = HttpClient.newBuilder()
                .executor(settings.io())
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Builds a {@code java.net.http} transport for each client. */
    public static Transport.Factory factory() {
        return JdkTransport::new;
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
        HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).timeout(request.timeout());
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        byte[] body = request.body();
        b.method(
                request.method(),
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Response(r.statusCode(), r.body() == null ? new byte[0] : r.body()));
    }

    @Override
    public CompletableFuture<Socket> openSocket(URI uri, Socket.Handler handler) {
        return JdkSocket.open(http, uri, handler, timeout, timer);
    }

    @Override
    public void close() {
        http.shutdownNow();
        try {
            http.awaitTermination(closeTimeout.plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
