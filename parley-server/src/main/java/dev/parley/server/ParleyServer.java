package dev.parley.server;

/**
 * A running Parley server: the network transport in front of one {@link ChatNode}.
 * Start it with {@link #start(ServerConfig)}; {@link #close()} closes every socket with 1012 so that
 * clients reconnect, then stops.
 */
public final class ParleyServer implements AutoCloseable {
    private ParleyServer() {}

    public static ParleyServer start(ServerConfig config) {
        throw new UnsupportedOperationException("being built");
    }

    /** The bound port. */
    public int port() {
        throw new UnsupportedOperationException("being built");
    }

    @Override
    public void close() {}
}
