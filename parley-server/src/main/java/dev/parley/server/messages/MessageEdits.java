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
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.Restricted;
import dev.parley.server.moderation.Blocklists;
import dev.parley.server.store.ChatRows;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reading and changing existing messages (PROTOCOL.md §7.10 M2 to M5 and M7): get, full update (read-only
 * keys ignored), partial update with pins, soft and hard delete, thread replies. Changes run under the
 * channel's lock. Thread-safe; blocking.
 */
public final class MessageEdits {
    public static final int DEFAULT_REPLIES = 25;

    private final ChatStore store;
    private final ChannelAccess access;
    private final UserService users;
    private final ChannelLocks locks;
    private final EventPublisher events;
    private final Clock clock;
    private final MessageViews views;
    private final MessageService messages;

    public MessageEdits(
            ChatStore store,
            ChannelAccess access,
            UserService users,
            ChannelLocks locks,
            EventPublisher events,
            Clock clock,
            MessageViews views,
            MessageService messages) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.locks = requireNonNull(locks, "locks");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.views = requireNonNull(views, "views");
        this.messages = requireNonNull(messages, "messages");
    }

    /** {@code GET /messages/{id}}. */
    public ObjectNode get(Actor actor, String id) {
        MessageService.Context c = messages.context(actor, id, "GetMessage");
        return PendingMessages.answer(views.forViewer(c.message(), actor.userId()));
    }

    /** {@code POST /messages/{id}/commit} (§7.29, server side): a pending message is published. */
    public ObjectNode commit(Actor actor, String id) {
        return messages.commitPending(actor, id);
    }

    /** {@code POST /messages/{id}}: full replace of the editable fields and custom keys. */
    public ObjectNode update(Actor actor, String id, ObjectNode body) {
        JsonNode in = body.get("message");
        if (in == null || !in.isObject()) {
            throw ChatException.input("message is required and must be an object");
        }
        ObjectNode msg = (ObjectNode) in;
        MessageDocs.checkTypes(msg, "message.");
        return edit(actor, id, "UpdateMessage", body.path("skip_enrich_url").asBoolean(false), doc -> {
            MessageDocs.removeCustom(doc, Set.of());
            apply(actor, doc, msg, true);
            MessageDocs.copyCustom(msg, doc);
        });
    }

    /**
     * Shows a message a blocklist stored shadowed to everyone again ({@code POST /moderation/unblock_message},
     * §7.26): {@code shadowed} becomes false and readers get {@code message.updated}. The caller checked that
     * {@code actor} may unblock messages; the edit also needs {@code update-message}.
     */
    public ObjectNode reveal(Actor actor, String id) {
        return edit(actor, id, "UnblockMessage", true, doc -> doc.put("shadowed", false));
    }

    /** {@code PUT /messages/{id}}: {@code set} and {@code unset}. */
    public ObjectNode partialUpdate(Actor actor, String id, ObjectNode body) {
        JsonNode setNode = body.get("set");
        JsonNode unset = body.get("unset");
        if (setNode != null && !setNode.isNull() && !setNode.isObject()) {
            throw ChatException.input("set must be an object");
        }
        if (unset != null && !unset.isNull() && !unset.isArray()) {
            throw ChatException.input("unset must be an array of field names");
        }
        ObjectNode set = setNode instanceof ObjectNode o ? o : Json.object();
        MessageDocs.checkTypes(set, "set.");
        return edit(
                actor, id, "UpdateMessagePartial", body.path("skip_enrich_url").asBoolean(false), doc -> {
                    apply(actor, doc, set, false);
                    MessageDocs.copyCustom(set, doc);
                    MessageDocs.removeNulledCustom(set, doc);
                    if (unset != null && unset.isArray()) {
                        for (JsonNode k : unset) {
                            String key = k.asText();
                            if (!MessageDocs.SERVER_KEYS.contains(key) && !MessageDocs.EDITABLE.contains(key)) {
                                doc.remove(key);
                            }
                        }
                    }
                });
    }

    /**
     * The blocklist word of an edited text (§7.27), or null: only a changed text is screened, a server-side edit
     * is not, nor an edit by a user with {@code skip-message-moderation}.
     */
    private Blocklists.@Nullable Hit screened(Actor actor, MessageService.Context c, String before, ObjectNode doc) {
        String text = doc.path("text").asText("");
        if (actor.server() || text.equals(before)) {
            return null;
        }
        Blocklists.Hit hit = messages.blocklists().match(c.type(), c.channel().cid(), text);
        return hit == null || Permissions.allowed(actor, c.type(), c.member(), "skip-message-moderation", false)
                ? null
                : hit;
    }

    private interface Change {
        void apply(ObjectNode doc);
    }

    /**
     * An edit under the channel's lock; an edit that changes the text hands the message to link previews
     * (PROTOCOL.md §7.25) unless {@code skipEnrichUrl}.
     */
    private ObjectNode edit(Actor actor, String id, String endpoint, boolean skipEnrichUrl, Change change) {
        MessageService.Context c0 = messages.context(actor, id, endpoint);
        return locks.underLock(c0.channel().cid(), () -> {
            MessageService.Context c = messages.context(actor, id, endpoint);
            if (Restricted.isPending(c.message().doc())) {
                throw ChatException.input(endpoint + " failed with error: \"a pending message cannot be updated\"");
            }
            boolean own = actor.hasUser() && c.message().userId().equals(actor.userId());
            Permissions.require(
                    actor,
                    c.type(),
                    c.member(),
                    "update-message",
                    own,
                    endpoint,
                    c.channel().cid());
            ObjectNode doc = c.message().doc().deepCopy();
            boolean wasPinned = doc.path("pinned").asBoolean();
            String textBefore = doc.path("text").asText("");
            change.apply(doc);
            MessageDocs.checkLimits(doc, c.type().maxMessageLength());
            Blocklists.Hit hit = screened(actor, c, textBefore, doc);
            if (hit != null && hit.behavior().equals("block")) {
                return wrap(messages.blocklists().blocked(doc, hit)); // the stored message stays as it was
            }
            if (hit != null && hit.behavior().equals("shadow_block")) {
                doc.put("shadowed", true);
            }
            if (doc.path("pinned").asBoolean() != wasPinned) {
                Permissions.require(
                        actor,
                        c.type(),
                        c.member(),
                        "pin-message",
                        own,
                        endpoint,
                        c.channel().cid());
            }
            Instant now = clock.instant();
            doc.put("updated_at", Timestamps.format(now));
            Instant pinnedAt = doc.path("pinned_at").isTextual()
                    ? Timestamps.parse(doc.get("pinned_at").asText(), "pinned_at")
                    : null;
            MessageRow m = c.message();
            boolean inChannel =
                    m.parentId() == null || doc.path("show_in_channel").asBoolean(false);
            MessageRow row = new MessageRow(
                    m.id(),
                    m.cid(),
                    m.userId(),
                    m.parentId(),
                    inChannel,
                    m.createdAt(),
                    now,
                    m.deletedAt(),
                    pinnedAt,
                    doc);
            List<ChatRows.MessageVersion> versions = versions(m, doc, actor.userId(), now);
            if (versions.isEmpty()) {
                store.updateMessage(row);
            } else {
                store.updateMessage(row, versions);
            }
            if (hit != null) {
                messages.blocklists().flag(m.id(), m.cid(), m.userId(), hit);
            }
            messages.announceUpdated(c.channel(), row, actor.user());
            if (!doc.path("text").equals(m.doc().path("text"))) {
                messages.previewLater(c.type(), skipEnrichUrl, doc);
            }
            return wrap(views.forViewer(row, actor.userId()));
        });
    }

    /**
     * The versions an edit keeps (§7.29) when it changes the text or the attachments: the message as it was sent
     * (kept once, at its creation time) and the message as the edit leaves it; none for other edits.
     */
    private static List<ChatRows.MessageVersion> versions(
            MessageRow before, ObjectNode after, @Nullable String editorId, Instant now) {
        JsonNode text = before.doc().path("text");
        JsonNode attachments = before.doc().path("attachments");
        if (after.path("text").equals(text) && after.path("attachments").equals(attachments)) {
            return List.of();
        }
        return List.of(
                new ChatRows.MessageVersion(
                        before.id(), before.createdAt(), before.userId(), text.asText(""), arrayOf(attachments)),
                new ChatRows.MessageVersion(
                        before.id(), now, editorId, after.path("text").asText(""), arrayOf(after.path("attachments"))));
    }

    private static JsonNode arrayOf(JsonNode n) {
        return n.isArray() ? n.deepCopy() : Json.array();
    }

    /** Most messages one history query may name. */
    static final int MAX_HISTORY_MESSAGES = 100;

    /** Largest page of a history query. */
    static final int MAX_HISTORY_LIMIT = 100;

    /**
     * {@code POST /messages/history} (§7.29): the versions of the messages that {@code filter.message_id} names
     * ({@code $eq}, {@code $in} or a plain id), which the caller must be able to read, optionally only those
     * {@code filter.user_id} wrote; sorted by {@code message_updated_at} (newest first unless asked otherwise).
     */
    public ObjectNode history(Actor actor, ObjectNode body) {
        String endpoint = "QueryMessageHistory";
        JsonNode filter = body.path("filter");
        List<String> ids = ids(filter.get("message_id"), "message_id", endpoint);
        if (ids.isEmpty()) {
            throw ChatException.input(endpoint + " failed with error: \"filter.message_id is required\"");
        }
        if (ids.size() > MAX_HISTORY_MESSAGES) {
            throw ChatException.input(endpoint + " failed with error: \"filter.message_id names more than "
                    + MAX_HISTORY_MESSAGES + " messages\"");
        }
        List<String> users = ids(filter.get("user_id"), "user_id", endpoint);
        if (users.size() > 1) {
            throw ChatException.input(endpoint + " failed with error: \"filter.user_id names one user\"");
        }
        ids.forEach(id -> messages.context(actor, id, endpoint)); // each must be readable (code 16 otherwise)
        boolean newestFirst = true;
        for (JsonNode s : body.path("sort")) {
            String field = s.path("field").asText();
            if (!field.equals("message_updated_at")) {
                throw ChatException.input(endpoint + " failed with error: \"sort by " + field + " is not supported\"");
            }
            newestFirst = s.path("direction").asInt(-1) < 0;
        }
        int limit = body.path("limit").isMissingNode() || body.get("limit").isNull()
                ? 10
                : body.get("limit").asInt(-1);
        if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
            throw ChatException.input(endpoint + " failed with error: \"limit: " + body.path("limit")
                    + " (expected: 1.." + MAX_HISTORY_LIMIT + ")\"");
        }
        int offset = dev.parley.server.filter.Cursor.offset(body, "next", endpoint);
        List<ChatRows.MessageVersion> page =
                store.messageVersions(ids, users.isEmpty() ? null : users.getFirst(), newestFirst, limit + 1, offset);
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("message_history");
        page.stream().limit(limit).forEach(v -> {
            ObjectNode e = list.addObject();
            e.put("message_id", v.messageId());
            e.put("message_updated_at", Timestamps.format(v.at()));
            if (v.updatedById() != null) {
                e.put("message_updated_by_id", v.updatedById());
            }
            e.put("text", v.text());
            e.set("attachments", v.attachments());
        });
        if (page.size() > limit) {
            out.put("next", Integer.toString(offset + limit));
        }
        return out;
    }

    /** The ids of a filter field: a string, {@code {"$eq": id}} or {@code {"$in": [ids]}}; none when absent. */
    private static List<String> ids(@Nullable JsonNode f, String field, String endpoint) {
        if (f == null || f.isNull()) {
            return List.of();
        }
        JsonNode v = f.isObject() && f.has("$eq") ? f.get("$eq") : f.isObject() && f.has("$in") ? f.get("$in") : f;
        List<String> out = new java.util.ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        }
        if (out.isEmpty() || out.stream().anyMatch(String::isEmpty) || (f.isObject() && f.size() != 1)) {
            throw ChatException.input(
                    endpoint + " failed with error: \"filter." + field + " must be an id, {$eq: id} or {$in: [ids]}\"");
        }
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    /**
     * Adds the link preview {@code attachment} of {@code url} to a message (PROTOCOL.md §7.25), stored and announced
     * with {@code message.updated}; false, changing nothing, when the message is gone or deleted, its text no longer
     * has the URL, an attachment previews it already (the sender's, or an earlier preview), or the attachments
     * would pass their bound with it.
     */
    public boolean enrich(String id, String url, ObjectNode attachment) {
        java.util.Optional<MessageRow> found = store.findMessage(id);
        if (found.isEmpty()) {
            return false;
        }
        String cid = found.get().cid();
        return locks.underLock(cid, () -> {
            MessageRow m = store.findMessage(id).orElse(null);
            if (m == null
                    || m.deletedAt() != null
                    || !m.doc().path("text").asText("").contains(url)
                    || dev.parley.server.links.Urls.previewed(m.doc().path("attachments"), url)
                    || m.doc().path("attachments").size() >= MessageDocs.MAX_ATTACHMENTS) {
                return false;
            }
            ChannelRow ch = store.findChannel(cid).orElse(null);
            if (ch == null) {
                return false; // deleted with its channel while the preview was fetched
            }
            ObjectNode doc = m.doc().deepCopy();
            ArrayNode attachments =
                    doc.path("attachments").isArray() ? doc.withArray("attachments") : doc.putArray("attachments");
            attachments.add(attachment);
            try {
                MessageDocs.checkLimits(doc, Integer.MAX_VALUE); // the text did not change
            } catch (ChatException e) {
                return false; // no room left for the preview among the sender's attachments
            }
            Instant now = clock.instant();
            doc.put("updated_at", Timestamps.format(now));
            MessageRow row = new MessageRow(
                    m.id(),
                    m.cid(),
                    m.userId(),
                    m.parentId(),
                    m.inChannel(),
                    m.createdAt(),
                    now,
                    m.deletedAt(),
                    m.pinnedAt(),
                    doc);
            store.updateMessage(row);
            messages.announceUpdated(ch, row, null);
            return true;
        });
    }

    /** Applies the editable keys present in {@code from}; a full update also clears the absent ones. */
    private void apply(Actor actor, ObjectNode doc, ObjectNode from, boolean full) {
        if (from.has("text") || full) {
            String text = from.path("text").asText("");
            if (!text.equals(doc.path("text").asText())) {
                doc.put("message_text_updated_at", Timestamps.format(clock.instant()));
            }
            doc.put("text", text);
            doc.put("html", MessageDocs.html(text));
        }
        if (from.has("attachments") || full) {
            doc.set("attachments", MessageDocs.attachments(from.get("attachments")));
        }
        if (from.has("mentioned_users") || full) {
            List<String> ids = MessageDocs.mentionIds(from.get("mentioned_users"));
            doc.set("mentioned_users", MessageDocs.mentioned(ids, users.findAll(ids)));
        }
        if (from.has("silent")) {
            doc.put("silent", from.get("silent").asBoolean());
        }
        if (from.has("show_in_channel") && doc.has("parent_id")) {
            doc.put("show_in_channel", from.get("show_in_channel").asBoolean());
        }
        if (from.has("pinned")) {
            boolean pinned = from.get("pinned").asBoolean();
            if (pinned && !doc.path("pinned").asBoolean()) {
                MessageService.pin(
                        doc, actor, clock.instant(), from.path("pin_expires").textValue());
            } else if (!pinned) {
                MessageService.unpin(doc);
            }
        }
    }

    /** {@code DELETE /messages/{id}}: soft by default, {@code hard} removes it. */
    /**
     * {@code DELETE /messages/{id}?delete_for_me=true} (PROTOCOL.md §7.10): the message is deleted for the caller
     * only. Anyone who may read it may; everyone else keeps seeing it. {@code message.deleted} with
     * {@code deleted_for_me} goes to the caller's own connections.
     */
    public ObjectNode deleteForMe(Actor actor, String id, boolean hard) {
        User user = actor.user();
        if (user == null) {
            throw ChatException.input("DeleteMessage failed with error: \"delete_for_me needs the user's own token\"");
        }
        if (hard) {
            throw ChatException.input("DeleteMessage failed with error: \"hard and delete_for_me cannot be combined\"");
        }
        MessageService.Context c = messages.context(actor, id, "DeleteMessage");
        Instant now = clock.instant();
        store.deleteForUser(id, c.channel().cid(), user.id(), now);
        ObjectNode view = views.forViewer(c.message(), user.id());
        ObjectNode e = ChannelViews.event(EventType.MESSAGE_DELETED.wireName(), c.channel(), now);
        e.set("message", view);
        e.put("message_id", id);
        e.put("hard_delete", false);
        e.put("deleted_for_me", true);
        e.set("user", user.toJson());
        events.publish(e, Audience.user(user.id()));
        return wrap(view);
    }

    public ObjectNode delete(Actor actor, String id, boolean hard) {
        MessageService.Context c0 = messages.context(actor, id, "DeleteMessage");
        return locks.underLock(c0.channel().cid(), () -> {
            MessageService.Context c = messages.context(actor, id, "DeleteMessage");
            boolean pending = Restricted.isPending(c.message().doc());
            if (pending && !hard) {
                throw ChatException.input(
                        "DeleteMessage failed with error: \"a pending message can only be hard-deleted\"");
            }
            boolean own = actor.hasUser() && c.message().userId().equals(actor.userId());
            Permissions.require(
                    actor,
                    c.type(),
                    c.member(),
                    "delete-message",
                    own,
                    "DeleteMessage",
                    c.channel().cid());
            MessageRow m = c.message();
            Instant now = clock.instant();
            ObjectNode doc = m.doc().deepCopy();
            doc.put("type", "deleted");
            doc.put("deleted_at", Timestamps.format(now));
            doc.put("updated_at", Timestamps.format(now));
            MessageService.unpin(doc);
            MessageRow row = new MessageRow(
                    m.id(), m.cid(), m.userId(), m.parentId(), m.inChannel(), m.createdAt(), now, now, null, doc);
            if (hard) {
                store.deleteMessage(id);
            } else {
                store.updateMessage(row);
            }
            if (m.parentId() != null && m.deletedAt() == null && !pending) { // a pending reply was never counted
                replyDeleted(c, m.parentId(), hard, now);
            }
            ObjectNode e = ChannelViews.event(EventType.MESSAGE_DELETED.wireName(), c.channel(), now);
            ObjectNode view = views.forViewer(row, null);
            e.set("message", view);
            e.put("message_id", id);
            e.put("hard_delete", hard);
            if (actor.user() != null) {
                e.set("user", actor.user().toJson());
            }
            events.publish(e, Audience.watchers(c.channel().cid()));
            return wrap(view);
        });
    }

    /** {@code POST /messages/{id}/undelete} (M6, server side): a soft-deleted message comes back. */
    public ObjectNode undelete(Actor actor, String id) {
        if (!actor.server()) {
            throw ChatException.notAllowed(
                    "UndeleteMessage failed with error: \"this endpoint needs a server-side token\"");
        }
        MessageService.Context c0 = messages.context(actor, id, "UndeleteMessage");
        return locks.underLock(c0.channel().cid(), () -> {
            MessageRow m = messages.context(actor, id, "UndeleteMessage").message();
            if (m.deletedAt() == null) {
                throw ChatException.input("message '" + id + "' is not deleted");
            }
            Instant now = clock.instant();
            ObjectNode doc = m.doc().deepCopy();
            doc.put("type", m.parentId() != null && !m.inChannel() ? "reply" : "regular");
            doc.remove("deleted_at");
            doc.put("updated_at", Timestamps.format(now));
            MessageRow row = new MessageRow(
                    m.id(), m.cid(), m.userId(), m.parentId(), m.inChannel(), m.createdAt(), now, null, null, doc);
            store.updateMessage(row);
            ObjectNode e = ChannelViews.event(EventType.MESSAGE_UNDELETED.wireName(), c0.channel(), now);
            ObjectNode view = views.forViewer(row, null);
            e.set("message", view);
            e.put("message_id", id);
            events.publish(e, Audience.watchers(c0.channel().cid()));
            return wrap(view);
        });
    }

    /** A deleted reply lowers its parent's {@code reply_count} (and counts in {@code deleted_reply_count}). */
    private void replyDeleted(MessageService.Context c, String parentId, boolean hard, Instant now) {
        store.findMessage(parentId).ifPresent(p -> {
            ObjectNode d = p.doc().deepCopy();
            d.put("reply_count", Math.max(0, d.path("reply_count").asInt(0) - 1));
            if (!hard) {
                d.put("deleted_reply_count", d.path("deleted_reply_count").asInt(0) + 1);
            }
            d.put("updated_at", Timestamps.format(now));
            MessageRow parent = new MessageRow(
                    p.id(),
                    p.cid(),
                    p.userId(),
                    p.parentId(),
                    p.inChannel(),
                    p.createdAt(),
                    now,
                    p.deletedAt(),
                    p.pinnedAt(),
                    d);
            store.updateMessage(parent);
            messages.announceUpdated(c.channel(), parent, null);
        });
    }

    /** {@code GET /messages/{parent_id}/replies}: a page of the thread, oldest first. */
    public ObjectNode replies(Actor actor, String parentId, JsonNode paging) {
        messages.context(actor, parentId, "GetReplies");
        List<MessageRow> rows = Paging.replies(store, parentId, paging, DEFAULT_REPLIES);
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("messages");
        views.forViewer(rows, actor.userId()).forEach(arr::add);
        return out;
    }

    /** {@code GET /channels/{type}/{id}/messages?ids=}: the listed messages of the channel. */
    public ObjectNode byIds(Actor actor, ChannelRow ch, List<String> ids) {
        access.requireRead(actor, ch, "GetManyMessages");
        List<MessageRow> rows = store.findMessages(ids).stream()
                .filter(m -> m.cid().equals(ch.cid()))
                .toList();
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("messages");
        views.forViewer(rows, actor.userId()).forEach(arr::add);
        return out;
    }

    /** {@code GET /channels/{type}/{id}/pinned_messages}: pinned messages, most recently pinned first. */
    public ObjectNode pinned(Actor actor, ChannelRow ch, int limit) {
        access.requireRead(actor, ch, "GetPinnedMessages");
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("messages");
        views.forViewer(store.pinnedMessages(ch.cid(), Math.min(Math.max(limit, 1), 300)), actor.userId())
                .forEach(arr::add);
        return out;
    }

    private static ObjectNode wrap(ObjectNode message) {
        ObjectNode out = Json.object();
        out.set("message", message);
        return out;
    }
}
