package dev.parley.server.hooks;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 client made on first use, so that a node without hooks runs no client thread. Redirects are
 * not followed: a hook answers where it was configured. Thread-safe.
 */
final class LazyHttp implements AutoCloseable {
    private final String threads;
    private final Duration connectTimeout;
    private @Nullable HttpClient client;
    private boolean closed;

    /** @param threads the name prefix of the client's virtual threads */
    LazyHttp(String threads, Duration connectTimeout) {
        this.threads = threads;
        this.connectTimeout = connectTimeout;
    }

    synchronized HttpClient get() {
        if (closed) {
            throw new IllegalStateException("the node is stopping");
        }
        HttpClient c = client;
        if (c == null) {
            c = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Executors.newThreadPerTaskExecutor(
                            Thread.ofVirtual().name(threads, 0).factory()))
                    .build();
            client = c;
        }
        return c;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
