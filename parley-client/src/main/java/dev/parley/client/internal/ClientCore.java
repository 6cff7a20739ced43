package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ConnectResponse;
import dev.parley.client.DisconnectedException;
import dev.parley.client.Event;
import dev.parley.client.transport.Socket;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@code ChatClient} owns: its threads, transport, listeners and current session.
 *
 * <p>Kept apart from the public facade so that nothing here refers back to the facade: the
 * {@link LeakWatcher} can then notice when an app drops a client that still holds a socket.
 * Session changes are guarded by {@code this}; socket work runs on the scheduler thread.
 */
public final class ClientCore {
    /** Channels per re-watch request: the most {@code POST /channels} returns (§7.2). */
    static final int REWATCH_PAGE = 30;

    private final ClientConfig config;
    private final int instance;
    private final ExecutorScheduler scheduler;
    private final ExecutorService io;
    private final @Nullable ExecutorService ownCallbacks;
    private final Transport transport;
    private final RestClient rest;
    private final EventBus bus;
    private final Backoff backoff =
            new Backoff((min, bound) -> ThreadLocalRandom.current().nextLong(min, bound));
    private final Socket.Factory sockets;
    private final ConnectionLeakRegistry registry;
    private @Nullable Session session;
    /** The channels of {@link #session}; replaced with it. */
    private @Nullable SessionChannels channels;

    private @Nullable SessionChannels serverChannels;
    /** The session's connect future as the app sees it: completed on an I/O thread, never the scheduler's. */
    private @Nullable CompletableFuture<ConnectResponse> sessionFuture;

    private volatile boolean closed;

    public ClientCore(ClientConfig config, Transport.Factory transports, ConnectionLeakRegistry registry) {
        this.config = requireNonNull(config, "config");
        this.registry = requireNonNull(registry, "registry");
        this.instance = ClientThreads.nextInstance();
        String prefix = ClientThreads.PREFIX + instance + "-";
        this.scheduler = new ExecutorScheduler(prefix + "scheduler", config.log());
        this.io = Executors.newCachedThreadPool(ClientThreads.factory(prefix + "io"));
        Executor given = config.callbackExecutor();
        if (given == null) {
            ExecutorService own = Executors.newSingleThreadExecutor(ClientThreads.factory(prefix + "callbacks"));
            this.ownCallbacks = own;
            this.bus = new EventBus(own, config.log());
        } else {
            this.ownCallbacks = null;
            this.bus = new EventBus(given, config.log());
        }
        this.transport = transports.create(
                new Transport.Settings(config.timeout(), config.closeTimeout(), io, scheduler.timer()));
        this.rest = new RestClient(config, transport);
        this.sockets = transport::openSocket;
    }

    public ClientConfig config() {
        return config;
    }

    /** The I/O executor: HTTP callbacks and token provider calls. */
    public java.util.concurrent.Executor io() {
        return io;
    }

    public EventBus bus() {
        return bus;
    }

    public RestClient rest() {
        return rest;
    }

    /** The session of the connected (or connecting) user, or null. */
    public synchronized @Nullable Session session() {
        return session;
    }

    public boolean closed() {
        return closed;
    }

    /**
     * Starts a session for {@code user}, or returns the pending or open one for the same user.
     *
     * @throws IllegalStateException when another user's session is open, or the client is closed
     */
    public synchronized CompletableFuture<ConnectResponse> connect(User user, TokenManager tokens, String callSite) {
        if (closed) {
            throw new IllegalStateException("this ChatClient is closed; build a new one");
        }
        if (session != null && !session.ended()) {
            if (session.user().id().equals(user.id())) {
                config.log().warn("""
                        Consecutive calls to connectUser('{}') detected; returning the pending or open \
                        connection instead of opening another socket. Call connectUser once per user, \
                        and disconnectUser() before connecting again.""", user.id());
                return requireNonNull(sessionFuture, "sessionFuture"); // set together with session
            }
            throw new IllegalStateException("Use client.disconnectUser() before trying to connect as a different user."
                    + " (connected: '" + session.user().id() + "', requested: '" + user.id() + "')");
        }
        if (config.serverSide() && !config.allowServerSideConnect()) {
            config.log().warn("""
                    connectUser('{}') was called on a client that holds the API secret (server side). Each \
                    connected user counts as a monthly active user and a concurrent connection; server code \
                    rarely needs a socket. Build the client with allowServerSideConnect(true) to silence this \
                    warning.""", user.id());
        }
        ChannelRegistry channelRegistry = new ChannelRegistry(user.id());
        Session s = new Session(
                user,
                tokens,
                callSite,
                config,
                scheduler,
                sockets,
                backoff,
                new SessionEvents(channelRegistry),
                (sess, cids) -> rewatch(sess, cids, channelRegistry),
                registry);
        session = s;
        channels = new SessionChannels(s, channelRegistry, rest, bus, scheduler, io, config);
        // App callbacks chained on the future must not run on (and block) the scheduler thread.
        sessionFuture = s.connected().whenCompleteAsync((r, e) -> {}, io);
        s.start();
        return sessionFuture;
    }

