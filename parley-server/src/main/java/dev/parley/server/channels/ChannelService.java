package dev.parley.server.channels;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.drafts.Drafts;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.messages.PendingMessages;
import dev.parley.server.session.Session;
import dev.parley.server.store.ChannelQuery;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ReminderStore;
import dev.parley.server.users.UserService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Channels as readers see them (PROTOCOL.md §7.2, §7.3, §7.6 stop-watching, §7.8 C17, §4.4, §4.5):
 * get-or-create and watch, query, watching and the events a connection's watching causes, typing and
 * custom events. Changes of a channel's data and members are in {@link ChannelAdmin}.
 *
 * <p>Thread-safe; blocking (call from virtual threads). Creation runs under the channel's lock.
 */
public final class ChannelService {
    static final Pattern TYPE = Pattern.compile("[\\w-]{1,64}");
    static final Pattern ID = Pattern.compile("[\\w!-]{1,64}");

    /** Keys of {@code data} that are not custom channel fields. */
    static final Set<String> RESERVED = Set.of(
            "members",
            "created_by",
            "created_by_id",
            "id",
            "type",
            "cid",
            "config",
            "own_capabilities",
            "created_at",
            "updated_at",
            "last_message_at",
            "member_count",
            "message_count",
            "frozen",
            "disabled",
            "team",
            "cooldown",
            "hidden",
            "truncated_at",
            "truncated_by",
            "truncated_by_id",
            "deleted_at",
            "config_overrides");

    private static final Set<String> RESERVED_EVENTS = java.util.stream.Stream.of(
                    EventType.MESSAGE_NEW,
                    EventType.MESSAGE_UPDATED,
                    EventType.MESSAGE_DELETED,
                    EventType.MESSAGE_READ,
                    EventType.REACTION_NEW,
                    EventType.REACTION_UPDATED,
                    EventType.REACTION_DELETED,
                    EventType.MEMBER_ADDED,
                    EventType.MEMBER_UPDATED,
                    EventType.MEMBER_REMOVED,
                    EventType.CHANNEL_UPDATED,
                    EventType.CHANNEL_DELETED,
                    EventType.CHANNEL_TRUNCATED,
                    EventType.CHANNEL_HIDDEN,
                    EventType.CHANNEL_VISIBLE,
                    EventType.HEALTH_CHECK,
                    EventType.USER_WATCHING_START,
                    EventType.USER_WATCHING_STOP,
                    EventType.USER_PRESENCE_CHANGED,
                    EventType.USER_UPDATED,
                    EventType.USER_DELETED)
            .map(EventType::wireName)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private final ChatStore store;
    private final ChannelAccess access;
    private final UserService users;
    private final ChannelHub hub;
    private final PresenceHub presence;
    private final EventPublisher events;
    private final ChannelLocks locks;
    private final Clock clock;
    private final ChannelStates states;
    private final WatchingEvents watching;
    private final Drafts drafts;
    private final ReminderStore reminders;

    private volatile java.util.function.Consumer<ChannelRow> onCreated = ch -> {};

