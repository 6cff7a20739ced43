package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** The {@link ChannelContext} of one session, or of a server-side client with no session. */
final class SessionChannels implements ChannelContext {
    private final @Nullable Session session;
    private final RestClient rest;
    private final EventBus bus;
    private final Scheduler clock;
    private final Executor io;
    private final ClientConfig config;
    private final ChannelRegistry channels;
    private final Set<String> serverWatched = ConcurrentHashMap.newKeySet();

    /** @param session the user session, or null for a server-side client without a user */
    SessionChannels(
            @Nullable Session session,
            ChannelRegistry channels,
            RestClient rest,
            EventBus bus,
            Scheduler clock,
            Executor io,
            ClientConfig config) {
        this.session = session;
        this.channels = requireNonNull(channels, "channels");
        this.rest = requireNonNull(rest, "rest");
        this.bus = requireNonNull(bus, "bus");
        this.clock = requireNonNull(clock, "clock");
        this.io = requireNonNull(io, "io");
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void ensureActive() {
        if (session != null) {
            session.ensureActive();
        }
    }

    @Override
    public CompletableFuture<String> awaitConnection() {
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        // Completing on an I/O thread keeps app callbacks off the scheduler thread.
        return Futures.within(session.awaitConnection(), config.connectTimeout(), clock)
                .thenApplyAsync(id -> session.connectionId(), io);
    }

    @Override
    public CompletableFuture<JsonNode> send(RestClient.Call call) {
        return rest.send(call, session);
    }

    @Override
    public Set<String> watched() {
        return session == null ? serverWatched : session.watchedChannels();
    }

    @Override
    public ChannelRegistry channels() {
        return channels;
    }

    @Override
    public EventBus bus() {
        return bus;
    }

    @Override
    public Instant now() {
        return clock.now();
    }

    @Override
    public boolean serverSide() {
        return config.serverSide();
    }
}
