package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.ChannelWatching;
import dev.parley.server.chat.Permissions;
import dev.parley.server.drafts.Drafts;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.session.Session;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ThreadParticipant;
import dev.parley.server.store.ChatRows.ThreadRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Threads (PROTOCOL.md §7.18): the threads a user takes part in and one thread, each with its parent, channel,
 * participants with their read state, title, custom fields and latest replies; partial updates of the title and
 * custom fields. Thread-safe; blocking.
 */
public final class ThreadService {
    static final int MAX_LIMIT = 25;
    static final int MAX_REPLIES = 10;

    private final ChatStore store;
    private final ChannelAccess access;
    private final MessageViews views;
    private final ChannelWatching watching;
    private final MessageService messages;
    private final UserService users;
    private final EventPublisher events;
    private final Drafts drafts;
    private final Clock clock;

    public ThreadService(
            ChatStore store,
            ChannelAccess access,
            MessageViews views,
            ChannelWatching watching,
            MessageService messages,
            UserService users,
            EventPublisher events,
            Drafts drafts,
            Clock clock) {
        this.drafts = requireNonNull(drafts, "drafts");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.views = requireNonNull(views, "views");
        this.watching = requireNonNull(watching, "watching");
        this.messages = requireNonNull(messages, "messages");
    }

    /** {@code POST /threads}: {@code next} is an opaque offset. */
    public ObjectNode query(Actor actor, ObjectNode body, Optional<Session> conn) {
        String me = actor.userId();
        if (me == null) {
            throw ChatException.input("QueryThreads failed with error: \"user_id is required with a server token\"");
        }
        int limit = clamp(body.get("limit"), 10, MAX_LIMIT);
        int replies = clamp(body.get("reply_limit"), 3, MAX_REPLIES);
        int participants = clamp(body.get("participant_limit"), 10, MAX_PARTICIPANTS);
        int offset = 0;
        if (body.path("next").isTextual()) {
            try {
                offset = Integer.parseInt(body.get("next").asText());
            } catch (NumberFormatException e) {
                throw ChatException.input("next: '" + body.get("next").asText() + "' is not a cursor of this server");
            }
        }
        List<MessageRow> parents = store.threadsOf(me, limit + 1, Math.max(0, offset));
        ObjectNode out = Json.object();
        ArrayNode threads = out.putArray("threads");
        for (MessageRow p : parents.subList(0, Math.min(limit, parents.size()))) {
            ChannelRow ch = store.findChannel(p.cid()).orElse(null); // null: the channel was deleted
            if (ch != null && access.mayRead(actor, ch)) {
                threads.add(thread(
                        actor,
                        p,
                        replies,
                        participants,
                        body.path("watch").asBoolean(false) ? conn : Optional.empty()));
            }
        }
        if (parents.size() > limit) {
            out.put("next", String.valueOf(offset + limit));
        }
        return out;
    }

    /** {@code GET /threads/{message_id}}. */
    public ObjectNode get(Actor actor, String parentId, int replyLimit, boolean watch, Optional<Session> conn) {
        MessageService.Context c = messages.context(actor, parentId, "GetThread");
        if (c.message().parentId() != null) {
            throw ChatException.input("message '" + parentId + "' is a reply, not a thread parent");
        }
        ObjectNode out = Json.object();
        out.set(
                "thread",
                thread(
                        actor,
                        c.message(),
                        Math.min(Math.max(replyLimit, 0), MAX_REPLIES),
                        watch ? conn : Optional.empty()));
        return out;
    }

    /** Fields of a thread that a partial update cannot set: the server keeps them. */
    static final Set<String> RESERVED = Set.of(
            "id",
            "type",
            "user",
            "participants",
            "channel_cid",
            "channel",
            "parent_message_id",
            "parent_message",
            "created_by_user_id",
            "created_by",
            "reply_count",
            "participant_count",
            "active_participant_count",
            "thread_participants",
            "latest_replies",
            "read",
            "created_at",
            "updated_at",
            "deleted_at",
            "last_message_at",
            "custom");

