package dev.parley.server.reminders;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.filter.Cursor;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.PersonalQuery;
import dev.parley.server.store.ReminderStore;
import dev.parley.server.store.ReminderStore.Reminder;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Message reminders and saved-for-later messages (PROTOCOL.md §7.23): one per user and message, with a time
 * ({@code remind_at}) or without (saved for later); created, changed, deleted and listed by their user, each change
 * told to the user's own connections ({@code reminder.created}, {@code reminder.updated}, {@code reminder.deleted}).
 * Gated by the channel type's {@code user_message_reminders}. {@link ReminderScheduler} sends
 * {@code notification.reminder_due}. Thread-safe; blocking.
 */
public final class Reminders {
    /** Most reminders in one page of {@code POST /reminders/query}. */
    public static final int MAX_LIMIT = 100;

    static final int DEFAULT_LIMIT = 25;

    private final ReminderStore store;
    private final ChatStore chat;
    private final ChannelAccess access;
    private final MessageViews views;
    private final UserService users;
    private final EventPublisher events;
    private final Clock clock;

    public Reminders(
            ReminderStore store,
            ChatStore chat,
            ChannelAccess access,
            MessageViews views,
            UserService users,
            EventPublisher events,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.access = requireNonNull(access, "access");
        this.views = requireNonNull(views, "views");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /** {@code POST /messages/{id}/reminders}: code 4 when the user has one for the message already. */
    public ObjectNode create(Actor actor, String messageId, ObjectNode body) {
        User user = user(actor, "CreateReminder");
        Target t = target(actor, messageId, "CreateReminder");
        Instant now = now();
        Reminder r = new Reminder(user.id(), messageId, t.channel().cid(), remindAt(body, "CreateReminder"), now, now);
        if (!store.insert(r)) {
            throw ChatException.input("CreateReminder failed with error: \"user '" + user.id()
                    + "' already has reminder created for this message_id\"");
        }
        return announced(EventType.REMINDER_CREATED, r, user, t);
    }

    /** {@code PATCH /messages/{id}/reminders}: a new time, or none ({@code remind_at} null: saved for later). */
    public ObjectNode update(Actor actor, String messageId, ObjectNode body) {
        User user = user(actor, "UpdateReminder");
        Target t = target(actor, messageId, "UpdateReminder");
        Reminder before = store.find(user.id(), messageId).orElseThrow(() -> missing("UpdateReminder"));
        Reminder r = new Reminder(
                user.id(), messageId, before.cid(), remindAt(body, "UpdateReminder"), before.createdAt(), now());
        if (!store.update(r)) {
            throw missing("UpdateReminder");
        }
        return announced(EventType.REMINDER_UPDATED, r, user, t);
    }

    /** {@code DELETE /messages/{id}/reminders}: code 16 when there is none. */
    public ObjectNode delete(Actor actor, String messageId) {
        User user = user(actor, "DeleteReminder");
        Reminder r = store.find(user.id(), messageId).orElseThrow(() -> missing("DeleteReminder"));
        Target t = target(actor, messageId, "DeleteReminder");
        if (!store.delete(user.id(), messageId)) {
            throw missing("DeleteReminder");
        }
        announced(EventType.REMINDER_DELETED, r, user, t);
        return Json.object();
    }

    /**
     * {@code POST /reminders/query}: the user's reminders of messages it may still read; {@code next} and
     * {@code prev} are opaque offsets.
     */
    public ObjectNode query(Actor actor, ObjectNode body) {
        User user = user(actor, "QueryReminders");
        int limit = limit(body.get("limit"));
        int offset =
                Math.max(Cursor.offset(body, "next", "QueryReminders"), Cursor.offset(body, "prev", "QueryReminders"));
        Filter filter = Filter.parse(body.get("filter"));
        List<SortField> sort = SortField.parse(body.get("sort"));
        List<Reminder> page = store.query(new PersonalQuery(user.id(), filter, sort, limit + 1, offset));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("reminders");
        for (Reminder r : page.subList(0, Math.min(limit, page.size()))) {
            MessageRow m = chat.findMessage(r.messageId()).orElse(null);
            ChannelRow ch = m == null ? null : chat.findChannel(m.cid()).orElse(null);
            if (m != null && ch != null && access.mayRead(actor, ch)) {
                list.add(json(r, user, new Target(m, ch)));
            }
        }
        if (page.size() > limit) {
            out.put("next", String.valueOf(offset + limit));
        }
        if (offset > 0) {
            out.put("prev", String.valueOf(Math.max(0, offset - limit)));
        }
        return out;
    }

    /**
     * Sends {@code notification.reminder_due} for a reminder its scheduler claimed; nothing when its message or
     * user is gone.
     */
    void due(Reminder r) {
        User user = users.find(r.userId()).orElse(null);
        MessageRow m = chat.findMessage(r.messageId()).orElse(null);
        ChannelRow ch = m == null ? null : chat.findChannel(m.cid()).orElse(null);
        if (user == null || m == null || ch == null) {
            return;
        }
        events.publish(
                event(EventType.NOTIFICATION_REMINDER_DUE, json(r, user, new Target(m, ch)), ch),
                Audience.user(user.id()));
    }

    private record Target(MessageRow message, ChannelRow channel) {}

    /** The message and its channel, after the read check and the type's switch. */
    private Target target(Actor actor, String messageId, String endpoint) {
        MessageRow m = chat.findMessage(messageId)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"message '" + messageId + "' does not exist\""));
        ChannelAccess.ReadAccess read = access.requireRead(actor, access.requireChannel(m.cid()), endpoint);
        if (!read.type().flag("user_message_reminders")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    endpoint + " failed with error: \"reminders are disabled for channel type '"
                            + read.type().name() + "'\"");
        }
        return new Target(m, read.channel());
    }

    private ObjectNode announced(EventType type, Reminder r, User user, Target t) {
        ObjectNode reminder = json(r, user, t);
        events.publish(event(type, reminder.deepCopy(), t.channel()), Audience.user(user.id()));
        return Json.object().set("reminder", reminder);
    }

    private ObjectNode event(EventType type, ObjectNode reminder, ChannelRow ch) {
        ObjectNode e = ChannelViews.event(type.wireName(), ch, clock.instant());
        e.put("message_id", reminder.path("message_id").asText());
        e.put("user_id", reminder.path("user_id").asText());
        e.set("reminder", reminder);
        return e;
    }

    /** A reminder as answered: its fields, its user, its message (as the user sees it) and its channel. */
    private ObjectNode json(Reminder r, User user, Target t) {
        ObjectNode o = Json.object();
        o.put("channel_cid", r.cid());
        o.put("message_id", r.messageId());
        o.put("user_id", r.userId());
        if (r.remindAt() != null) {
            o.put("remind_at", Timestamps.format(r.remindAt()));
        } else {
            o.putNull("remind_at");
        }
        o.put("created_at", Timestamps.format(r.createdAt()));
        o.put("updated_at", Timestamps.format(r.updatedAt()));
        o.set("user", user.toJson());
        o.set("message", views.forViewer(t.message(), user.id()));
        o.set("channel", ChannelViews.channel(t.channel(), access.typeOf(t.channel()), null));
        return o;
    }

    private static @Nullable Instant remindAt(ObjectNode body, String endpoint) {
        JsonNode v = body.get("remind_at");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ChatException.input(endpoint + " failed with error: \"remind_at must be a timestamp or null\"");
        }
        return Timestamps.parse(v.asText(), "remind_at").truncatedTo(ChronoUnit.MICROS);
    }

    private static User user(Actor actor, String endpoint) {
        User u = actor.user();
        if (u == null) {
            throw ChatException.input(endpoint + " failed with error: \"user_id is required with a server token\"");
        }
        return u;
    }

    private static ChatException missing(String endpoint) {
        return ChatException.notFound(endpoint + " failed with error: \"reminder does not exist\"");
    }

    private static int limit(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return DEFAULT_LIMIT;
        }
        if (!n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_LIMIT) {
            throw ChatException.input("QueryReminders failed with error: \"limit must be 1 to " + MAX_LIMIT + "\"");
        }
        return n.asInt();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
