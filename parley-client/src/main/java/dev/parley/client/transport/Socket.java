package dev.parley.client.transport;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** One WebSocket, as the session sees it. Implementations must be safe to call from any thread. */
public interface Socket {
    /** Sends one text frame; sends are queued, never rejected for being concurrent. */
    CompletableFuture<Void> sendText(String text);

    /**
     * Sends a close frame and completes when the peer's close arrives or {@code timeout} passes; then the
     * connection is released in any case.
     */
    CompletableFuture<Void> close(int code, String reason, java.time.Duration timeout);

    /** Drops the connection at once, without a close handshake. */
    void abort();

    /** What a socket reports. Calls come from I/O threads, one at a time per socket. */
    interface Handler {
        /** One whole text message. */
        void onText(String text);

        /** The peer closed the socket. */
        void onClosed(int code, String reason);

        /** The connection failed. */
        void onError(Throwable error);
    }

    /** Opens sockets. */
    @FunctionalInterface
    interface Factory {
        /** Opens a socket to {@code uri}; the future fails when the handshake fails. */
        CompletableFuture<Socket> open(URI uri, Handler handler);
    }
}
