package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.ChannelContext;
import dev.parley.client.internal.ChannelStore;
import dev.parley.client.internal.Events;
import dev.parley.client.internal.RestClient;
import dev.parley.client.internal.Urls;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One channel, as seen by the connected user (PROTOCOL.md §5.7, §7.2–§7.11). Made by
 * {@link ChatClient#channel(String, String)}; cheap: two objects for the same channel share one local
 * state.
 *
 * <pre>{@code
 * Channel general = client.channel("messaging", "general");
 * general.on(EventType.MESSAGE_NEW, e -> System.out.println(((MessageEvent) e).message().text()));
 * ChannelState state = general.watch().join();
 * general.sendMessage(Message.of("Hello")).join();
 * }</pre>
 *
 * <p><b>Local state.</b> {@link #state()} is what watch and query answers and the channel's events said,
 * bounded as {@link ChannelState} describes. Events update it before listeners see them.
 *
 * <p><b>Guards.</b> A channel belongs to the session it was made in: after
 * {@link ChatClient#disconnectUser()} every method throws {@link DisconnectedException}, even once another
 * user connects. Methods that act on the channel's state ({@link #markRead()}, {@link #keystroke()},
 * {@link #sendEvent}, {@link #hide}, {@link #deleteReaction}...) throw {@link IllegalStateException} until
 * a watch or query has answered, unless the client holds the secret. A distinct channel made from members
 * has no id until its first watch, query or create.
 *
 * <p><b>Threading.</b> Thread-safe and non-blocking; futures complete on SDK I/O threads.
 */
public final class Channel {
    static final Pattern TYPE = Pattern.compile("^[\\w_-]+$");
    static final Pattern ID = Pattern.compile("^[\\w!_-]+$");
    static final int MAX_ID = 64;
    /** {@code typing.start} is sent at most this often while the user keeps typing (§7.8). */
    static final Duration TYPING_INTERVAL = Duration.ofSeconds(2);

    private final ChannelContext ctx;
    private final ChannelStore store;

    Channel(ChannelContext ctx, ChannelStore store) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.store = requireNonNull(store, "store");
    }

    static String validType(String type) {
        requireNonNull(type, "type");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("type: '" + type + "' (expected: letters, digits, _ and -)");
        }
        return type;
    }

    static String validId(String id) {
        requireNonNull(id, "id");
        if (!ID.matcher(id).matches() || id.length() > MAX_ID) {
            throw new IllegalArgumentException("id: '" + id + "' (expected: 1 to 64 letters, digits, !, _ and -)");
        }
        return id;
    }

    /** The channel type, for example {@code messaging}. */
    public String type() {
        return store.type();
    }

    /** The id; empty for a distinct channel until the server named it. */
    public Optional<String> id() {
        return Optional.ofNullable(store.id());
    }

    /** {@code <type>:<id>}; for a distinct channel not yet queried, a local key {@code <type>:!members-<ids>}. */
    public String cid() {
        return store.cid();
    }

    /** A snapshot of the local state. */
    public ChannelState state() {
        return store.snapshot(ctx.now());
    }

    // ---- state and watching ----

    /** {@link #watch(ChannelQueryOptions)} with the server's defaults. */
    public CompletableFuture<ChannelState> watch() {
        return watch(ChannelQueryOptions.defaults());
    }

    /**
     * Gets or creates the channel, loads its state and subscribes this connection to its events
     * ({@code POST /channels/{type}/{id}/query} with {@code state}, {@code watch}). Waits for a handshake in
     * flight; with no connection id it asks with {@code watch: false} (§3.7). A watched channel is watched
     * again after a reconnect.
     */
    public CompletableFuture<ChannelState> watch(ChannelQueryOptions options) {
        requireNonNull(options, "options");
        ctx.ensureActive();
        return ctx.awaitConnection().thenCompose(connectionId -> {
            boolean connected = connectionId != null;
            ObjectNode body = queryBody(options);
            body.put("watch", connected);
            body.put("presence", options.presence() && connected);
            return getOrCreate(body, false).thenApply(state -> {
                if (connected) {
                    ctx.watched().add(store.cid());
                }
                return state;
            });
        });
    }

    /**
     * Loads a page of the channel's state without changing the subscription
     * ({@code state: true}, no {@code watch} key), for example older messages with
     * {@code ChannelQueryOptions.defaults().olderThan(oldestId)}; the page is merged into the local state.
     */
    public CompletableFuture<ChannelState> query(ChannelQueryOptions options) {
        requireNonNull(options, "options");
        ctx.ensureActive();
        return ctx.awaitConnection().thenCompose(connectionId -> {
            ObjectNode body = queryBody(options);
            if (options.presence()) {
                body.put("presence", connectionId != null);
            }
            boolean page = options.idLt() != null || options.idGt() != null || options.idAround() != null;
            return getOrCreate(body, page);
        });
    }

    /** Creates the channel if needed, without state or watching ({@code watch}, {@code state}, {@code presence} false). */
    public CompletableFuture<ChannelState> create() {
        ctx.ensureActive();
        ObjectNode body = Json.object();
        body.set("data", store.data());
        body.put("watch", false);
        body.put("state", false);
        body.put("presence", false);
        return getOrCreate(body, true);
    }

    /** Stops this connection's subscription; the channel is no longer re-watched after reconnects. */
    public CompletableFuture<Void> stopWatching() {
        String path = path("/stop-watching");
        String cid = cid();
        return send("POST", path, Json.object()).thenApply(r -> {
            ctx.watched().remove(cid);
            return null;
        });
    }

    private ObjectNode queryBody(ChannelQueryOptions options) {
        ObjectNode body = Json.object();
        body.set("data", store.data());
        body.put("state", true);
        options.writeTo(body);
        return body;
    }

    private CompletableFuture<ChannelState> getOrCreate(ObjectNode body, boolean mergeMessages) {
        String id = store.id();
        String path = "/channels/" + type() + (id == null ? "" : "/" + id) + "/query";
        return ctx.send(new RestClient.Call("POST", path, null, body)).thenApply(r -> {
            ctx.channels().load(store, r, mergeMessages);
            return state();
        });
    }

    // ---- the channel itself ----

    /**
     * Replaces the channel's custom data ({@code POST /channels/{type}/{id}} with {@code data}); the server
     * sends {@code channel.updated} to watchers.
     *
     * @return the channel after the change
     */
    public CompletableFuture<ChannelData> update(CustomFields data) {
        requireNonNull(data, "data");
        ObjectNode body = Json.object();
        body.set("data", Json.node(data));
        return sendAndLoad("POST", path(""), body);
    }

    /** Sets and unsets custom fields ({@code PATCH /channels/{type}/{id}}). */
    public CompletableFuture<ChannelData> updatePartial(CustomFields set, List<String> unset) {
        requireNonNull(set, "set");
        requireNonNull(unset, "unset");
        ObjectNode body = Json.object();
        body.set("set", Json.node(set));
        unset.forEach(body.putArray("unset")::add);
        return sendAndLoad("PATCH", path(""), body);
    }

    /** Deletes the channel ({@code DELETE /channels/{type}/{id}}); watchers get {@code channel.deleted}. */
    public CompletableFuture<ChannelData> delete() {
        return sendAndLoad("DELETE", path(""), null);
    }

    /** Removes every message ({@code POST .../truncate}); watchers get {@code channel.truncated}. */
    public CompletableFuture<ChannelData> truncate() {
        return sendAndLoad("POST", path("/truncate"), Json.object());
    }

    /** {@link #hide(boolean)} keeping the history. */
    public CompletableFuture<Void> hide() {
        return hide(false);
    }

    /**
     * Hides the channel from the user's channel list until a new message arrives ({@code POST .../hide});
     * with {@code clearHistory}, earlier messages stay hidden for the user even then.
     */
    public CompletableFuture<Void> hide(boolean clearHistory) {
        requireInitialized();
        ObjectNode body = Json.object();
        body.put("clear_history", clearHistory);
        return send("POST", path("/hide"), body).thenApply(r -> {
            store.hidden(true);
            return null;
        });
    }

    /** Shows a hidden channel again ({@code POST .../show}). */
    public CompletableFuture<Void> show() {
        requireInitialized();
        return send("POST", path("/show"), Json.object()).thenApply(r -> {
            store.hidden(false);
            return null;
        });
    }

    /** Adds members by user id; watchers get {@code member.added}. Completes with every member after the change. */
    public CompletableFuture<List<Member>> addMembers(List<String> userIds) {
        return changeMembers("add_members", userIds);
    }

    /** Removes members by user id; watchers get {@code member.removed}. */
    public CompletableFuture<List<Member>> removeMembers(List<String> userIds) {
        return changeMembers("remove_members", userIds);
    }

    private CompletableFuture<List<Member>> changeMembers(String key, List<String> userIds) {
        requireNonNull(userIds, "userIds");
        if (userIds.isEmpty()) {
            throw new IllegalArgumentException("userIds: [] (expected: at least one user id)");
        }
        ObjectNode body = Json.object();
        ArrayNode ids = body.putArray(key);
        userIds.forEach(ids::add);
        return send("POST", path(""), body).thenApply(r -> {
            ctx.channels().load(store, r, true);
            List<Member> out = new ArrayList<>();
            r.path("members").forEach(m -> out.add(Member.fromJson(m)));
            return out;
        });
    }

    // ---- messages and reactions ----

    /**
     * Sends a message ({@code POST .../message}). A message without an id gets a random UUID first, so a
     * retry after a lost answer cannot post it twice (the server answers code 4 "already exists").
     *
     * @return the message as stored
     */
    public CompletableFuture<Message> sendMessage(Message message) {
        requireNonNull(message, "message");
        Message m = message.id() != null
                ? message
                : message.toBuilder().id(UUID.randomUUID().toString()).build();
        ObjectNode body = Json.object();
        body.set("message", m.toRequestJson());
        return send("POST", path("/message"), body).thenApply(r -> {
            Message stored = Message.fromJson(r.path("message"));
            store.upsert(stored);
            return stored;
        });
    }

    /** A page of the thread of {@code parentId} ({@code GET /messages/{id}/replies}), ascending. */
    public CompletableFuture<List<Message>> getReplies(String parentId, MessagePagination pagination) {
        requireNonNull(parentId, "parentId");
        requireNonNull(pagination, "pagination");
        ctx.ensureActive();
        String p = "/messages/" + Urls.encode(parentId) + "/replies";
        return ctx.send(new RestClient.Call("GET", p, pagination.toQuery(), null))
                .thenApply(r -> {
                    List<Message> out = new ArrayList<>();
                    r.path("messages").forEach(m -> out.add(Message.fromJson(m)));
                    return out;
                });
    }

    /** Adds (or replaces) the user's reaction of {@code type}; watchers get {@code reaction.new}. */
    public CompletableFuture<ReactionResponse> sendReaction(String messageId, String type) {
        requireNonNull(type, "type");
        return sendReaction(messageId, Reaction.of(type), false);
    }

    /**
     * Sends {@code reaction} ({@code POST /messages/{id}/reaction}); with {@code enforceUnique} the user's
     * other reactions on the message are removed first ({@code reaction.updated}).
     */
    public CompletableFuture<ReactionResponse> sendReaction(
            String messageId, Reaction reaction, boolean enforceUnique) {
        requireNonNull(messageId, "messageId");
        requireNonNull(reaction, "reaction");
        ctx.ensureActive();
        ObjectNode body = Json.object();
        body.set("reaction", reaction.toRequestJson());
        if (enforceUnique) {
            body.put("enforce_unique", true);
        }
        return reactionCall("POST", "/messages/" + Urls.encode(messageId) + "/reaction", body);
    }

    /** Removes the user's reaction of {@code type}; watchers get {@code reaction.deleted}. */
    public CompletableFuture<ReactionResponse> deleteReaction(String messageId, String type) {
        requireNonNull(messageId, "messageId");
        requireNonNull(type, "type");
        requireInitialized();
        return reactionCall("DELETE", "/messages/" + Urls.encode(messageId) + "/reaction/" + Urls.encode(type), null);
    }

    private CompletableFuture<ReactionResponse> reactionCall(String method, String path, @Nullable ObjectNode body) {
        return ctx.send(new RestClient.Call(method, path, null, body)).thenApply(r -> {
            Message m = Message.fromJson(r.path("message"));
            store.refresh(m);
            return new ReactionResponse(m, Reaction.fromJson(r.path("reaction")));
        });
    }

    // ---- reads, typing and custom events ----

    /**
     * Marks the channel read up to its newest message ({@code POST .../read}). Sends nothing when the
     * channel's config has {@code read_events} off or the user lacks the {@code read-events} capability.
     */
    public CompletableFuture<Void> markRead() {
        requireInitialized();
        if (!readEventsAllowed()) {
            return CompletableFuture.completedFuture(null);
        }
        return send("POST", path("/read"), Json.object()).thenApply(r -> {
            store.markedRead(ctx.now());
            return null;
        });
    }

    /** Marks {@code messageId} and every later message unread ({@code POST .../unread}). */
    public CompletableFuture<Void> markUnread(String messageId) {
        requireNonNull(messageId, "messageId");
        requireInitialized();
        if (!readEventsAllowed()) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode body = Json.object();
        body.put("message_id", messageId);
        return send("POST", path("/unread"), body).thenApply(r -> null);
    }

    private boolean readEventsAllowed() {
        ChannelState s = state();
        return s.config().readEvents()
                && s.channel().map(c -> c.can("read-events")).orElse(true);
    }

    /** {@link #keystroke(String)} in the channel itself. */
    public CompletableFuture<Void> keystroke() {
        return keystroke(null);
    }

    /**
     * Tells watchers the user is typing: sends {@code typing.start} at most once every 2 seconds, and
     * nothing when the channel's config has {@code typing_events} off. Call {@link #stopTyping()} when the
     * user stops or sends.
     *
     * @param parentId the thread the user types in, or null
     */
    public CompletableFuture<Void> keystroke(@Nullable String parentId) {
        requireInitialized();
        if (!state().config().typingEvents()) {
            return CompletableFuture.completedFuture(null);
        }
        Instant now = ctx.now();
        synchronized (store) {
            Instant last = store.lastKeystroke();
            if (last != null && now.isBefore(last.plus(TYPING_INTERVAL))) {
                return CompletableFuture.completedFuture(null);
            }
            store.lastKeystroke(now);
        }
        return sendEvent(typing(EventType.TYPING_START, parentId)).thenApply(e -> null);
    }

    /** {@link #stopTyping(String)} in the channel itself. */
    public CompletableFuture<Void> stopTyping() {
        return stopTyping(null);
    }

    /** Sends {@code typing.stop} (unless {@code typing_events} is off) and resets the keystroke throttle. */
    public CompletableFuture<Void> stopTyping(@Nullable String parentId) {
        requireInitialized();
        if (!state().config().typingEvents()) {
            return CompletableFuture.completedFuture(null);
        }
        store.lastKeystroke(null);
        return sendEvent(typing(EventType.TYPING_STOP, parentId)).thenApply(e -> null);
    }

    private static JsonObject typing(EventType type, @Nullable String parentId) {
        JsonObject e = JsonObject.of("type", type.wireName());
        return parentId == null ? e : e.with("parent_id", parentId);
    }

    /**
     * Sends an event to the channel's watchers ({@code POST .../event}): a custom type needs the config's
     * {@code custom_events} and the {@code send-custom-event} permission.
     *
     * <pre>{@code
     * channel.sendEvent(JsonObject.of("type", "balloons", "count", 3));
     * }</pre>
     *
     * @param event an object with at least {@code type}
     * @return the event as the server broadcast it
     */
    public CompletableFuture<Event> sendEvent(JsonObject event) {
        requireNonNull(event, "event");
        if (!event.get("type").flatMap(JsonValue::asString).isPresent()) {
            throw new IllegalArgumentException("event: " + event + " (expected: an object with a string \"type\")");
        }
        requireInitialized();
        ObjectNode sent = Json.node(event);
        ObjectNode body = Json.object();
        body.set("event", sent);
        return send("POST", path("/event"), body).thenApply(r -> {
            JsonNode e = r.path("event");
            return Events.parse(e.isObject() ? (ObjectNode) e : sent, ctx.now());
        });
    }

    // ---- listening ----

    /** Listens to this channel's events of one type, for example {@link EventType#MESSAGE_NEW}. */
    public Subscription on(EventType type, Consumer<? super Event> listener) {
        requireNonNull(type, "type");
        return on(type.wireName(), listener);
    }

    /** Listens to this channel's events of one type name, a custom one included. */
    public Subscription on(String type, Consumer<? super Event> listener) {
        requireNonNull(type, "type");
        requireNonNull(listener, "listener");
        return ctx.bus().subscribe(e -> type.equals(e.type()) && ours(e), listener);
    }

    /** Listens to every event of this channel. */
    public Subscription on(Consumer<? super Event> listener) {
        requireNonNull(listener, "listener");
        return ctx.bus().subscribe(this::ours, listener);
    }

    private boolean ours(Event e) {
        return e.channelCid().map(cid -> cid.equals(store.cid())).orElse(false);
    }

    @Override
    public String toString() {
        return "Channel[" + cid() + "]";
    }

    // ---- plumbing ----

    private void requireInitialized() {
        ctx.ensureActive();
        if (!ctx.serverSide() && !store.initialized()) {
            throw new IllegalStateException("Channel " + cid()
                    + " hasn't been initialized yet. Make sure to call .watch() and wait for it to resolve");
        }
    }

    private String path(String suffix) {
        ctx.ensureActive();
        String id = store.id();
        if (id == null) {
            throw new IllegalStateException(
                    "Channel " + cid() + " has no id yet: call watch(), query() or create() first");
        }
        return "/channels/" + type() + "/" + id + suffix;
    }

    private CompletableFuture<JsonNode> send(String method, String path, @Nullable ObjectNode body) {
        return ctx.send(new RestClient.Call(method, path, null, body));
    }

    private CompletableFuture<ChannelData> sendAndLoad(String method, String path, @Nullable ObjectNode body) {
        return send(method, path, body).thenApply(r -> {
            ctx.channels().load(store, r, true);
            return ChannelData.from(dev.parley.protocol.Channel.fromJson(r.path("channel")));
        });
    }
}
