package dev.parley.server.channels;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.User;
import dev.parley.server.Session;
import dev.parley.server.presence.PresenceHub;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.usage.ConnectionRegistry;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the chat services share: the store, the channel types, the watcher hub, users, connections and
 * presence, the clock, and the per-channel locks that serialise every change of one channel (so that
 * message order, reply counts and reaction totals are never lost) while channels proceed in parallel.
 *
 * <p>Thread-safe. Blocking methods run on virtual threads, never on an event loop.
 */
public final class ChatCore {
    private static final int STRIPES = 1024;

    private final ChatStore store;
    private final ChannelTypes types;
    private final ChannelHub hub = new ChannelHub();
    private final UserService users;
    private final ConnectionRegistry registry;
    private final PresenceHub presence;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final dev.parley.server.messages.MessageWriter messageWriter;
    private final ModerationStore moderation;

    public ChatCore(ChatStore store, ModerationStore moderation, UserService users, ConnectionRegistry registry,
            PresenceHub presence, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.users = requireNonNull(users, "users");
        this.registry = requireNonNull(registry, "registry");
        this.presence = requireNonNull(presence, "presence");
        this.clock = requireNonNull(clock, "clock");
        this.types = new ChannelTypes(Instant.parse("2026-01-01T00:00:00Z"));
        this.messageWriter = new dev.parley.server.messages.MessageWriter(store);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public ChatStore store() {
        return store;
    }

    /** Mutes, bans, flags and blocks (the moderation tables of the same database). */
    public ModerationStore moderation() {
        return moderation;
    }

    /** The group commit of message sends. */
    public dev.parley.server.messages.MessageWriter messageWriter() {
        return messageWriter;
    }

    /** Commits pending message sends and stops the writer; the store stays open. */
    public void close() {
        messageWriter.close();
    }

    /**
     * The effective type of a channel: its channel type with the channel's {@code config_overrides}
     * (feature flags, {@code max_message_length}, and {@code grants} where {@code "!perm"} revokes) applied.
     */
    public ChannelType typeOf(ChannelRow ch) {
        ChannelType base = types.require(ch.type());
        com.fasterxml.jackson.databind.JsonNode o = ch.custom().get(ChannelTypes.OVERRIDES);
        return o == null || !o.isObject() ? base : ChannelTypes.withOverrides(base, (com.fasterxml.jackson.databind.node.ObjectNode) o);
    }

    /** A channel as one actor reads it: its effective type and the actor's membership (null when none). */
    public record ReadAccess(ChannelRow channel, ChannelType type, MemberRow member) {}

    /**
     * The one read check of every path that shows a channel or its messages: {@code read-channel} through
     * the actor's role or its membership, with the channel's own grant overrides applied; code 17 otherwise.
     */
    public ReadAccess requireRead(Actor actor, ChannelRow ch, String endpoint) {
        ReadAccess access = access(actor, ch);
        Permissions.require(actor, access.type(), access.member(), "read-channel", Permissions.ownsChannel(actor, ch),
                endpoint, ch.cid());
        return access;
    }

    /** Whether {@link #requireRead} lets {@code actor} read {@code ch}; for lists, which leave such channels out. */
    public boolean mayRead(Actor actor, ChannelRow ch) {
        ReadAccess access = access(actor, ch);
        return Permissions.allowed(actor, access.type(), access.member(), "read-channel", Permissions.ownsChannel(actor, ch));
    }

    private ReadAccess access(Actor actor, ChannelRow ch) {
        MemberRow member = actor.hasUser() ? store.member(ch.cid(), actor.userId()).orElse(null) : null;
        return new ReadAccess(ch, typeOf(ch), member);
    }

    public ChannelTypes types() {
        return types;
    }

    public ChannelHub hub() {
        return hub;
    }

    public UserService users() {
        return users;
    }

    public PresenceHub presence() {
        return presence;
    }

    public Clock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    /** Runs {@code work} holding the lock of channel {@code cid}. */
    public <T> T underLock(String cid, Supplier<T> work) {
        ReentrantLock lock = locks[(cid.hashCode() & 0x7fffffff) % STRIPES];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** The open connections of a user on this node. */
    public List<Session> sessionsOf(String userId) {
        return registry.sessionsOf(userId);
    }

    /** Sends one event to every connection of a user, encoded once. */
    public void sendToUser(String userId, com.fasterxml.jackson.databind.node.ObjectNode event) {
        ChannelHub.sendAll(registry.sessionsOf(userId), event);
    }

    /**
     * Persists a channel event for {@code POST /sync} and sends it to the channel's watchers. The
     * event's {@code created_at} is the time of the change, as replay needs.
     */
    public void publishDurable(String cid, com.fasterxml.jackson.databind.node.ObjectNode event) {
        store.appendEvent(cid, dev.parley.protocol.Timestamps.parse(event.get("created_at").asText(), "created_at"), event);
        hub.publish(cid, event);
    }

    /** Users by id; ids without a user are left out. */
    public Map<String, User> usersById(Collection<String> ids) {
        return users.findAll(ids);
    }
}
