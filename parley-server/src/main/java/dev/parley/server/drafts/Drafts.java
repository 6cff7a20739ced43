package dev.parley.server.drafts;

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
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.DraftStore;
import dev.parley.server.store.DraftStore.Draft;
import dev.parley.server.store.PersonalQuery;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Drafts (PROTOCOL.md §7.22): each user's unsent message of a channel and of each thread, created or replaced,
 * read, deleted and listed by that user only; {@code draft.updated} and {@code draft.deleted} go to the user's
 * own connections. Sending a message to the channel or thread deletes the draft there ({@link #sent}).
 * Thread-safe; blocking.
 */
public final class Drafts {
    /** Most drafts in one page of {@code POST /drafts/query}. */
    public static final int MAX_LIMIT = 100;

    static final int DEFAULT_LIMIT = 25;
    static final int MAX_ATTACHMENTS = 30;
    static final int MAX_MENTIONS = 25;

    /** Most bytes (UTF-8 JSON) of a draft message, custom data and attachments included. */
    static final int MAX_BYTES = 40 * 1024;

    /** The fields a draft message keeps; anything else the client sends is left out. */
    private static final Set<String> TEXTS = Set.of("id", "text", "parent_id", "quoted_message_id", "mml", "poll_id");

    private static final Set<String> BOOLEANS =
            Set.of("silent", "show_in_channel", "mentioned_channel", "mentioned_here");
    private static final Set<String> STRING_LISTS = Set.of("mentioned_users", "mentioned_group_ids", "mentioned_roles");

    /** Renders a stored message for a viewer (the quoted and parent messages of a draft). */
    public interface MessageRender {
        ObjectNode render(MessageRow row, @Nullable String viewerId);
    }

    private final DraftStore store;
    private final ChatStore chat;
    private final ChannelAccess access;
    private final MessageRender render;
    private final EventPublisher events;
    private final Clock clock;

    public Drafts(
            DraftStore store,
            ChatStore chat,
            ChannelAccess access,
            MessageRender render,
            EventPublisher events,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.access = requireNonNull(access, "access");
        this.render = requireNonNull(render, "render");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /** {@code POST /channels/{type}/{id}/draft}: creates or replaces the user's draft of the channel or thread. */
    public ObjectNode create(Actor actor, String cid, ObjectNode body) {
        JsonNode in = body.get("message");
        if (!(in instanceof ObjectNode msg)) {
            throw input("CreateDraft", "message is required and must be an object");
        }
        User user = user(actor, "CreateDraft");
        ChannelAccess.ReadAccess read = access.requireRead(actor, access.requireChannel(cid), "CreateDraft");
        ObjectNode m = message(msg, read.type().maxMessageLength());
        String parentId = m.path("parent_id").asText("");
        if (!parentId.isEmpty()) {
            MessageRow parent = inChannel(cid, parentId, "parent_id", "CreateDraft");
            if (parent.parentId() != null) {
                throw new ChatException(
                        ErrorCode.MULTIPLE_NESTING_LEVEL,
                        "CreateDraft failed with error: \"parent message '" + parentId + "' is a reply\"");
            }
        }
        if (m.has("quoted_message_id")) {
            inChannel(cid, m.get("quoted_message_id").asText(), "quoted_message_id", "CreateDraft");
        }
        Draft d = new Draft(user.id(), cid, parentId, now(), m);
        store.upsert(d);
        ObjectNode view = view(d, read.channel(), read, user.id());
        ObjectNode event = ChannelViews.event(EventType.DRAFT_UPDATED.wireName(), read.channel(), d.createdAt());
        event.set("draft", view.deepCopy());
        event.set("user", user.toJson());
        events.publish(event, Audience.user(user.id()));
        return Json.object().set("draft", view);
    }

    /** {@code GET /channels/{type}/{id}/draft}: code 16 when the user has no draft there. */
    public ObjectNode get(Actor actor, String cid, @Nullable String parentId) {
        User user = user(actor, "GetDraft");
        ChannelAccess.ReadAccess read = access.requireRead(actor, access.requireChannel(cid), "GetDraft");
        Draft d = store.find(user.id(), cid, parentId == null ? "" : parentId)
                .orElseThrow(() -> ChatException.notFound("GetDraft failed with error: \"draft does not exist\""));
        return Json.object().set("draft", view(d, read.channel(), read, user.id()));
    }

    /**
     * {@code DELETE /channels/{type}/{id}/draft}: deleting a draft that is not there succeeds and tells no one, as
     * the composer deletes whenever its text becomes empty.
     */
    public ObjectNode delete(Actor actor, String cid, @Nullable String parentId) {
        User user = user(actor, "DeleteDraft");
        ChannelRow ch = access.requireRead(actor, access.requireChannel(cid), "DeleteDraft")
                .channel();
        deleted(user, ch, parentId == null ? "" : parentId, null);
        return Json.object();
    }

    /**
     * After {@code user} sent a message to channel {@code cid} (a thread reply when {@code parentId} is set):
     * deletes the user's draft there that was saved no later than the message. One read of the store when there
     * is no draft, which is the common case.
     */
    public void sent(User user, ChannelRow ch, @Nullable String parentId, Instant sentAt) {
        deleted(user, ch, parentId == null ? "" : parentId, sentAt);
    }

    /** {@code POST /drafts/query}: the user's drafts; {@code next} and {@code prev} are opaque offsets. */
    public ObjectNode query(Actor actor, ObjectNode body) {
        User user = user(actor, "QueryDrafts");
        int limit = limit(body.get("limit"));
        int offset = Math.max(Cursor.offset(body, "next", "QueryDrafts"), Cursor.offset(body, "prev", "QueryDrafts"));
        Filter filter = Filter.parse(body.get("filter"));
        List<SortField> sort = SortField.parse(body.get("sort"));
        List<Draft> page = store.query(new PersonalQuery(user.id(), filter, sort, limit + 1, offset));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("drafts");
        for (Draft d : page.subList(0, Math.min(limit, page.size()))) {
            ChannelRow ch = chat.findChannel(d.cid()).orElse(null);
            if (ch != null && access.mayRead(actor, ch)) {
                list.add(view(d, ch, null, user.id()));
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
     * The user's drafts of the channels {@code cids} (not of their threads) as a channel's state carries them, by
     * cid; one store read. Empty for no user.
     */
    public Map<String, ObjectNode> ofChannels(@Nullable String userId, Collection<String> cids) {
        if (userId == null || cids.isEmpty()) {
            return Map.of();
        }
        Map<String, ObjectNode> out = new HashMap<>();
        for (Draft d : store.ofChannels(userId, cids)) {
            out.put(d.cid(), view(d, null, null, userId));
        }
        return out;
    }

    /** The user's draft of thread {@code parentId} as a thread object carries it, or null; one store read. */
    public @Nullable ObjectNode ofThread(@Nullable String userId, String cid, String parentId) {
        if (userId == null) {
            return null;
        }
        return store.find(userId, cid, parentId)
                .map(d -> view(d, null, null, userId))
                .orElse(null);
    }

    private void deleted(User user, ChannelRow ch, String parentId, @Nullable Instant sentAt) {
        Draft d = store.find(user.id(), ch.cid(), parentId).orElse(null);
        if (d == null || (sentAt != null && d.createdAt().isAfter(sentAt))) {
            return;
        }
        if (!store.delete(user.id(), ch.cid(), parentId, sentAt)) { // not one saved meanwhile
            return;
        }
        ObjectNode event = ChannelViews.event(EventType.DRAFT_DELETED.wireName(), ch, now());
        ObjectNode gone = Json.object();
        gone.put("channel_cid", ch.cid());
        gone.put("created_at", Timestamps.format(d.createdAt()));
        gone.set("message", d.message().deepCopy());
        if (!parentId.isEmpty()) {
            gone.put("parent_id", parentId);
        }
        event.set("draft", gone);
        event.set("user", user.toJson());
        events.publish(event, Audience.user(user.id()));
    }

    /**
     * A draft as answered: its message, its channel (unless {@code ch} is null: inside a channel's state), and the
     * parent and quoted messages when it names them.
     */
    private ObjectNode view(Draft d, @Nullable ChannelRow ch, ChannelAccess.@Nullable ReadAccess read, String viewer) {
        ObjectNode o = Json.object();
        o.put("channel_cid", d.cid());
        o.put("created_at", Timestamps.format(d.createdAt()));
        o.set("message", d.message().deepCopy());
        if (ch != null) {
            o.set("channel", ChannelViews.channel(ch, read != null ? read.type() : access.typeOf(ch), null));
        }
        if (!d.parentId().isEmpty()) {
            o.put("parent_id", d.parentId());
            chat.findMessage(d.parentId()).ifPresent(p -> o.set("parent_message", render.render(p, viewer)));
        }
        String quoted = d.message().path("quoted_message_id").asText("");
        if (!quoted.isEmpty()) {
            chat.findMessage(quoted).ifPresent(q -> o.set("quoted_message", render.render(q, viewer)));
        }
        return o;
    }

    /** The draft message kept from a request: known fields of the right types, within the limits. */
    static ObjectNode message(ObjectNode in, int maxTextLength) {
        ObjectNode m = Json.object();
        for (String k : TEXTS) {
            JsonNode v = in.get(k);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw input("CreateDraft", "message." + k + " must be a string");
                }
                if (!v.asText().isEmpty()) {
                    m.put(k, v.asText());
                }
            }
        }
        String id = m.path("id").asText("");
        if (id.isEmpty()) {
            m.put("id", UUID.randomUUID().toString());
        } else if (id.length() > 255) {
            throw input("CreateDraft", "message.id is longer than 255 characters");
        }
        String text = m.path("text").asText("");
        m.put("text", text);
        if (text.length() > maxTextLength) {
            throw new ChatException(
                    ErrorCode.MESSAGE_TOO_LONG,
                    "CreateDraft failed with error: \"message.text is " + text.length()
                            + " characters long (expected: at most " + maxTextLength + ")\"");
        }
        for (String k : BOOLEANS) {
            JsonNode v = in.get(k);
            if (v != null && !v.isNull()) {
                if (!v.isBoolean()) {
                    throw input("CreateDraft", "message." + k + " must be true or false");
                }
                m.put(k, v.asBoolean());
            }
        }
        for (String k : STRING_LISTS) {
            JsonNode v = in.get(k);
            if (v != null && !v.isNull()) {
                if (!v.isArray() || v.size() > MAX_MENTIONS) {
                    throw input(
                            "CreateDraft", "message." + k + " must be an array of at most " + MAX_MENTIONS + " ids");
                }
                ArrayNode ids = m.putArray(k);
                for (JsonNode x : v) {
                    // The composer sends mentioned users as ids; a user object is taken by its id.
                    String s = x.isTextual() ? x.asText() : x.path("id").asText("");
                    if (s.isEmpty()) {
                        throw input("CreateDraft", "message." + k + " must hold ids");
                    }
                    ids.add(s);
                }
            }
        }
        JsonNode attachments = in.get("attachments");
        if (attachments != null && !attachments.isNull()) {
            if (!attachments.isArray() || attachments.size() > MAX_ATTACHMENTS) {
                throw input(
                        "CreateDraft",
                        "message.attachments must be an array of at most " + MAX_ATTACHMENTS + " objects");
            }
            for (JsonNode a : attachments) {
                if (!a.isObject()) {
                    throw input("CreateDraft", "message.attachments must hold objects");
                }
            }
            m.set("attachments", attachments.deepCopy());
        }
        for (String k : List.of("custom", "shared_location")) {
            JsonNode v = in.get(k);
            if (v != null && !v.isNull()) {
                if (!v.isObject()) {
                    throw input("CreateDraft", "message." + k + " must be an object");
                }
                m.set(k, v.deepCopy());
            }
        }
        JsonNode type = in.get("type");
        if (type != null && !type.isNull()) {
            if (!type.isTextual() || !Set.of("regular", "system").contains(type.asText())) {
                throw input("CreateDraft", "message.type must be 'regular' or 'system'");
            }
            m.put("type", type.asText());
        }
        int bytes = Json.writeBytes(m).length;
        if (bytes > MAX_BYTES) {
            throw input("CreateDraft", "message is " + bytes + " bytes (expected: at most " + MAX_BYTES + ")");
        }
        return m;
    }

    private MessageRow inChannel(String cid, String id, String field, String endpoint) {
        return chat.findMessage(id)
                .filter(x -> x.cid().equals(cid))
                .orElseThrow(() -> input(
                        endpoint, "message." + field + ": message '" + id + "' does not exist in channel " + cid));
    }

    private static User user(Actor actor, String endpoint) {
        User u = actor.user();
        if (u == null) {
            throw input(endpoint, "user_id is required with a server token");
        }
        return u;
    }

    private static int limit(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return DEFAULT_LIMIT;
        }
        if (!n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_LIMIT) {
            throw input("QueryDrafts", "limit must be 1 to " + MAX_LIMIT);
        }
        return n.asInt();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static ChatException input(String endpoint, String message) {
        return ChatException.input(endpoint + " failed with error: \"" + message + "\"");
    }
}
