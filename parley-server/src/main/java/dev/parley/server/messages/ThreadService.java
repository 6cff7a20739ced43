package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.ChannelWatching;
import dev.parley.server.session.Session;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import java.util.List;
import java.util.Optional;

/**
 * Threads (PROTOCOL.md §7.18 T1, T2): the threads a user takes part in and one thread, each with its
 * parent, channel, participants and latest replies. Per-thread read state is not kept yet: {@code read} is
 * empty, which the JS client fills with a placeholder. Thread-safe; blocking.
 */
public final class ThreadService {
    static final int MAX_LIMIT = 25;
    static final int MAX_REPLIES = 10;

    private final ChatStore store;
    private final ChannelAccess access;
    private final MessageViews views;
    private final ChannelWatching watching;
    private final MessageService messages;

    public ThreadService(
            ChatStore store,
            ChannelAccess access,
            MessageViews views,
            ChannelWatching watching,
            MessageService messages) {
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
            ChannelRow ch = access.requireChannel(p.cid());
            if (access.mayRead(actor, ch)) {
                threads.add(thread(actor, p, replies, body.path("watch").asBoolean(false) ? conn : Optional.empty()));
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

    private ObjectNode thread(Actor actor, MessageRow parent, int replyLimit, Optional<Session> conn) {
        ChannelRow ch = access.requireChannel(parent.cid());
        var type = access.typeOf(ch);
        conn.ifPresent(s -> watching.watch(s, ch, type));
        ObjectNode parentView = views.forViewer(parent, actor.userId());
        List<MessageRow> latest = store.replies(parent.id(), MessageRange.latest(replyLimit));
        ObjectNode t = Json.object();
        t.put("channel_cid", ch.cid());
        t.set("channel", ChannelViews.channel(ch, type, null));
        t.put("parent_message_id", parent.id());
        t.set("parent_message", parentView);
        t.put("created_by_user_id", parent.userId());
        t.set("created_by", parentView.get("user"));
        t.put("reply_count", parentView.path("reply_count").asInt(0));
        ArrayNode participants = t.putArray("thread_participants");
        JsonNode users = parentView.path("thread_participants");
        for (JsonNode u : users) {
            ObjectNode p = participants.addObject();
            p.put("channel_cid", ch.cid());
            p.put("thread_id", parent.id());
            p.put("user_id", u.path("id").asText());
            p.set("user", u);
            p.put("created_at", Timestamps.format(parent.createdAt()));
        }
        t.put("participant_count", participants.size());
        ArrayNode replies = t.putArray("latest_replies");
        views.forViewer(latest, actor.userId()).forEach(replies::add);
        t.putArray("read");
        t.put("title", parentView.path("text").asText(""));
        t.put("created_at", Timestamps.format(parent.createdAt()));
        t.put("updated_at", Timestamps.format(parent.updatedAt()));
        if (!latest.isEmpty()) {
            t.put("last_message_at", Timestamps.format(latest.getLast().createdAt()));
        }
        return t;
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
