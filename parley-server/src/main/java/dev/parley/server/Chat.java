package dev.parley.server;

import static java.util.Objects.requireNonNull;

import dev.parley.server.channels.ChannelAdmin;
import dev.parley.server.channels.ChannelService;
import dev.parley.server.channels.ChannelStates;
import dev.parley.server.channels.MemberQuery;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.devices.DeviceService;
import dev.parley.server.drafts.Drafts;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.hooks.BeforeSendHook;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.messages.MessageService;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.messages.MessageWriter;
import dev.parley.server.messages.ReactionService;
import dev.parley.server.messages.SharedLocations;
import dev.parley.server.messages.ThreadService;
import dev.parley.server.moderation.Bans;
import dev.parley.server.moderation.Blocklists;
import dev.parley.server.polls.PollService;
import dev.parley.server.reads.ReadService;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.DraftStore;
import dev.parley.server.store.LocationStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.PollStore;
import dev.parley.server.store.ReminderStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;

/**
 * The chat services of one node (channels, members, messages, reactions, threads, reads, devices), built once
 * here, each with the collaborators it uses and nothing else. Every service is thread-safe and blocking (call
 * from virtual threads).
 */
public final class Chat {
    /** When the built-in channel types were created, as their {@code created_at} says. */
    private static final Instant TYPES_CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private final ChannelTypes types;
    private final ChannelAccess access;
    private final MessageViews views;
    private final ChannelService channels;
    private final ChannelAdmin admin;
    private final MessageService messages;
    private final MessageEdits edits;
    private final ReactionService reactions;
    private final ReadService reads;
    private final MemberQuery members;
    private final ThreadService threads;
    private final DeviceService devices;
    private final PollService polls;
    private final Drafts drafts;
    private final SharedLocations locations;

    private final MessageWriter writer;

    /**
     * @param store channels, members, messages, reactions and read state
     * @param pollStore polls, their options and votes
     * @param moderation mutes, bans, flags and blocks
     * @param users users, their memory and their writes
     * @param presence who follows whose presence
     * @param hub who watches which channel on this node (read-only here: events leave through {@code events})
     * @param locks the per-channel locks that serialise every change of one channel
     * @param events the one way events leave the node
     * @param push where new messages go for their push notifications (it only queues)
     * @param links where sent messages with a link go for their preview (it only queues)
     * @param draftRows users' drafts, which a send deletes (PROTOCOL.md §7.22)
     * @param reminderRows users' reminders, which a channel's state shows on its messages (§7.23)
     * @param locationRows the locations shared in messages (§7.24)
     * @param blocklists the words a channel type's blocklist refuses or flags (PROTOCOL.md §7.27)
     * @param clock the time
     */
    public Chat(
            ChatStore store,
            PollStore pollStore,
            ModerationStore moderation,
            UserService users,
            PresenceHub presence,
            ChannelHub hub,
            ChannelLocks locks,
            EventPublisher events,
            BeforeSendHook beforeSend,
            dev.parley.server.push.PushIntake push,
            dev.parley.server.links.LinkIntake links,
            DraftStore draftRows,
            ReminderStore reminderRows,
            LocationStore locationRows,
            Blocklists blocklists,
            Clock clock) {
        requireNonNull(store, "store");
        requireNonNull(moderation, "moderation");
        requireNonNull(users, "users");
        requireNonNull(presence, "presence");
        requireNonNull(hub, "hub");
        requireNonNull(locks, "locks");
        requireNonNull(events, "events");
        requireNonNull(clock, "clock");
        this.types = new ChannelTypes(TYPES_CREATED);
        this.access = new ChannelAccess(store, types);
        this.polls = new PollService(pollStore, store, access, users, events, clock);
        this.views = new MessageViews(users, store, polls);
        this.writer = new MessageWriter(store);
        this.drafts = new Drafts(draftRows, store, access, views::forViewer, events, clock);
        this.locations = new SharedLocations(locationRows, store, access, locks, clock);
        this.channels = new ChannelService(
                store,
                access,
                users,
                hub,
                presence,
                events,
                locks,
                clock,
                new ChannelStates(store, moderation, users, hub, clock, views::forViewer),
                drafts,
                reminderRows);
        this.admin = new ChannelAdmin(store, access, users, hub, events, locks, clock, channels);
        this.messages = new MessageService(
                store,
                access,
                users,
                locks,
                hub,
                events,
                clock,
                writer,
                views,
                (author, cid, mayHaveChannelBan) ->
                        Bans.checkMayPost(moderation, clock.instant(), author, cid, mayHaveChannelBan),
                beforeSend,
                push,
                polls,
                links,
                drafts,
                locations,
                blocklists);
        locations.announceThrough(messages);
        this.edits = new MessageEdits(store, access, users, locks, events, clock, views, messages);
        this.reactions = new ReactionService(store, users, locks, hub, events, clock, views, messages);
        this.reads = new ReadService(store, access, locks, events, clock);
        this.members = new MemberQuery(store, moderation, access, users, clock, channels);
        this.threads = new ThreadService(store, access, views, channels::watch, messages, users, events, drafts, clock);
        this.devices = new DeviceService(store, clock);
    }

    /** The channel types (built-in and configured). */
    public ChannelTypes types() {
        return types;
    }

    /** Finding channels and the read check, for the services built outside the chat core. */
    public ChannelAccess access() {
        return access;
    }

    /** Messages as one viewer sees them, for the services built outside the chat core. */
    public MessageViews views() {
        return views;
    }

    public ChannelService channels() {
        return channels;
    }

    public ChannelAdmin admin() {
        return admin;
    }

    public MessageService messages() {
        return messages;
    }

    public MessageEdits edits() {
        return edits;
    }

    public ReactionService reactions() {
        return reactions;
    }

    public ThreadService threads() {
        return threads;
    }

    public PollService polls() {
        return polls;
    }

    public DeviceService devices() {
        return devices;
    }

    public Drafts drafts() {
        return drafts;
    }

    public SharedLocations locations() {
        return locations;
    }

    public MemberQuery members() {
        return members;
    }

    public ReadService reads() {
        return reads;
    }

    /** Commits pending message sends; call before closing the store. */
    public void close() {
        writer.close();
    }
}
