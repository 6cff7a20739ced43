package dev.parley.client;

import org.jspecify.annotations.Nullable;

/**
 * The socket could not be established within the connect budget (transport failures only: refused
 * connections, timeouts, closes before the first frame), or the server ended an open session with a
 * final close (code 1000). Errors the server reports in an error frame are {@link ChatApiException}s.
 */
public final class ConnectionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConnectionFailedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
