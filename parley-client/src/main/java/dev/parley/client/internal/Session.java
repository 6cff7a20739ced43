package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ChatApiException;
import dev.parley.client.ConnectResponse;
import dev.parley.client.ConnectionFailedException;
import dev.parley.client.DisconnectedException;
import dev.parley.client.Event;
import dev.parley.client.HealthCheckEvent;
import dev.parley.client.OpenConnection;
import dev.parley.client.transport.Socket;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.OwnUser;
import dev.parley.protocol.User;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One user session, from {@code connectUser} to {@code disconnectUser}: the socket, its heartbeat and
 * watchdog, and reconnection (PROTOCOL.md §3.3–§3.5, §5.8).
 *
 * <p>Threading: all state below the immutable fields is confined to the {@link Scheduler} thread. Socket
 * callbacks carry the generation of the socket they belong to and are dropped when it is stale, so a
 * late frame from a replaced socket can never touch the current one. The volatile fields are snapshots
 * for readers on other threads.
 */
public final class Session {
    /** The reason sent with a 1000 close, as the JS SDK sends it. */
    public static final String CLOSE_REASON = "Manually closed connection by calling client.disconnect()";

    public static final String DISCONNECTED = "Connection was closed because disconnectUser() was called";

    /** What a session reports to its client. Called on the scheduler thread. */
    public interface Listener {
        void onEvent(Event event);

        /** The session ended on its own (refused, or closed by the server with 1000), not by disconnect. */
        void onEnded(Session session, Throwable cause);
    }

    /** Re-watches channels after a reconnect; completes when they are watched again. */
    @FunctionalInterface
    public interface Recovery {
        CompletableFuture<Void> rewatch(Session session, Set<String> cids);
    }

    private final User user;
    private final TokenManager tokens;
    private final String clientId;
    private final String callSite;
    private final ClientConfig config;
    private final Scheduler scheduler;
    private final Socket.Factory sockets;
    private final Backoff backoff;
    private final Listener listener;
    /** Tries of the re-watch after a reconnect before a warning. */
    static final int REWATCH_ATTEMPTS = 3;

    static final Duration REWATCH_RETRY_DELAY = Duration.ofMillis(500);

    private final Recovery recovery;
    private final ConnectionLeakRegistry registry;
    private final CompletableFuture<ConnectResponse> connected = new CompletableFuture<>();
    private final Set<String> watchedChannels = ConcurrentHashMap.newKeySet();

    private @Nullable Socket socket;
    private int generation;
    private boolean handshakeDone;
    private boolean everConnected;
    private boolean offlineAnnounced;
    private boolean offlineScheduled;
    private int failures;
    private int tokenRetries;
    private @Nullable String attemptToken;
    private @Nullable Instant startedAt;
    private Scheduler.Cancellable heartbeat = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable watchdog = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable retry = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable offline = Scheduler.Cancellable.NONE;

    private volatile boolean ended;
    private volatile boolean disconnected;
    private volatile @Nullable String connectionId;
    private volatile @Nullable OwnUser me;
    private volatile CompletableFuture<String> ready = new CompletableFuture<>();

    public Session(
            User user,
            TokenManager tokens,
            String callSite,
            ClientConfig config,
            Scheduler scheduler,
            Socket.Factory sockets,
            Backoff backoff,
            Listener listener,
            Recovery recovery,
            ConnectionLeakRegistry registry) {
        this.user = requireNonNull(user, "user");
        this.tokens = requireNonNull(tokens, "tokens");
        this.callSite = requireNonNull(callSite, "callSite");
        this.config = requireNonNull(config, "config");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.sockets = requireNonNull(sockets, "sockets");
        this.backoff = requireNonNull(backoff, "backoff");
        this.listener = requireNonNull(listener, "listener");
        this.recovery = requireNonNull(recovery, "recovery");
        this.registry = requireNonNull(registry, "registry");
        this.clientId = user.id() + "--" + UUID.randomUUID();
    }

    public User user() {
        return user;
    }

    public TokenManager tokens() {
        return tokens;
    }

