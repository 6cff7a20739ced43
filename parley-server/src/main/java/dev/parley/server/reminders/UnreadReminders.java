package dev.parley.server.reminders;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.config.AppSettings;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ReminderStore;
import dev.parley.server.store.ReminderStore.UnreadDue;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Unread reminders (PROTOCOL.md §7.30): when a member of a channel of at most {@value #MAX_MEMBERS} members, in a
 * type with {@code reminders} and {@code read_events} on, leaves a message unread for the app's
 * {@code reminders_interval}, the webhooks get {@code user.unread_message_reminder} with the user's channels that
 * came due in the same pass. Each (member, channel) is claimed in the store before it is told, up to the
 * channel's last message, so that a reminder goes out at most once whichever node of a cluster finds it, and
 * the member is reminded again only of messages sent after it. Nothing is read while no webhook takes the event.
 * One daemon thread; the store's work runs on it.
 */
public final class UnreadReminders implements AutoCloseable {
    /** Largest channel whose members are reminded. */
    static final int MAX_MEMBERS = 10;

    /** Members read from the store at once. */
    static final int BATCH = 200;

    /** Batches handled in one pass at most; the rest wait for the next. */
    static final int BATCHES_PER_PASS = 5;

    /** Most channels in one event, and most messages of each. */
    static final int MAX_CHANNELS = 10;

    static final int MAX_MESSAGES = 5;

    /** How often the store is asked by default. */
    public static final Duration PERIOD = Duration.ofSeconds(2);

    private static final String TYPE = EventType.USER_UNREAD_MESSAGE_REMINDER.wireName();

    private final ReminderStore store;
    private final ChatStore chat;
    private final ChannelTypes types;
    private final MessageViews views;
    private final UserService users;
    private final EventPublisher events;
    private final Supplier<AppSettings> settings;
    private final Clock clock;
    private final Periodic thread = new Periodic("parley-unread-reminders", "unread reminders");

    public UnreadReminders(
            ReminderStore store,
            ChatStore chat,
            ChannelTypes types,
            MessageViews views,
            UserService users,
            EventPublisher events,
            Supplier<AppSettings> settings,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.types = requireNonNull(types, "types");
        this.views = requireNonNull(views, "views");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Starts a pass every {@code period}. */
    public void start(Duration period) {
        thread.start(this::pass, period, period);
    }

    /** The channel types whose members are reminded: {@code reminders} and {@code read_events} on. */
    Set<String> remindingTypes() {
        Set<String> out = new TreeSet<>();
        types.all().forEach((name, type) -> {
            if (type.flag("reminders") && type.flag("read_events")) {
                out.add(name);
            }
        });
        return out;
    }

    /** One pass: claims what came due and tells the webhooks; answers how many users were reminded. */
    int pass() {
        if (!events.hooksWant(TYPE)) {
            return 0;
        }
        Set<String> reminding = remindingTypes();
        if (reminding.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        Instant sentBefore = now.minus(settings.get().remindersInterval());
        Map<String, List<ObjectNode>> byUser = new LinkedHashMap<>();
        for (int batch = 0; batch < BATCHES_PER_PASS; batch++) {
            List<UnreadDue> due = store.unreadDue(reminding, MAX_MEMBERS, sentBefore, BATCH);
            for (UnreadDue d : due) {
                List<ObjectNode> channels = byUser.computeIfAbsent(d.userId(), u -> new ArrayList<>());
                if (channels.size() >= MAX_CHANNELS) {
                    continue; // the next pass finds it again
                }
                if (store.claimUnread(d, d.lastMessageAt())) {
                    ObjectNode entry = entry(d);
                    if (entry != null) {
                        channels.add(entry);
                    }
                }
            }
            if (due.size() < BATCH) {
                break;
            }
        }
        int reminded = 0;
        for (Map.Entry<String, List<ObjectNode>> e : byUser.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            User user = users.find(e.getKey()).orElse(null);
            if (user == null) {
                continue;
            }
            ObjectNode event = Json.object();
            event.put("type", TYPE);
            event.set("user", user.toJson());
            ObjectNode channels = event.putObject("channels");
            for (ObjectNode c : e.getValue()) {
                channels.set(c.path("channel").path("cid").asText(), c);
            }
            event.put("created_at", Timestamps.format(now));
            events.publishToHooks(TYPE, () -> event);
            reminded++;
        }
        return reminded;
    }

    /**
     * The channel of a claimed reminder as the event carries it: the channel with its members and their read
     * state, and its last messages, newest first, as the member sees them. Null when the channel is gone, its own
     * overrides leave it out, or none of its unread messages is a regular or system message.
     */
    private @Nullable ObjectNode entry(UnreadDue d) {
        ChannelRow ch = chat.findChannel(d.cid()).orElse(null);
        if (ch == null) {
            return null;
        }
        List<MessageRow> last = chat.channelMessages(d.cid(), MessageRange.latest(MAX_MESSAGES));
        Instant after = later(d.lastRead(), d.remindedThrough());
        boolean remindable = last.stream()
                .anyMatch(m -> !m.userId().equals(d.userId())
                        && m.deletedAt() == null
                        && (after == null || m.createdAt().isAfter(after))
                        && Set.of("regular", "system")
                                .contains(m.doc().path("type").asText("regular")));
        if (!remindable) {
            return null;
        }
        ObjectNode out = Json.object();
        ObjectNode channel = ChannelViews.channel(ch, types.require(ch.type()), null);
        List<MemberRow> members = chat.members(d.cid(), MAX_MEMBERS, 0);
        Map<String, User> found =
                users.findAll(members.stream().map(MemberRow::userId).toList());
        ArrayNode list = channel.putArray("members");
        ArrayNode reads = channel.putArray("read");
        for (MemberRow m : members) {
            User u = found.get(m.userId());
            list.add(ChannelViews.member(m, u, ch));
            reads.add(ChannelViews.read(m, u));
        }
        out.set("channel", channel);
        ArrayNode messages = out.putArray("messages");
        // channelMessages answers the latest page oldest first; the event lists it newest first
        for (int i = last.size() - 1; i >= 0; i--) {
            messages.add(views.forViewer(last.get(i), d.userId()));
        }
        return out;
    }

    private static @Nullable Instant later(@Nullable Instant a, @Nullable Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    /** Stops the thread, waiting briefly for a pass under way. */
    @Override
    public void close() {
        thread.close();
    }
}
