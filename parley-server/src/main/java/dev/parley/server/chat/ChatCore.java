package dev.parley.server.chat;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.User;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.usage.ConnectionRegistry;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the chat services share: the store, the channel types, who watches what, users, connections and
 * presence, the event publisher (the one way events leave, {@link #events()}), the clock, and the
 * per-channel locks that serialise every change of one channel (so that message order, reply counts and
 * reaction totals are never lost) while channels proceed in parallel.
 *
 * <p>Thread-safe. Blocking methods run on virtual threads, never on an event loop.
 */
public final class ChatCore {
    private final ChatStore store;
    private final ChannelTypes types;
    private final ChannelHub hub;
    private final EventPublisher events;
    private final ChannelLocks locks;
    private final UserService users;
    private final ConnectionRegistry registry;
    private final PresenceHub presence;
    private final Clock clock;
    private final ModerationStore moderation;
    private final ChannelAccess access;

    public ChatCore(
            ChatStore store,
            ModerationStore moderation,
            UserService users,
            ConnectionRegistry registry,
            PresenceHub presence,
            ChannelHub hub,
            ChannelLocks locks,
            EventPublisher events,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.users = requireNonNull(users, "users");
        this.registry = requireNonNull(registry, "registry");
        this.presence = requireNonNull(presence, "presence");
        this.clock = requireNonNull(clock, "clock");
        this.hub = requireNonNull(hub, "hub");
        this.locks = requireNonNull(locks, "locks");
        this.events = requireNonNull(events, "events");
        this.types = new ChannelTypes(Instant.parse("2026-01-01T00:00:00Z"));
        this.access = new ChannelAccess(store, types);
    }

    public ChatStore store() {
        return store;
    }

    /** Mutes, bans, flags and blocks (the moderation tables of the same database). */
    public ModerationStore moderation() {
        return moderation;
    }

    /** The channel {@code cid}; code 16 when it does not exist. */
    public ChannelRow requireChannel(String cid) {
        return access.requireChannel(cid);
    }

    /** See {@link ChannelAccess#typeOf}. */
    public ChannelType typeOf(ChannelRow ch) {
        return access.typeOf(ch);
    }

    /** See {@link ChannelAccess#requireRead}. */
    public ChannelAccess.ReadAccess requireRead(Actor actor, ChannelRow ch, String endpoint) {
        return access.requireRead(actor, ch, endpoint);
    }

    /** See {@link ChannelAccess#mayRead}. */
    public boolean mayRead(Actor actor, ChannelRow ch) {
        return access.mayRead(actor, ch);
    }

    /** Finding channels and the read check. */
    public ChannelAccess access() {
        return access;
    }

    /** The per-channel locks. */
    public ChannelLocks locks() {
        return locks;
    }

    /** Connections by user (read-only use). */
    public ConnectionRegistry registry() {
        return registry;
    }

    public ChannelTypes types() {
        return types;
    }

    /** Who watches which channel on this node (read-only use: sending goes through {@link #events()}). */
    public ChannelHub hub() {
        return hub;
    }

    /** The one way events leave the server. */
    public EventPublisher events() {
        return events;
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
        return locks.underLock(cid, work);
    }

    /** The creation time of a new message of {@code ch}, strictly after the channel's earlier ones; under its lock. */
    public Instant nextMessageTime(ChannelRow ch) {
        return locks.nextMessageTime(ch.cid(), clock.instant(), ch.lastMessageAt());
    }

    /** Users by id; ids without a user are left out. */
    public Map<String, User> usersById(Collection<String> ids) {
        return users.findAll(ids);
    }
}