    public ChannelService(
            ChatStore store,
            ChannelAccess access,
            UserService users,
            ChannelHub hub,
            PresenceHub presence,
            EventPublisher events,
            ChannelLocks locks,
            Clock clock,
            ChannelStates states,
            Drafts drafts,
            ReminderStore reminders) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.hub = requireNonNull(hub, "hub");
        this.presence = requireNonNull(presence, "presence");
        this.events = requireNonNull(events, "events");
        this.locks = requireNonNull(locks, "locks");
        this.clock = requireNonNull(clock, "clock");
        this.states = requireNonNull(states, "states");
        this.drafts = requireNonNull(drafts, "drafts");
        this.reminders = requireNonNull(reminders, "reminders");
        this.watching = new WatchingEvents(
                this::sendWatchingEvent,
                hub::claimInterval,
                (nanos, task) -> CompletableFuture.delayedExecutor(
                                nanos, TimeUnit.NANOSECONDS, Thread::startVirtualThread)
                        .execute(task),
                System::nanoTime);
    }

    public ChannelStates states() {
        return states;
    }

    /** The channel or code 16. */
    public ChannelRow require(String cid) {
        return access.requireChannel(cid);
    }

    /** {@code POST /channels/{type}/{id}/query}, and {@code /channels/{type}/query} when {@code id} is null. */
    public ObjectNode getOrCreate(
            Actor actor, String typeName, @Nullable String id, ObjectNode body, Optional<Session> conn) {
        ChannelType type = checkType(typeName);
        ObjectNode data = body.path("data").isObject() ? (ObjectNode) body.get("data") : Json.object();
        checkTypes(data, "data.");
        if (id == null) {
            id = distinctId(memberIds(data.get("members"), true));
        } else if (!ID.matcher(id).matches()) {
            throw ChatException.input(
                    "channel id '" + shorten(id) + "' is invalid (expected: 1 to 64 characters of a-z A-Z 0-9 _ - !)");
        } else if (id.equals("query")) {
            // POST /channels/{type}/query is the distinct-channel query: such a channel could never be updated.
            throw ChatException.input("channel id 'query' is reserved");
        }
        String cid = typeName + ":" + id;
        String channelId = id;
        // Checked before a create, so that a refused query creates nothing.
        ChannelStates.Options options = options(body);
        ChannelRow ch = store.findChannel(cid).orElseGet(() -> create(actor, type, channelId, data));
        return watchAndState(actor, ch, access.typeOf(ch), body, options, conn);
    }

    private ObjectNode watchAndState(
            Actor actor,
            ChannelRow ch,
            ChannelType type,
            ObjectNode body,
            ChannelStates.Options options,
            Optional<Session> conn) {
        access.requireRead(actor, ch, "GetOrCreateChannel");
        if (body.path("watch").asBoolean(false)) {
            conn.ifPresent(s -> watch(s, ch, type));
        }
        ObjectNode state = withDraft(actor, ch, states.state(actor, ch, type, options));
        if (body.path("presence").asBoolean(false)) {
            List<String> memberIds = new ArrayList<>();
            state.withArray("members")
                    .forEach(m -> memberIds.add(m.path("user_id").asText()));
            conn.ifPresent(s -> presence.subscribe(s, memberIds));
        }
        return state;
    }

    /** {@code GET /channels/{type}/{id}} (C23): the state of an existing channel, never creating it. */
    public ObjectNode get(Actor actor, String cid, ObjectNode payload) {
        ChannelAccess.ReadAccess read = access.requireRead(actor, require(cid), "GetChannel");
        return withDraft(actor, read.channel(), states.state(actor, read.channel(), read.type(), options(payload)));
    }

    /**
     * The state with the actor's draft of the channel, when it has one (PROTOCOL.md §7.22), and the actor's
     * reminders on its messages (§7.23).
     */
    private ObjectNode withDraft(Actor actor, ChannelRow ch, ObjectNode state) {
        ObjectNode draft = drafts.ofChannels(actor.userId(), List.of(ch.cid())).get(ch.cid());
        if (draft != null) {
            state.set("draft", draft);
        }
        withReminders(actor, List.of(state));
        PendingMessages.list(state, actor.userId()); // §7.29
        return state;
    }

    /**
     * Gives each message of the states (and each pinned one) the actor's reminder of it, as the JS
     * {@code ReminderManager} takes them: in channels whose type has {@code user_message_reminders} on, one store
     * read for all of them (PROTOCOL.md §7.23).
     */
    private void withReminders(Actor actor, List<ObjectNode> states) {
        String me = actor.userId();
        if (me == null) {
            return;
        }
        Map<String, List<ObjectNode>> byId = new LinkedHashMap<>();
        for (ObjectNode st : states) {
            if (!st.path("channel")
                    .path("config")
                    .path("user_message_reminders")
                    .asBoolean(false)) {
                continue;
            }
            for (String list : List.of("messages", "pinned_messages")) {
                for (JsonNode m : st.path(list)) {
                    if (m instanceof ObjectNode o && o.path("id").isTextual()) {
                        byId.computeIfAbsent(o.get("id").asText(), k -> new ArrayList<>())
                                .add(o);
                    }
                }
            }
        }
        if (byId.isEmpty()) {
            return;
        }
        reminders.ofMessages(me, byId.keySet()).forEach((id, r) -> {
            ObjectNode base = Json.object();
            base.put("channel_cid", r.cid());
            base.put("message_id", r.messageId());
            base.put("user_id", r.userId());
            if (r.remindAt() != null) {
                base.put("remind_at", Timestamps.format(r.remindAt()));
            }
            base.put("created_at", Timestamps.format(r.createdAt()));
            base.put("updated_at", Timestamps.format(r.updatedAt()));
            byId.getOrDefault(id, List.of()).forEach(o -> o.set("reminder", base.deepCopy()));
        });
    }

    private static ChannelStates.Options options(ObjectNode body) {
        JsonNode members = body.get("members");
        JsonNode watchers = body.get("watchers");
        int memberLimit = clamp(
                members == null ? null : members.get("limit"),
                ChannelStates.DEFAULT_MEMBERS,
                ChannelStates.MAX_MEMBERS);
        int memberOffset = clamp(members == null ? null : members.get("offset"), 0, 10_000);
        Integer watcherLimit = watchers != null && watchers.has("limit")
                ? clamp(watchers.get("limit"), 25, ChannelStates.MAX_MEMBERS)
                : null;
        boolean state = body.path("state").asBoolean(true);
        dev.parley.server.messages.Paging.check(body.get("messages"));
        return new ChannelStates.Options(
                state, body.get("messages"), ChannelStates.DEFAULT_MESSAGES, memberLimit, memberOffset, watcherLimit);
    }

    /**
     * Runs {@code listener} with each channel this service creates, under the channel's lock before anyone can
     * use it (the bans of its creator's future channels, PROTOCOL.md §7.28). Set once at start.
     */
    public void onCreate(java.util.function.Consumer<ChannelRow> listener) {
        this.onCreated = requireNonNull(listener, "listener");
    }

    private ChannelRow create(Actor actor, ChannelType type, String id, ObjectNode data) {
        String cid = type.name() + ":" + id;
        return locks.underLock(
                cid,
                () -> store.findChannel(cid).orElseGet(() -> {
                    User creator = creator(actor, data);
                    Actor asCreator = actor.server() ? actor : Actor.user(creator);
                    Permissions.require(asCreator, type, null, "create-channel", true, "GetOrCreateChannel", cid);
                    Instant now = clock.instant();
                    Map<String, String> roles = memberRoles(data.get("members"));
                    requireUsers(roles.keySet(), "channel create");
                    List<MemberRow> members = new ArrayList<>();
                    roles.forEach((u, role) -> members.add(MemberRow.create(cid, u, role, now)));
                    ChannelRow row = new ChannelRow(
                            cid,
                            type.name(),
                            id,
                            creator.id(),
                            text(data, "team"),
                            now,
                            now,
                            null,
                            null,
                            null,
                            data.path("frozen").asBoolean(false),
                            data.path("disabled").asBoolean(false),
                            clamp(data.get("cooldown"), 0, 120),
                            members.size(),
                            0,
                            custom(data));
                    store.createChannel(row, members);
                    ChannelRow created = require(cid);
                    onCreated.accept(created);
                    events.publishToHooks(EventType.CHANNEL_CREATED.wireName(), () -> {
                        ObjectNode e = ChannelViews.event(EventType.CHANNEL_CREATED.wireName(), created, now);
                        e.set(
                                "channel",
                                ChannelRecords.channel(created, type, null).toJson());
                        e.set("user", creator.toJson());
                        return e;
                    });
                    notifyAdded(created, type, members, creator);
                    return created;
                }));
    }

    /** Sends {@code notification.added_to_channel} to each added member's connections. */
    void notifyAdded(ChannelRow ch, ChannelType type, List<MemberRow> added, @Nullable User actor) {
        Map<String, User> byId =
                users.findAll(added.stream().map(MemberRow::userId).toList());
        ObjectNode channel = ChannelRecords.channel(ch, type, null).toJson();
        for (MemberRow m : added) {
            ObjectNode e = ChannelViews.event(EventType.NOTIFICATION_ADDED_TO_CHANNEL.wireName(), ch, clock.instant());
            e.set("channel", channel);
            e.set(
                    "member",
                    ChannelRecords.member(m, byId.get(m.userId()), ch, null).toJson());
            if (actor != null) {
                e.set("user", actor.toJson());
            }
            events.publish(e, Audience.user(m.userId()));
        }
    }

    private User creator(Actor actor, ObjectNode data) {
        User acting = actor.user();
        if (!actor.server()) {
            return Objects.requireNonNull(acting, "user"); // Actor.user(...) never holds null
        }
        String id = text(data, "created_by_id");
        if (id == null && data.path("created_by").isObject()) {
            id = text((ObjectNode) data.get("created_by"), "id");
        }
        if (id == null) {
            if (acting != null) {
                return acting;
            }
            throw ChatException.input("GetOrCreateChannel failed with error: \"either data.created_by or "
                    + "data.created_by_id must be provided when using server side auth.\"");
        }
        String creatorId = id;
        return users.find(id)
                .orElseThrow(() -> ChatException.input("created_by_id: user '" + creatorId + "' does not exist"));
    }

    /** Code 4 naming the users among {@code ids} that do not exist. */
    void requireUsers(Set<String> ids, String operation) {
        Map<String, User> found = users.findAll(ids);
        List<String> missing =
                ids.stream().filter(i -> !found.containsKey(i)).sorted().toList();
        if (!missing.isEmpty()) {
            throw ChatException.input(
                    "The following users are involved in " + operation + " operation, but don't exist: " + missing
                            + ". Please create the user objects before setting up the channel.");
        }
    }

    /** {@code members} as strings or {@code {user_id, channel_role}} objects, to their channel roles. */
    static Map<String, String> memberRoles(JsonNode members) {
        Map<String, String> out = new LinkedHashMap<>();
        if (members == null || members.isNull()) {
            return out;
        }
        if (!members.isArray()) {
            throw ChatException.input("members must be an array of user ids or {user_id, channel_role} objects");
        }
        for (JsonNode m : members) {
            if (m.isTextual() && !m.asText().isEmpty()) {
                out.put(m.asText(), "channel_member");
            } else if (m.isObject() && m.path("user_id").isTextual()) {
                String role = m.path("channel_role").isTextual()
                        ? m.get("channel_role").asText()
                        : "channel_member";
                out.put(m.get("user_id").asText(), role);
            } else {
                throw ChatException.input("members must be an array of user ids or {user_id, channel_role} objects");
            }
        }
        if (out.size() > 1000) {
            throw ChatException.input("members: " + out.size() + " users (expected: at most 1000)");
        }
        return out;
    }

    static List<String> memberIds(JsonNode members, boolean required) {
        Map<String, String> roles = memberRoles(members);
        if (required && roles.isEmpty()) {
            throw ChatException.input("data.members is required for a channel without id (a distinct channel)");
        }
        return List.copyOf(roles.keySet());
    }

    /** A deterministic id from the sorted member ids: same members, same channel. */
    static String distinctId(List<String> members) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join(",", new TreeSet<>(members)).getBytes(StandardCharsets.UTF_8));
            return "!members-" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Whether any channel of type {@code type} exists (a type with channels cannot be deleted). */
    public boolean anyOfType(String type) {
        Filter filter = Filter.parse(Json.object().put("type", type));
        return !store.queryChannels(new ChannelQuery(filter, List.of(), 1, 0, null, Set.of()))
                .isEmpty();
    }

    /** Refuses with code 4, naming the field, a channel field of the wrong JSON type; null counts as absent. */
    static void checkTypes(ObjectNode data, String prefix) {
        for (String key : List.of("frozen", "disabled")) {
            JsonNode v = data.get(key);
            if (v != null && !v.isNull() && !v.isBoolean()) {
                throw ChatException.input(prefix + key + " must be a boolean");
            }
        }
        for (String key : List.of("team", "name", "image")) {
            JsonNode v = data.get(key);
            if (v != null && !v.isNull() && !v.isTextual()) {
                throw ChatException.input(prefix + key + " must be a string");
            }
        }
        JsonNode cooldown = data.get("cooldown");
        if (cooldown != null && !cooldown.isNull() && !cooldown.isIntegralNumber()) {
            throw ChatException.input(prefix + "cooldown must be an integer number of seconds (expected: 0 to 120)");
        }
    }

    static ObjectNode custom(ObjectNode data) {
        ObjectNode c = Json.object();
        data.fields().forEachRemaining(e -> {
            if (!RESERVED.contains(e.getKey()) && !e.getValue().isNull()) {
                c.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (Json.write(c).length() > 5 * 1024) {
            throw ChatException.input("channel custom data is larger than 5 KiB");
        }
        return c;
    }

    /** {@code POST /channels}: the channels the actor may read that match, each as a ChannelState. */
    public List<ObjectNode> query(Actor actor, ObjectNode body, Optional<Session> conn) {
        Filter filter = Filter.parse(body.get("filter_conditions"));
        List<SortField> sort = SortField.parse(body.get("sort"));
        int limit = clamp(body.get("limit"), ChannelQuery.DEFAULT_LIMIT, ChannelQuery.MAX_LIMIT);
        int offset = clamp(body.get("offset"), 0, ChannelQuery.MAX_OFFSET);
        int messageLimit = clamp(body.get("message_limit"), 25, Paging_MAX);
        int memberLimit = clamp(body.get("member_limit"), 100, 100);
        List<ChannelRow> rows = store.queryChannels(new ChannelQuery(
                filter,
                sort,
                limit == 0 ? ChannelQuery.DEFAULT_LIMIT : limit,
                offset,
                actor.userId(),
                access.types().openTypes()));
        boolean watch = body.path("watch").asBoolean(false);
        ChannelStates.Options options =
                new ChannelStates.Options(body.path("state").asBoolean(true), null, messageLimit, memberLimit, 0, null);
        List<ObjectNode> out = new ArrayList<>();
        for (ChannelRow ch : rows) {
            // The store's filter knows membership and open types, not a channel's own grant overrides.
            if (!access.mayRead(actor, ch)) {
                continue;
            }
            ChannelType type = access.typeOf(ch);
            if (watch) {
                conn.ifPresent(s -> watch(s, ch, type));
            }
            ObjectNode state = states.state(actor, ch, type, options);
            if (body.path("presence").asBoolean(false)) {
                List<String> ids = new ArrayList<>();
                state.withArray("members")
                        .forEach(m -> ids.add(m.path("user_id").asText()));
                conn.ifPresent(s -> presence.subscribe(s, ids));
            }
            out.add(state);
        }
        // The actor's drafts of the page's channels, in one store read (PROTOCOL.md §7.22).
        Map<String, ObjectNode> byCid = drafts.ofChannels(
                actor.userId(),
                out.stream().map(st -> st.path("channel").path("cid").asText()).toList());
        for (ObjectNode st : out) {
            ObjectNode draft = byCid.get(st.path("channel").path("cid").asText());
            if (draft != null) {
                st.set("draft", draft);
            }
        }
        withReminders(actor, out);
        out.forEach(st -> PendingMessages.list(st, actor.userId())); // §7.29
        return out;
    }

    private static final int Paging_MAX = dev.parley.server.messages.Paging.MAX_LIMIT;

    /** Subscribes the connection and, when its user just started watching, tells the watchers (§4.5). */
    public void watch(Session session, ChannelRow ch, ChannelType type) {
        if (hub.watch(session, ch.cid()) && type.flag("connect_events")) {
            watchingEvent(EventType.USER_WATCHING_START.wireName(), session.userId(), ch);
        }
    }

    /** {@code POST …/stop-watching}. */
    public void stopWatching(Session session, ChannelRow ch) {
        if (hub.unwatch(session, ch.cid())) {
            ChannelType type = access.typeOf(ch);
            if (type != null && type.flag("connect_events")) {
                watchingEvent(EventType.USER_WATCHING_STOP.wireName(), session.userId(), ch);
            }
        }
    }

    /** Drops a closed connection's watches, with {@code user.watching.stop} where its user stopped (§4.4). */
    public void disconnected(Session session) {
        for (String cid : hub.unwatchAll(session)) {
            store.findChannel(cid).ifPresent(ch -> {
                ChannelType type = access.typeOf(ch);
                if (type != null && type.flag("connect_events")) {
                    watchingEvent(EventType.USER_WATCHING_STOP.wireName(), session.userId(), ch);
                }
            });
        }
    }

    /**
     * A user whose last watching socket of a channel was on a cluster node that died: {@code user.watching.stop},
     * as the socket's close would have sent.
     */
    public void stoppedWatchingOnLostNode(String cid, String userId) {
        store.findChannel(cid).ifPresent(ch -> {
            ChannelType type = access.typeOf(ch);
            if (type != null && type.flag("connect_events")) {
                watchingEvent(EventType.USER_WATCHING_STOP.wireName(), userId, ch);
            }
        });
    }

    private void watchingEvent(String kind, String userId, ChannelRow ch) {
        watching.changed(kind, userId, ch, hub.watcherCount(ch.cid()));
    }

    private void sendWatchingEvent(String kind, String userId, ChannelRow ch) {
        ObjectNode e = ChannelViews.event(kind, ch, clock.instant());
        users.find(userId).ifPresent(u -> e.set("user", u.toJson()));
        e.put("watcher_count", hub.watcherCount(ch.cid()));
        events.publish(e, Audience.watchersExcept(ch.cid(), userId));
    }

    /** {@code POST …/event}: typing and custom events to the watchers (§7.8 C17). */
    public ObjectNode sendEvent(Actor actor, String cid, @Nullable JsonNode event) {
        if (event == null
                || !event.isObject()
                || !event.path("type").isTextual()
                || event.get("type").asText().isEmpty()) {
            throw ChatException.input("event must be an object with a string type");
        }
        ChannelRow ch = require(cid);
        ChannelType type = access.typeOf(ch);
        String userId = actor.userId();
        MemberRow member = userId != null ? store.member(cid, userId).orElse(null) : null;
        String kind = event.get("type").asText();
        boolean typing =
                kind.equals(EventType.TYPING_START.wireName()) || kind.equals(EventType.TYPING_STOP.wireName());
        if (typing && !type.flag("typing_events")) {
            throw new ChatException(
                    ErrorCode.EVENT_NOT_SUPPORTED, "typing events are disabled for channel type '" + ch.type() + "'");
        }
        if (!typing) {
            if (RESERVED_EVENTS.contains(kind) || kind.startsWith("notification.")) {
                throw new ChatException(
                        ErrorCode.EVENT_NOT_SUPPORTED, "event type '" + kind + "' cannot be sent by clients");
            }
            if (!type.flag("custom_events")) {
                throw new ChatException(
                        ErrorCode.EVENT_NOT_SUPPORTED,
                        "custom events are disabled for channel type '" + ch.type() + "'");
            }
            Permissions.require(
                    actor, type, member, "send-custom-event", Permissions.ownsChannel(actor, ch), "SendEvent", cid);
        } else {
            Permissions.require(
                    actor, type, member, "read-channel", Permissions.ownsChannel(actor, ch), "SendEvent", cid);
        }
        ObjectNode e = ((ObjectNode) event).deepCopy();
        ObjectNode base = ChannelViews.event(kind, ch, clock.instant());
        e.setAll(base);
        if (actor.user() != null) {
            e.set("user", actor.user().toJson());
        }
        if (!typing || !typingDisabled(actor.user())) {
            events.publish(e, Audience.watchers(cid));
        }
        return e;
    }

    private static boolean typingDisabled(@Nullable User u) {
        if (u == null) {
            return false;
        }
        JsonNode p = u.custom().get("privacy_settings");
        return p != null
                && p.path("typing_indicators").path("enabled").isBoolean()
                && !p.path("typing_indicators").path("enabled").asBoolean();
    }

    ChannelType checkType(String typeName) {
        if (!TYPE.matcher(typeName).matches()) {
            throw ChatException.input("channel type '" + shorten(typeName) + "' is invalid");
        }
        return access.types().require(typeName);
    }

    static int clamp(@Nullable JsonNode n, int defaultValue, int max) {
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.canConvertToInt() || n.asInt() < 0) {
            throw ChatException.input("'" + n + "' is not a valid count (expected: 0 to " + max + ")");
        }
        return Math.min(n.asInt(), max);
    }

    static @Nullable String text(ObjectNode o, String key) {
        JsonNode v = o.get(key);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
