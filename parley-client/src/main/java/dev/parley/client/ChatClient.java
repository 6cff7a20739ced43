package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.ChannelContext;
import dev.parley.client.internal.ChannelStore;
import dev.parley.client.internal.ClientConfig;
import dev.parley.client.internal.ClientCore;
import dev.parley.client.internal.ConnectionLeakRegistry;
import dev.parley.client.internal.LeakWatcher;
import dev.parley.client.internal.RestClient;
import dev.parley.client.internal.Session;
import dev.parley.client.internal.Strings;
import dev.parley.client.internal.TokenManager;
import dev.parley.client.internal.Urls;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Message;
import dev.parley.protocol.OwnUser;
import dev.parley.protocol.User;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a Parley (or Stream Chat) server for one user at a time: one WebSocket for events, REST for
 * everything else. Follows PROTOCOL.md §5.8.
 *
 * <pre>{@code
 * try (ChatClient client = ChatClient.builder("api-key").baseUrl("http://localhost:8080").build()) {
 *     client.on(EventType.USER_UPDATED, e -> System.out.println(e.raw()));
 *     ConnectResponse r = client.connectUser(User.builder("maria").build(), token).join();
 * }
 * }</pre>
 *
 * <p><b>One socket per user.</b> Calling {@link #connectUser} again for the same user returns the same
 * future and opens nothing; for another user it throws until {@link #disconnectUser()} is called. Two
 * clients connected as the same user in one JVM log a warning naming both call sites; see
 * {@link #openConnections()}. A client dropped without {@link #close()} while its socket is open logs a
 * warning when it is garbage-collected.
 *
 * <p><b>Channels.</b> {@link #channel(String, String)} returns a {@link Channel} of the current session;
 * {@link #queryChannels} lists the user's channels. The SDK keeps each channel's state from answers and
 * events, and watches watched channels again after a reconnect before emitting {@code connection.recovered}.
 *
 * <p><b>Threading.</b> All methods are thread-safe and never block, except {@link #close()}, which waits
 * for the socket to close (at most the close timeout plus one second). Listeners run on the callback
 * executor (by default one SDK thread per client, in arrival order); a listener that throws is logged
 * and never disturbs the connection. Futures complete on SDK threads: do not block in their callbacks.
 * SDK threads are daemon threads named {@code parley-client-...}; {@link #close()} stops them, and once the
 * last client of the JVM is closed no SDK thread is left (nothing pins the app's class loader).
 *
 * <p><b>Transport.</b> REST and the socket go through a {@link Transport}: {@code java.net.http} on a JVM,
 * OkHttp 5 on Android (see {@link Builder#transport}). On Android, give {@link Builder#callbackExecutor}
 * the main thread's executor to run listeners there.
 */
public final class ChatClient implements AutoCloseable {
    /** The {@code X-Stream-Client} value this SDK sends. */
    public static final String USER_AGENT = "parley-java-client-0.1.0";

    private static final Object SINGLETON_LOCK = new Object();
    private static @Nullable ChatClient singleton;

    private final ClientCore core;
    private final LeakWatcher.Watch leakWatch;

    private ChatClient(ClientConfig config, Transport.Factory transport) {
        this.core = new ClientCore(config, transport, ConnectionLeakRegistry.GLOBAL);
        this.leakWatch = LeakWatcher.watch(this, new LeakCheck(core));
    }

    /** A builder for a client of the app with this API key. */
    public static Builder builder(String apiKey) {
        return new Builder(apiKey);
    }

    /**
     * The process-wide client: the first call builds it with default options, later calls return it and
     * ignore {@code apiKey} (as the JS SDK's {@code getInstance} does). Prefer it to {@code build()} in
     * apps, so that UI code cannot open a second socket by building a second client.
     */
    public static ChatClient getInstance(String apiKey) {
        return getInstance(apiKey, b -> {});
    }

    /** As {@link #getInstance(String)}, with {@code options} applied when the instance is first built. */
    public static ChatClient getInstance(String apiKey, Consumer<Builder> options) {
        requireNonNull(apiKey, "apiKey");
        requireNonNull(options, "options");
        synchronized (SINGLETON_LOCK) {
            if (singleton == null || singleton.core.closed()) {
                Builder b = builder(apiKey);
                options.accept(b);
                singleton = b.build();
            }
            return singleton;
        }
    }

    /** Every socket the SDK holds open in this JVM, over all clients; tests can assert there is one. */
    public static List<OpenConnection> openConnections() {
        return ConnectionLeakRegistry.GLOBAL.snapshot();
    }

    /**
     * Connects {@code user} with a static token. The token's {@code user_id} must be {@code user.id()}.
     *
     * @return completes with the first {@code health.check}; fails with {@link ChatApiException} when the
     *     server refuses (code, HTTP status, message), {@link ConnectionFailedException} when no socket
     *     could be opened within the connect timeout, {@link DisconnectedException} when
     *     {@link #disconnectUser()} is called first
     * @throws IllegalArgumentException when the token is empty, malformed or for another user
     * @throws IllegalStateException when another user is connected, or the client is closed
     */
    public CompletableFuture<ConnectResponse> connectUser(User user, String token) {
        requireUser(user);
        return connect(user, TokenManager.ofToken(user.id(), token));
    }

    /**
     * Connects {@code user} with tokens from {@code provider}, called now and again whenever the server
     * answers code 40 (token expired), on the socket or on REST.
     *
     * @see #connectUser(User, String)
     */
    public CompletableFuture<ConnectResponse> connectUser(User user, TokenProvider provider) {
        requireUser(user);
        requireNonNull(provider, "provider");
        return connect(user, TokenManager.ofProvider(user.id(), provider, core.io()));
    }

    private CompletableFuture<ConnectResponse> connect(User user, TokenManager tokens) {
        return core.connect(user, tokens, ConnectionLeakRegistry.callSite());
    }

    private static void requireUser(User user) {
        requireNonNull(user, "user");
        if (Strings.blank(user.id())) {
            throw new IllegalArgumentException("The \"id\" field on the user is missing");
        }
    }

    /**
     * Closes the socket with code 1000 (no reconnect), forgets the user, token, connection id and
     * channel state, and fails a pending {@link #connectUser} with {@link DisconnectedException}.
     * Channel objects of the old session fail from then on. Harmless when no user is connected.
     *
     * @return completes when the close handshake finished or timed out
     */
    public CompletableFuture<Void> disconnectUser() {
        return core.disconnect();
    }

    /** Disconnects the user, then stops the client's threads. The client cannot be used afterwards. */
    @Override
    public void close() {
        core.close();
        leakWatch.release();
    }

    /** The connected user as of the latest handshake, empty when none is connected. */
    public Optional<OwnUser> user() {
        Session s = core.session();
        return Optional.ofNullable(s == null ? null : s.me());
    }

    /** The current connection id; empty while not connected or reconnecting. */
    public Optional<String> connectionId() {
        Session s = core.session();
        return Optional.ofNullable(s == null ? null : s.connectionId());
    }

    /** True while the socket is healthy. */
    public boolean isConnected() {
        Session s = core.session();
        return s != null && s.healthy();
    }

    /** Listens to events of one server type, for example {@link EventType#USER_UPDATED}. */
    public Subscription on(EventType type, Consumer<? super Event> listener) {
        requireNonNull(type, "type");
        return on(type.wireName(), listener);
    }

    /** Listens to events of one local type, for example {@link LocalEventType#CONNECTION_CHANGED}. */
    public Subscription on(LocalEventType type, Consumer<? super Event> listener) {
        requireNonNull(type, "type");
        return on(type.wireName(), listener);
    }

    /** Listens to events of one type name, a custom one included. */
    public Subscription on(String type, Consumer<? super Event> listener) {
        requireNonNull(type, "type");
        return core.bus().subscribe(e -> e.type().equals(type), listener);
    }

    /** Listens to every event. */
    public Subscription on(Consumer<? super Event> listener) {
        return core.bus().subscribe(e -> true, listener);
    }

    /** Listens to the events of one typed view, for example {@code UserUpdatedEvent.class}. */
    public <E extends Event> Subscription on(Class<E> type, Consumer<? super E> listener) {
        requireNonNull(type, "type");
        requireNonNull(listener, "listener");
        return core.bus().subscribe(type::isInstance, e -> listener.accept(type.cast(e)));
    }

    /**
     * Queries users ({@code GET /users}). Waits for a handshake in flight; with a connection id,
     * {@code presence: true} subscribes this connection to the users' presence. A client holding the
     * secret may call it with no user connected (server token, no presence).
     */
    public CompletableFuture<QueryUsersResponse> queryUsers(QueryUsersRequest request) {
        requireNonNull(request, "request");
        return core.connectedSession()
                .thenCompose(s -> {
                    String payload = Json.write(request.toJson(s != null && s.connectionId() != null));
                    return core.rest().send(new RestClient.Call("GET", "/users", Map.of("payload", payload), null), s);
                })
                .thenApply(r -> {
                    List<User> users = new ArrayList<>();
                    r.path("users").forEach(u -> users.add(User.fromJson(u)));
                    return new QueryUsersResponse(users);
                });
    }

    /**
     * Replaces the connected user's own fields ({@code POST /users}): custom fields left out are
     * removed. Role and teams cannot be changed client-side (code 17).
     *
     * @return the user as stored
     */
    public CompletableFuture<User> upsertUser(User user) {
        requireNonNull(user, "user");
        ObjectNode body = Json.object();
        body.putObject("users").set(user.id(), user.toJson());
        return send("POST", "/users", body).thenApply(r -> userOf(r, user.id()));
    }

    /** Sets and unsets fields of a user ({@code PATCH /users}); client-side, only the connected user. */
    public CompletableFuture<User> partialUpdateUser(PartialUserUpdate update) {
        requireNonNull(update, "update");
        ObjectNode body = Json.object();
        body.putArray("users").add(update.toJson());
        return send("PATCH", "/users", body).thenApply(r -> userOf(r, update.id()));
    }

    // ---- channels (PROTOCOL.md §5.7, §7.2-§7.11) ----

    /**
     * The channel {@code type:id}, for the connected user (or, on a client holding the secret, for server
     * calls). Nothing is sent until a method of the channel is called.
     *
     * @throws IllegalArgumentException when {@code type} is not {@code ^[\w_-]+$} or {@code id} not
     *     {@code ^[\w!_-]+$} of at most 64 chars
     * @throws IllegalStateException when no user is connected and the client has no secret
     */
    public Channel channel(String type, String id) {
        return channel(type, id, CustomFields.EMPTY);
    }

    /**
     * As {@link #channel(String, String)}, with custom data ({@code name}, {@code members}...) used when the
     * first watch, query or create makes the channel; ignored by the server for an existing channel.
     */
    public Channel channel(String type, String id, CustomFields data) {
        Channel.validType(type);
        Channel.validId(id);
        requireNonNull(data, "data");
        ChannelContext ctx = core.channelContext();
        return new Channel(ctx, ctx.channels().open(type, id, Json.node(data)));
    }

    /**
     * The distinct channel of exactly these members (§7.3 C3): the server derives its id from the sorted
     * member list on the first watch, query or create; until then {@link Channel#id()} is empty.
     */
    public Channel channel(String type, List<String> members) {
        Channel.validType(type);
        requireNonNull(members, "members");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("members: [] (expected: the user ids of a distinct channel)");
        }
        members.forEach(m -> requireNonNull(m, "members[i]"));
        ChannelContext ctx = core.channelContext();
        return new Channel(ctx, ctx.channels().openDistinct(type, List.copyOf(members), Json.object()));
    }

    /**
     * Queries the user's channels ({@code POST /channels}, §7.2), loading each one's state; with
     * {@code watch} (the default) this connection is subscribed to their events and they are re-watched
     * after reconnects. Waits for a handshake in flight; watch and presence are forced off without a
     * connection id.
     *
     * @param filter filter conditions (§9.1), for example {@code {"members":{"$in":["maria"]}}}, that is
     *     {@code JsonObject.of("members", JsonObject.of("$in", List.of("maria")))}
     * @param sort sort keys, possibly empty (the server then sorts by {@code last_updated} descending)
     */
    public CompletableFuture<List<Channel>> queryChannels(
            JsonObject filter, List<SortOption> sort, QueryChannelsOptions options) {
        requireNonNull(filter, "filter");
        requireNonNull(sort, "sort");
        requireNonNull(options, "options");
        ChannelContext ctx = core.channelContext();
        ctx.ensureActive();
        ObjectNode body = Json.object();
        body.set("filter_conditions", Json.node(filter));
        var s = body.putArray("sort");
        sort.forEach(k -> s.addObject().put("field", k.field()).put("direction", k.direction()));
        return ctx.awaitConnection().thenCompose(connectionId -> {
            options.writeTo(body, connectionId != null);
            return ctx.send(new RestClient.Call("POST", "/channels", null, body))
                    .thenApply(r -> {
                        List<Channel> out = new ArrayList<>();
                        for (ChannelStore store : ctx.channels().loadAll(r)) {
                            if (connectionId != null && options.watch()) {
                                ctx.watched().add(store.cid());
                            }
                            out.add(new Channel(ctx, store));
                        }
                        return out;
                    });
        });
    }

    /** One message by id ({@code GET /messages/{id}}); code 16 when unknown or not readable. */
    public CompletableFuture<Message> getMessage(String messageId) {
        return messageCall("GET", messageId, null, Map.of());
    }

    /**
     * Replaces a message's editable fields ({@code POST /messages/{id}}): text, attachments, mentions,
     * custom keys (left-out custom keys are removed). Watchers get {@code message.updated}.
     */
    public CompletableFuture<Message> updateMessage(Message message) {
        requireNonNull(message, "message");
        if (message.id() == null) {
            throw new IllegalArgumentException("message.id: null (expected: the id of the message to update)");
        }
        ObjectNode body = Json.object();
        body.set("message", message.toRequestJson());
        return messageCall("POST", message.id(), body, Map.of());
    }

    /** Sets and unsets fields of a message ({@code PUT /messages/{id}}). */
    public CompletableFuture<Message> partialUpdateMessage(String messageId, CustomFields set, List<String> unset) {
        requireNonNull(set, "set");
        requireNonNull(unset, "unset");
        ObjectNode body = Json.object();
        body.set("set", Json.node(set));
        unset.forEach(body.putArray("unset")::add);
        return messageCall("PUT", messageId, body, Map.of());
    }

    /**
     * Deletes a message ({@code DELETE /messages/{id}}): soft (type {@code deleted}) unless {@code hard}.
     * Watchers get {@code message.deleted}.
     */
    public CompletableFuture<Message> deleteMessage(String messageId, boolean hard) {
        return messageCall("DELETE", messageId, null, hard ? Map.of("hard", "true") : Map.of());
    }

    /** Pins a message in its channel, without expiry. */
    public CompletableFuture<Message> pinMessage(String messageId) {
        return partialUpdateMessage(messageId, CustomFields.of("pinned", true, "pin_expires", null), List.of());
    }

    /** Unpins a message. */
    public CompletableFuture<Message> unpinMessage(String messageId) {
        return partialUpdateMessage(messageId, CustomFields.of("pinned", false), List.of());
    }

    /** The connected user's unread counters ({@code GET /unread}). */
    public CompletableFuture<UnreadCounts> getUnreadCount() {
        ChannelContext ctx = core.channelContext();
        ctx.ensureActive();
        return ctx.send(new RestClient.Call("GET", "/unread", null, null)).thenApply(UnreadCounts::fromJson);
    }

    private CompletableFuture<Message> messageCall(
            String method, String messageId, @Nullable ObjectNode body, Map<String, String> query) {
        requireNonNull(messageId, "messageId");
        ChannelContext ctx = core.channelContext();
        ctx.ensureActive();
        String path = "/messages/" + Urls.encode(messageId);
        return ctx.send(new RestClient.Call(method, path, query, body)).thenApply(r -> {
            Message m = Message.fromJson(r.path("message"));
            if (!method.equals("GET")) {
                ctx.channels().refresh(m);
            }
            return m;
        });
    }

    /**
     * A user token signed with the client's secret.
     *
     * @throws IllegalStateException when the client was built without {@code secret(...)}
     */
    public String createToken(String userId, Instant expiresAt) {
        String secret = core.config().secret();
        if (secret == null) {
            throw new IllegalStateException("createToken needs the API secret: build the client with secret(...)");
        }
        return expiresAt == null ? Tokens.user(secret, userId) : Tokens.user(secret, userId, expiresAt);
    }

    private CompletableFuture<JsonNode> send(String method, String path, ObjectNode body) {
        RestClient.Call call = new RestClient.Call(method, path, null, body);
        Session s = core.session();
        if (s == null) {
            return core.rest().send(call, null);
        }
        return core.rest().send(call, s);
    }

    private static User userOf(JsonNode response, String id) {
        JsonNode u = response.path("users").path(id);
        if (!u.isObject()) {
            throw new IllegalStateException("the server's answer has no users." + id);
        }
        return User.fromJson(u);
    }

    /** Runs when the facade becomes unreachable: warns if a socket was left open, then frees everything. */
    private record LeakCheck(ClientCore core) implements Runnable {
        @Override
        public void run() {
            if (core.closed()) {
                return;
            }
            Session s = core.session();
            if (s != null && s.healthy()) {
                core.config().log().warn("""
                        A ChatClient was garbage-collected while its socket for user '{}' (connection {}) was \
                        still open; closing it now. Call close() (or use try-with-resources) when done. \
                        connectUser was called at:
                        {}""", s.user().id(), s.connectionId(), s.callSite());
            }
            core.close();
        }
    }

    /**
     * Options of a {@link ChatClient}. Defaults: base URL {@code http://localhost:8080}, REST timeout
     * 10 s, connect timeout 15 s, heartbeat 25 s, watchdog 35 s, recover state on reconnect, listeners on
     * one SDK thread, logger {@code dev.parley.client.ChatClient}.
     */
    public static final class Builder {
        private final String apiKey;
        private String baseUrl = "http://localhost:8080";
        private @Nullable String secret;
        private Duration timeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration heartbeatInterval = Duration.ofSeconds(25);
        private Duration watchdogTimeout = Duration.ofSeconds(35);
        private Duration offlineGrace = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(1);
        private boolean allowServerSideConnect;
        private boolean recoverStateOnReconnect = true;
        private @Nullable Executor callbackExecutor;
        private Transport.Factory transport = Transport.automatic();
        private Logger logger = LoggerFactory.getLogger(ChatClient.class);

        private Builder(String apiKey) {
            this.apiKey = requireNonNull(apiKey, "apiKey");
            if (Strings.blank(apiKey)) {
                throw new IllegalArgumentException("apiKey: empty (expected: the app's API key)");
            }
        }

        /** The server's REST base URL, for example {@code http://localhost:8080}; a path prefix is kept. */
        public Builder baseUrl(String v) {
            requireNonNull(v, "baseUrl");
            if (!v.startsWith("http://") && !v.startsWith("https://")) {
                throw new IllegalArgumentException("baseUrl: " + v + " (expected: http:// or https://)");
            }
            baseUrl = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            return this;
        }

        /**
         * The API secret: the client can then make tokens and call REST endpoints with a server token
         * while no user is connected. Server code only; never ship the secret in an app.
         */
        public Builder secret(String v) {
            secret = requireNonNull(v, "secret");
            return this;
        }
        /** Timeout of each REST request and of the socket's opening handshake. */
        public Builder timeout(Duration v) {
            timeout = positive(v, "timeout");
            return this;
        }
        /** Budget of the first connect, retries included; then {@code connectUser} fails. */
        public Builder connectTimeout(Duration v) {
            connectTimeout = positive(v, "connectTimeout");
            return this;
        }
        /** Delay after each received {@code health.check} before the next heartbeat (25 s). */
        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = positive(v, "heartbeatInterval");
            return this;
        }
        /** Silence after which the socket counts as dead and is replaced (35 s). */
        public Builder watchdogTimeout(Duration v) {
            watchdogTimeout = positive(v, "watchdogTimeout");
            return this;
        }
        /** How long a drop may last before {@code connection.changed} reports offline (5 s). */
        public Builder offlineGrace(Duration v) {
            offlineGrace = positive(v, "offlineGrace");
            return this;
        }
        /** How long {@code disconnectUser()} waits for the server's close frame (1 s). */
        public Builder closeTimeout(Duration v) {
            closeTimeout = positive(v, "closeTimeout");
            return this;
        }
        /** Silences the warning when a client holding the secret calls {@code connectUser}. */
        public Builder allowServerSideConnect(boolean v) {
            allowServerSideConnect = v;
            return this;
        }
        /** Re-watch the channels that were watched before a reconnect (true). */
        public Builder recoverStateOnReconnect(boolean v) {
            recoverStateOnReconnect = v;
            return this;
        }
        /**
         * Runs event listeners; keep it single-threaded to keep event order. On Android, pass the main
         * thread's executor ({@code ContextCompat.getMainExecutor(context)}) to update views from listeners.
         * By default each client has one SDK thread for its listeners.
         */
        public Builder callbackExecutor(Executor v) {
            callbackExecutor = requireNonNull(v, "callbackExecutor");
            return this;
        }

        /**
         * How the client talks to the server: {@link dev.parley.client.transport.JdkTransport#factory()}
         * ({@code java.net.http}), {@link dev.parley.client.transport.OkHttpTransport#factory()} (OkHttp 5,
         * for Android), or an own {@link Transport.Factory}. By default ({@link Transport#automatic()}) the
         * JDK one where {@code java.net.http} exists, else OkHttp when it is on the class path.
         */
        public Builder transport(Transport.Factory v) {
            transport = requireNonNull(v, "transport");
            return this;
        }
        /** Where the SDK logs its warnings. */
        public Builder logger(Logger v) {
            logger = requireNonNull(v, "logger");
            return this;
        }

        public ChatClient build() {
            if (watchdogTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("watchdogTimeout: " + watchdogTimeout
                        + " (expected: > heartbeatInterval " + heartbeatInterval + ")");
            }
            return new ChatClient(
                    new ClientConfig(
                            apiKey,
                            baseUrl,
                            secret,
                            timeout,
                            connectTimeout,
                            heartbeatInterval,
                            watchdogTimeout,
                            offlineGrace,
                            closeTimeout,
                            allowServerSideConnect,
                            recoverStateOnReconnect,
                            callbackExecutor,
                            logger,
                            USER_AGENT),
                    transport);
        }

        private static Duration positive(Duration v, String name) {
            requireNonNull(v, name);
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(name + ": " + v + " (expected: > 0)");
            }
            return v;
        }
    }
}