    /** Most participants a thread object lists, with their read state. */
    static final int MAX_PARTICIPANTS = 100;

    /**
     * {@code PATCH /threads/{message_id}} (PROTOCOL.md §7.18 T3): sets and unsets the title and custom fields, then
     * sends {@code thread.updated} to the channel's watchers. Needs the {@code update-channel} grant, as the
     * {@code update-thread} capability says.
     */
    public ObjectNode partialUpdate(Actor actor, String parentId, ObjectNode body) {
        JsonNode set = body.path("set");
        JsonNode unset = body.path("unset");
        if ((!set.isMissingNode() && !set.isObject()) || (!unset.isMissingNode() && !unset.isArray())) {
            throw ChatException.input("set must be an object and unset an array of field names");
        }
        List<String> unsetNames = new java.util.ArrayList<>();
        for (JsonNode n : unset) {
            if (!n.isTextual()) {
                throw ChatException.input("unset must list field names, not " + n);
            }
            unsetNames.add(n.asText());
        }
        List<String> named = new java.util.ArrayList<>(unsetNames);
        set.properties().forEach(e -> named.add(e.getKey())); // a missing node has no properties
        for (String name : named) {
            if (RESERVED.contains(name)) {
                throw ChatException.input("thread field '" + name + "' is set by the server");
            }
        }
        if (set.has("title")
                && !set.get("title").isTextual()
                && !set.get("title").isNull()) {
            throw ChatException.input("title must be a string");
        }
        MessageService.Context c = messages.context(actor, parentId, "UpdateThread");
        MessageRow parent = c.message();
        if (parent.parentId() != null) {
            throw ChatException.input("message '" + parentId + "' is a reply, not a thread parent");
        }
        ChannelRow ch = access.requireChannel(parent.cid());
        ChannelType type = access.typeOf(ch);
        String me = actor.userId();
        Permissions.require(
                actor,
                type,
                me == null ? null : store.member(ch.cid(), me).orElse(null),
                "update-channel",
                Permissions.ownsChannel(actor, ch),
                "UpdateThread",
                ch.cid());
        ThreadRow row = store.thread(parent.id())
                .orElseThrow(() -> ChatException.notFound("thread '" + parentId + "' has no replies yet"));
        String title = row.title();
        ObjectNode custom = Json.parseObject(row.customJson(), "thread custom data");
        if (set.has("title")) {
            title = set.get("title").isNull() ? null : set.get("title").asText();
        }
        if (set.isObject()) {
            ((ObjectNode) set).properties().forEach(e -> {
                if (!e.getKey().equals("title")) {
                    custom.set(e.getKey(), e.getValue());
                }
            });
        }
        for (String name : unsetNames) {
            if (name.equals("title")) {
                title = null;
            } else {
                custom.remove(name);
            }
        }
        String customJson = Json.write(custom);
        if (customJson.length() > UserRules.MAX_CUSTOM_BYTES) {
            throw ChatException.input("thread custom data is " + customJson.length() + " bytes (expected: at most "
                    + UserRules.MAX_CUSTOM_BYTES + ")");
        }
        Instant now = clock.instant();
        store.updateThread(parent.id(), title, customJson, now);
        ObjectNode view = thread(actor, parent, 0, Optional.empty());
        ObjectNode e = ChannelViews.event(EventType.THREAD_UPDATED.wireName(), ch, now);
        e.set("thread", view.deepCopy());
        if (actor.user() != null) {
            e.set("user", actor.user().toJson());
        }
        events.publish(e, Audience.watchers(ch.cid()));
        ObjectNode out = Json.object();
        out.set("thread", view);
        return out;
    }

    private ObjectNode thread(Actor actor, MessageRow parent, int replyLimit, Optional<Session> conn) {
        return thread(actor, parent, replyLimit, MAX_PARTICIPANTS, conn);
    }

