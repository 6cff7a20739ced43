package dev.parley.server.links;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How {@link PageFetcher} speaks HTTP (PROTOCOL.md §7.25): one HTTP/1.1 GET of {@code url}, sent over a connection
 * to {@code address} (the one the guard checked, never a new lookup of the host) with {@code Host} naming the URL's
 * host, and for {@code https} TLS with SNI and the certificate checked against that host name. Redirects are not
 * followed; the fetcher checks each one. The node's transport supplies the client, on its own event loops
 * ({@code transport.PageClient}); where no transport runs, {@link #NONE} fails every fetch.
 */
public interface PageHttp extends AutoCloseable {
    /**
     * One GET.
     *
     * @param timeout the bound of the whole exchange, from connecting to the last byte read
     * @param maxBodyBytes the most of the body read; past it the connection is closed and the answer is what was read
     * @param wantsBody given the {@code Content-Type} of a 2xx answer ({@code ""} when none), whether its body is
     *     read at all; other answers are given without a body
     */
    record Request(URI url, InetAddress address, Duration timeout, int maxBodyBytes, Predicate<String> wantsBody) {}

    /**
     * An answer.
     *
     * @param location the {@code Location} header, or null
     * @param contentType the {@code Content-Type} header, {@code ""} when none
     * @param body at most the bytes asked for; empty where no body was wanted
     */
    record Answer(int status, @Nullable String location, String contentType, byte[] body) {}

    /** Thrown (as the future's cause) when no whole answer came within the request's timeout. */
    final class TimedOut extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        public TimedOut(Duration limit) {
            super("no answer within " + limit.toMillis() + " ms");
        }
    }

    /**
     * Starts {@code request}. The future fails with {@link TimedOut} at the request's timeout, or with an
     * {@link java.io.IOException} naming what went wrong; cancelling it closes the connection.
     */
    CompletableFuture<Answer> get(Request request);

    @Override
    void close();

    /** No client: every fetch fails (a node without a transport, or before it starts). */
    PageHttp NONE = new PageHttp() {
        @Override
        public CompletableFuture<Answer> get(Request request) {
            return CompletableFuture.failedFuture(new java.io.IOException("no HTTP client runs on this node"));
        }

        @Override
        public void close() {}
    };
}