    /** Where {@code connectUser} was called, as a printable stack. */
    public String callSite() {
        return callSite;
    }

    /** The client instance id sent in heartbeats. */
    public String clientId() {
        return clientId;
    }

    /** Completes with the first handshake; fails when it is refused, times out or the user disconnects. */
    public CompletableFuture<ConnectResponse> connected() {
        return connected;
    }

    /** The current connection id, or null while (re)connecting. */
    public @Nullable String connectionId() {
        return connectionId;
    }

    /** The own user from the latest handshake, or null before the first. */
    public @Nullable OwnUser me() {
        return me;
    }

    /** True after the session ended, by {@code disconnectUser()} or by the server. */
    public boolean ended() {
        return ended;
    }

    /** True when the socket is healthy right now. */
    public boolean healthy() {
        return connectionId != null && !ended;
    }

    /**
     * Completes with the connection id once the handshake in flight succeeds (at once when connected);
     * fails when the session ends first. REST calls that subscribe the connection wait on it (§5.3).
     */
    public CompletableFuture<String> awaitConnection() {
        return ready;
    }

    /**
     * The cids of the channels this session watches, re-watched after a reconnect. Channel objects add
     * to it when they watch, and call {@link #ensureActive()} before each use.
     */
    public Set<String> watchedChannels() {
        return watchedChannels;
    }

    /** @throws DisconnectedException when {@code disconnectUser()} ended this session */
    public void ensureActive() {
        if (disconnected) {
            throw new DisconnectedException("You can't use a channel after client.disconnectUser() was called");
        }
    }

    /** Starts connecting. */
    public void start() {
        scheduler.execute(() -> {
            startedAt = scheduler.now();
            attempt();
        });
    }

    /**
     * Ends the session: closes the socket with 1000, fails a pending connect. Completes when the close
     * handshake finished or timed out.
     */
    public CompletableFuture<Void> disconnect() {
        disconnected = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.execute(() -> {
            Socket s = socket;
            end(new DisconnectedException(DISCONNECTED), false);
            if (s == null) {
                done.complete(null);
            } else {
                s.close(1000, CLOSE_REASON, config.closeTimeout()).whenComplete((r, e) -> done.complete(null));
            }
        });
        return done;
    }

    // ---- everything below runs on the scheduler thread ----

    private void attempt() {
        if (ended) {
            return;
        }
        int gen = ++generation;
        tokens.token()
                .thenCompose(token -> {
                    scheduler.execute(() -> attemptToken = token);
                    return sockets.open(
                            Urls.connect(config.baseUrl(), config.apiKey(), connectJson(), token, config.userAgent()),
                            handler(gen));
                })
                .whenComplete((s, e) -> scheduler.execute(() -> opened(gen, s, e)));
    }

    private void opened(int gen, Socket s, Throwable error) {
        if (gen != generation || ended) {
            if (s != null) {
                s.abort();
            }
            return;
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            boolean tokenProblem = cause instanceof IllegalArgumentException || cause instanceof IllegalStateException;
            if (tokenProblem && !everConnected) {
                end(cause, true); // the first token is unusable: fail connectUser rather than retry for 15 s
            } else {
                transportFailure(cause);
            }
            return;
        }
        socket = s;
        armWatchdog();
    }

