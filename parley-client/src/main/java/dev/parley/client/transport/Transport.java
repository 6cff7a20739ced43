package dev.parley.client.transport;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * How a {@code ChatClient} talks to the server: HTTP requests for REST and one WebSocket per session.
 * Two implementations ship with the SDK: {@link JdkTransport} on {@code java.net.http} (the default on a
 * JVM) and {@link OkHttpTransport} on OkHttp 5 (for Android, or wherever OkHttp is preferred). A client
 * gets its transport from a {@link Factory} given to {@code ChatClient.Builder.transport(...)} and closes
 * it in {@code ChatClient.close()}.
 *
 * <p>Implementations must be thread-safe, follow no redirects, fail a request after its timeout, and
 * deliver each WebSocket text message whole (fragments joined).
 */
public interface Transport {
    /** Sends one HTTP request; the future completes with the response of any status, or fails on I/O. */
    CompletableFuture<Response> send(Request request);

    /**
     * Opens a WebSocket to {@code uri}; the future fails when the handshake fails or takes longer than the
     * client's timeout. {@code handler} receives what the socket reports.
     */
    CompletableFuture<Socket> openSocket(URI uri, Socket.Handler handler);

    /** Releases what this transport owns (threads, connections). Called once, when the client closes. */
    void close();

    /**
     * One HTTP request.
     *
     * @param method the HTTP method
     * @param uri the full URL, query included
     * @param headers request headers
     * @param body the body, or null for none; sent as is with the {@code Content-Type} of {@code headers}
     * @param timeout the whole request's timeout
     */
    record Request(String method, URI uri, Map<String, String> headers, byte @Nullable [] body, Duration timeout) {
        public Request {
            requireNonNull(method, "method");
            requireNonNull(uri, "uri");
            requireNonNull(headers, "headers");
            requireNonNull(timeout, "timeout");
        }
    }

    /** An HTTP response: status and the whole body (empty when there is none). */
    record Response(int status, byte[] body) {
        public Response {
            requireNonNull(body, "body");
        }
    }

    /**
     * What a client gives a transport it builds.
     *
     * @param timeout the connect timeout of sockets and requests
     * @param closeTimeout how long closing waits for the peer's close frame (or for the transport's threads)
     * @param io the client's I/O executor: a transport should run its work there, so that closing the client
     *     stops it
     * @param timer the client's timer thread, for timeouts; it outlives every socket of the client
     */
    record Settings(Duration timeout, Duration closeTimeout, ExecutorService io, ScheduledExecutorService timer) {
        public Settings {
            requireNonNull(timeout, "timeout");
            requireNonNull(closeTimeout, "closeTimeout");
            requireNonNull(io, "io");
            requireNonNull(timer, "timer");
        }
    }

    /** Builds the transport of one client. */
    @FunctionalInterface
    interface Factory {
        Transport create(Settings settings);
    }

    /**
     * The default: {@link JdkTransport} when {@code java.net.http} is there (any JVM 11+), else
     * {@link OkHttpTransport} when OkHttp is on the class path (Android), else an error naming both.
     */
    static Factory automatic() {
        return settings -> {
            if (present("java.net.http.HttpClient")) {
                return JdkTransport.factory().create(settings);
            }
            if (present("okhttp3.OkHttpClient")) {
                return OkHttpTransport.factory().create(settings);
            }
            throw new IllegalStateException(
                    "no HTTP transport: java.net.http is missing (Android?) and OkHttp is not on"
                            + " the class path; add com.squareup.okhttp3:okhttp 5.x and use OkHttpTransport.factory()");
        };
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Transport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
