package dev.parley.server.app;

import static java.util.Objects.requireNonNull;

import dev.parley.server.ChatNode;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.transport.NettyTransport;
import java.time.Clock;

/**
 * A running Parley server: the network transport in front of one {@link ChatNode}.
 * Start it with {@link #start(ServerConfig)}; {@link #close()} closes every socket with 1012 so that
 * clients reconnect, then stops.
 */
public final class ParleyServer implements AutoCloseable {
    private final ChatNode node;
    private final NettyTransport transport;
    private volatile boolean closed;

    private ParleyServer(ChatNode node, NettyTransport transport) {
        this.node = node;
        this.transport = transport;
    }

    /** Opens the store, runs its migrations, binds the port. */
    public static ParleyServer start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(ServerConfig)}, with the clock the node reads (tests move it across months). */
    public static ParleyServer start(ServerConfig config, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        Store store = Stores.open(config.databaseUrl(), config.dataDir(), config.clustered());
        ChatNode node;
        try {
            node = new ChatNode(config, store, clock);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            ParleyServer server = new ParleyServer(node, new NettyTransport(node));
            node.advertise(server.port());
            return server;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    public ChatNode node() {
        return node;
    }

    /** The bound port. */
    public int port() {
        return transport.port();
    }

    /** REST requests accepted and not yet answered. */
    public int requestsInFlight() {
        return transport.requestsInFlight();
    }

    /** Whether the native epoll transport is in use. */
    public boolean epoll() {
        return transport.epoll();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.drain();
        transport.close(node.config().drainWindow());
        node.close();
    }
}