    private Socket.Handler handler(int gen) {
        return new Socket.Handler() {
            @Override
            public void onText(String text) {
                scheduler.execute(() -> {
                    if (gen == generation && !ended) {
                        onFrame(text);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                scheduler.execute(() -> {
                    if (gen == generation && !ended) {
                        onSocketClosed(code, reason);
                    }
                });
            }

            @Override
            public void onError(Throwable error) {
                scheduler.execute(() -> {
                    if (gen == generation && !ended) {
                        dropSocket();
                        transportFailure(error);
                    }
                });
            }
        };
    }

    private void onFrame(String text) {
        armWatchdog();
        ObjectNode frame;
        try {
            frame = Json.parseObject(text, "socket frame");
        } catch (ChatException e) {
            config.log().warn("Ignoring a socket frame that is not a JSON object: {}", e.getMessage());
            return;
        }
        if (!handshakeDone) {
            onHandshake(frame);
            return;
        }
        Event event = Events.parse(frame, scheduler.now());
        if (event instanceof HealthCheckEvent hc) {
            scheduleHeartbeat();
            hc.me().ifPresent(m -> me = m);
        }
        listener.onEvent(event);
    }

    private void onHandshake(ObjectNode frame) {
        JsonNode error = frame.get("error");
        if (error != null && error.isObject()) {
            onHandshakeError(RestClient.toException(error, 0, true));
            return;
        }
        String id = frame.path("connection_id").asText("");
        if (!"health.check".equals(frame.path("type").asText()) || id.isEmpty()) {
            abortSocket();
            transportFailure(new IllegalStateException("first frame is not a health.check with a connection_id"));
            return;
        }
        Event event = Events.parse(frame, scheduler.now());
        OwnUser previous = me;
        OwnUser known =
                previous != null ? previous : new OwnUser(user, List.of(), List.of(), List.of(), 0, 0, 0, 0, List.of());
        OwnUser own = event instanceof HealthCheckEvent hc ? hc.me().orElse(known) : known;
        me = own;
        handshakeDone = true;
        connectionId = id;
        failures = 0;
        tokenRetries = 0;
        retry.cancel();
        offline.cancel();
        offlineScheduled = false;
        registry.opened(
                new OpenConnection(
                        config.baseUrl(), config.apiKey(), user.id(), id, clientId, scheduler.now(), callSite),
                config.log());
        scheduleHeartbeat();
        boolean reconnect = everConnected;
        everConnected = true;
        offlineAnnounced = false;
        ready.complete(id);
        connected.complete(new ConnectResponse(id, own));
        listener.onEvent(event);
        listener.onEvent(Events.connectionChanged(true, scheduler.now()));
        if (reconnect) {
            recover(id);
        }
    }

    private void recover(String id) {
        recover(id, 1);
    }

    /**
     * Re-watches the watched channels, then emits {@code connection.recovered}. A failed re-watch is tried
     * again ({@link #REWATCH_ATTEMPTS} in all, {@link #REWATCH_RETRY_DELAY} apart) while this connection
     * lasts: right after a server restart the first request may go out on a pooled HTTP connection to the
     * old process.
     */
    private void recover(String id, int attempt) {
        CompletableFuture<Void> done = config.recoverStateOnReconnect() && !watchedChannels.isEmpty()
                ? recovery.rewatch(this, Set.copyOf(watchedChannels))
                : CompletableFuture.completedFuture(null);
        done.whenComplete((r, e) -> scheduler.execute(() -> {
            boolean current = !ended && id.equals(connectionId);
            if (e != null && current && attempt < REWATCH_ATTEMPTS) {
                config.log().debug("re-watching channels failed (attempt {}), trying again", attempt, e);
                scheduler.schedule(() -> recover(id, attempt + 1), REWATCH_RETRY_DELAY);
                return;
            }
            if (e != null) {
                config.log().warn("Re-watching channels after reconnect failed", e);
            }
            if (current) {
                listener.onEvent(Events.connectionRecovered(id, scheduler.now()));
            }
        }));
    }

    private void onHandshakeError(ChatApiException error) {
        abortSocket();
        if (error.tokenExpired() && tokens.hasProvider() && tokenRetries == 0) {
            tokenRetries++;
            config.log().debug("token expired (code 40); reloading it from the provider and reconnecting");
            String stale = attemptToken;
            tokens.reload(stale == null ? "" : stale);
            retry = scheduler.schedule(this::attempt, Duration.ZERO);
            return;
        }
        end(error, true);
    }

    private void onSocketClosed(int code, String reason) {
        dropSocket();
        if (code == 1000) {
            end(
                    new ConnectionFailedException(
                            "the server closed the connection with code 1000 (final, no reconnect): " + reason, null),
                    true);
        } else if (code == 1001 || code == 1012) {
            config.log().debug("socket closed with {} ({}); reconnecting at once", code, reason);
            failures = 1;
            scheduleReconnect(Duration.ZERO);
        } else {
            transportFailure(new java.io.IOException("socket closed with code " + code + ": " + reason));
        }
    }

    private void transportFailure(Throwable cause) {
        if (!everConnected && Duration.between(startedAt, scheduler.now()).compareTo(config.connectTimeout()) >= 0) {
            end(new ConnectionFailedException("initial WS connection could not be established", cause), true);
            return;
        }
        failures++;
        Duration delay = backoff.delay(failures);
        config.log()
                .debug(
                        "socket failed ({}); reconnect attempt {} in {} ms",
                        cause.toString(),
                        failures,
                        delay.toMillis());
        scheduleReconnect(delay);
    }

    private void scheduleReconnect(Duration delay) {
        if (ready.isDone()) {
            ready = new CompletableFuture<>();
        }
        if (everConnected && !offlineAnnounced && !offlineScheduled) {
            offlineScheduled = true;
            offline = scheduler.schedule(this::announceOffline, config.offlineGrace());
        }
        retry.cancel();
        retry = scheduler.schedule(this::attempt, delay);
    }

    private void announceOffline() {
        if (!ended && connectionId == null && !offlineAnnounced) {
            offlineAnnounced = true;
            listener.onEvent(Events.connectionChanged(false, scheduler.now()));
        }
    }

    private void scheduleHeartbeat() {
        heartbeat.cancel();
        heartbeat = scheduler.schedule(this::sendHeartbeat, config.heartbeatInterval());
    }

    private void sendHeartbeat() {
        if (socket != null && handshakeDone) {
            ObjectNode ping = Json.object();
            ping.put("type", "health.check");
            ping.put("client_id", clientId);
            socket.sendText(Json.write(Json.array().add(ping)));
        }
    }

    private void armWatchdog() {
        watchdog.cancel();
        int gen = generation;
        watchdog = scheduler.schedule(
                () -> {
                    if (gen == generation && !ended) {
                        config.log()
                                .debug(
                                        "no frame for {}; the socket counts as dead, reconnecting",
                                        config.watchdogTimeout());
                        abortSocket();
                        transportFailure(new java.io.IOException("no frame received for " + config.watchdogTimeout()));
                    }
                },
                config.watchdogTimeout());
    }

    private void abortSocket() {
        Socket s = socket;
        dropSocket();
        if (s != null) {
            s.abort();
        }
    }

    /** Forgets the current socket: later callbacks from it are stale. Does not close it. */
    private void dropSocket() {
        generation++;
        heartbeat.cancel();
        watchdog.cancel();
        String id = connectionId;
        if (id != null) {
            registry.closed(config.baseUrl(), config.apiKey(), user.id(), id);
        }
        connectionId = null;
        handshakeDone = false;
        socket = null;
    }

    private void end(Throwable cause, boolean notify) {
        if (ended) {
            return;
        }
        boolean wasConnected = connectionId != null || everConnected;
        dropSocket();
        ended = true;
        retry.cancel();
        offline.cancel();
        connected.completeExceptionally(cause);
        ready.completeExceptionally(cause);
        if (notify) {
            if (wasConnected && !offlineAnnounced) {
                listener.onEvent(Events.connectionChanged(false, scheduler.now()));
            }
            listener.onEnded(this, cause);
        }
    }

    private String connectJson() {
        ObjectNode json = Json.object();
        json.put("user_id", user.id());
        json.set("user_details", userDetails(user));
        json.put("client_request_id", UUID.randomUUID().toString());
        return Json.write(json);
    }

    /**
     * What the app may set on itself through {@code connectUser} (§4.2): the id, custom fields and
     * {@code invisible}. Role and teams are left out: sending a role that differs from the stored one
     * makes the server refuse the handshake.
     */
    static ObjectNode userDetails(User user) {
        ObjectNode o = Json.object();
        o.put("id", user.id());
        for (Map.Entry<String, JsonNode> e : user.custom().entrySet()) {
            o.set(e.getKey(), e.getValue());
        }
        if (user.invisible()) {
            o.put("invisible", true);
        }
        return o;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