    /** Ends the current session, if any; the returned future completes when its socket closed. */
    public CompletableFuture<Void> disconnect() {
        Session s;
        synchronized (this) {
            s = session;
            session = null;
            sessionFuture = null;
            if (channels != null) {
                channels.channels().clear();
                channels = null;
            }
        }
        return s == null ? CompletableFuture.completedFuture(null) : s.disconnect();
    }

    /** True while a session holds an open socket. */
    public boolean hasOpenSocket() {
        Session s = session();
        return s != null && s.healthy();
    }

    /** Disconnects, then closes the transport and stops every thread. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Duration wait = config.closeTimeout().plusSeconds(1);
        try {
            disconnect().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            config.log().debug("disconnect during close did not finish cleanly: {}", e.toString());
        }
        bus.clear();
        try {
            transport.close();
        } catch (RuntimeException e) {
            config.log().debug("closing the transport failed: {}", e.toString());
        }
        scheduler.shutdown(wait);
        io.shutdownNow();
        if (ownCallbacks != null) {
            ownCallbacks.shutdown();
        }
    }

    /**
     * The channels of the current session, or for a server-side client with no user its own.
     *
     * @throws IllegalStateException when no user is connected and the client has no secret (§5.7)
     */
    public synchronized ChannelContext channelContext() {
        if (session != null && !session.ended() && channels != null) {
            return channels;
        }
        if (config.serverSide()) {
            if (serverChannels == null) {
                serverChannels = new SessionChannels(null, new ChannelRegistry(null), rest, bus, scheduler, io, config);
            }
            return serverChannels;
        }
        throw new IllegalStateException("Call connectUser() before creating a channel object.");
    }

    /**
     * The session, waiting for its handshake in flight; null for a server-side client (holding the
     * secret) with no user connected; fails when there is neither.
     */
    public CompletableFuture<Session> connectedSession() {
        Session s = session();
        if (s == null && config.serverSide()) {
            return CompletableFuture.completedFuture(null);
        }
        if (s == null) {
            return Futures.failed(new DisconnectedException("no user is connected: call connectUser() first"));
        }
        return Futures.within(s.awaitConnection(), config.connectTimeout(), scheduler)
                .thenApplyAsync(id -> s, io);
    }

    /**
     * Re-watches {@code cids} on the session's new connection, 30 per request (the server's page limit for
     * {@code POST /channels}), and loads the answers into the local state.
     */
    private CompletableFuture<Void> rewatch(Session s, Set<String> cids, ChannelRegistry channels) {
        CompletableFuture<?>[] calls = rewatchBodies(cids).stream()
                .map(body -> rest.send(new RestClient.Call("POST", "/channels", null, body), s)
                        .thenAccept(channels::loadAll))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(calls);
    }

    /**
     * The bodies of §3.5's state recovery: the watched cids ({@code cid $in}, at most 30 per body), state
     * and watch on, presence off, {@code limit: 30}, newest activity first.
     */
    public static List<ObjectNode> rewatchBodies(Set<String> cids) {
        List<String> sorted = cids.stream().sorted().collect(Collectors.toList());
        List<ObjectNode> bodies = new ArrayList<>();
        for (int from = 0; from < sorted.size(); from += REWATCH_PAGE) {
            bodies.add(rewatchBody(sorted.subList(from, Math.min(sorted.size(), from + REWATCH_PAGE))));
        }
        return bodies;
    }

    private static ObjectNode rewatchBody(List<String> cids) {
        ObjectNode body = Json.object();
        ObjectNode filter = body.putObject("filter_conditions").putObject("cid");
        cids.forEach(filter.putArray("$in")::add);
        ObjectNode sort = Json.object();
        sort.put("field", "last_message_at");
        sort.put("direction", -1);
        body.putArray("sort").add(sort);
        body.put("limit", REWATCH_PAGE);
        body.put("state", true);
        body.put("watch", true);
        body.put("presence", false);
        return body;
    }

    /** Forwards session events to the listeners; forgets a session that ended on its own. */
    private final class SessionEvents implements Session.Listener {
        private final ChannelRegistry registryOfSession;

        SessionEvents(ChannelRegistry registryOfSession) {
            this.registryOfSession = registryOfSession;
        }

        @Override
        public void onEvent(Event event) {
            try {
                registryOfSession.apply(event, scheduler.now());
            } catch (RuntimeException e) {
                config.log().warn("Could not apply {} to the local channel state", event.type(), e);
            }
            bus.publish(event);
        }

        @Override
        public void onEnded(Session ended, Throwable cause) {
            synchronized (ClientCore.this) {
                if (session == ended) {
                    session = null;
                    sessionFuture = null;
                    channels = null;
                }
            }
            config.log().debug("session of '{}' ended: {}", ended.user().id(), cause.toString());
        }
    }

    /** For diagnostics: the instance number in this client's thread names. */
    public int instance() {
        return instance;
    }
}