    private ObjectNode thread(
            Actor actor, MessageRow parent, int replyLimit, int participantLimit, Optional<Session> conn) {
        ChannelRow ch = access.requireChannel(parent.cid());
        var type = access.typeOf(ch);
        conn.ifPresent(s -> watching.watch(s, ch, type));
        ObjectNode parentView = views.forViewer(parent, actor.userId());
        List<MessageRow> latest =
                replyLimit > 0 ? store.replies(parent.id(), MessageRange.latest(replyLimit)) : List.of();
        ThreadRow row = store.thread(parent.id()).orElse(null);
        List<ThreadParticipant> participants = store.threadParticipants(parent.id(), participantLimit);
        Map<String, User> people = users.findAll(
                participants.stream().map(ThreadParticipant::userId).toList());
        ObjectNode t = Json.object();
        t.put("channel_cid", ch.cid());
        t.set("channel", ChannelViews.channel(ch, type, null));
        t.put("parent_message_id", parent.id());
        t.set("parent_message", parentView);
        t.put("created_by_user_id", parent.userId());
        t.set("created_by", parentView.get("user"));
        t.put("reply_count", parentView.path("reply_count").asInt(0));
        ObjectNode draft = drafts.ofThread(actor.userId(), ch.cid(), parent.id());
        if (draft != null) {
            t.set("draft", draft); // the JS Thread's composer starts from it (PROTOCOL.md §7.22)
        }
        ArrayNode list = t.putArray("thread_participants");
        ArrayNode read = t.putArray("read");
        for (ThreadParticipant p : participants) {
            ObjectNode user = userJson(people, p.userId());
            ObjectNode o = list.addObject();
            o.put("channel_cid", ch.cid());
            o.put("thread_id", parent.id());
            o.put("user_id", p.userId());
            o.set("user", user);
            o.put("created_at", Timestamps.format(p.createdAt()));
            o.put("last_thread_message_at", Timestamps.format(p.lastThreadMessageAt()));
            if (p.lastRead() != null) {
                o.put("last_read_at", Timestamps.format(p.lastRead()));
            }
            ObjectNode r = read.addObject();
            r.set("user", user.deepCopy());
            r.put("last_read", Timestamps.format(p.lastRead() != null ? p.lastRead() : p.createdAt()));
            if (p.lastReadMessageId() != null) {
                r.put("last_read_message_id", p.lastReadMessageId());
            }
            r.put("unread_messages", p.unread());
        }
        t.put("participant_count", participants.size());
        t.put("active_participant_count", participants.size());
        ArrayNode replies = t.putArray("latest_replies");
        views.forViewer(latest, actor.userId()).forEach(replies::add);
        String title = row != null && row.title() != null
                ? row.title()
                : parentView.path("text").asText("");
        t.put("title", title);
        t.put("created_at", Timestamps.format(parent.createdAt()));
        t.put("updated_at", Timestamps.format(row != null ? row.updatedAt() : parent.updatedAt()));
        if (row != null) {
            t.put("last_message_at", Timestamps.format(row.lastMessageAt()));
            // Custom fields sit beside the thread's own, as Stream's clients read them.
            Json.parseObject(row.customJson(), "thread custom data")
                    .properties()
                    .forEach(e -> {
                        if (!t.has(e.getKey())) {
                            t.set(e.getKey(), e.getValue());
                        }
                    });
        } else if (!latest.isEmpty()) {
            t.put("last_message_at", Timestamps.format(latest.getLast().createdAt()));
        }
        return t;
    }

    private static ObjectNode userJson(Map<String, User> people, String id) {
        User u = people.get(id);
        return u != null ? u.toJson() : User.builder(id).build().toJson();
    }

    private static int clamp(JsonNode n, int defaultValue, int max) {
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.canConvertToInt() || n.asInt() < 0) {
            throw ChatException.input("'" + n + "' is not a valid count (expected: 0 to " + max + ")");
        }
        return n.asInt() == 0 ? defaultValue : Math.min(n.asInt(), max);
    }
}
