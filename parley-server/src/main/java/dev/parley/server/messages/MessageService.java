package dev.parley.server.messages;

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
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.ChatCore;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.OutboundEvent;
import dev.parley.server.reads.Unread;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageAppend;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.Roster;
import dev.parley.server.store.ChatRows.RosterMember;
import dev.parley.server.store.ChatRows.UnreadTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Messages (PROTOCOL.md §7.10): send with client ids, get, full and partial update, soft and hard
 * delete, thread replies, pins, with their events. Every change of a channel's messages runs under the
 * channel's lock, so creation times are strictly increasing per channel and reply counts are never lost.
 * Thread-safe; blocking.
 */
public final class MessageService {
    static final int MAX_ID_LENGTH = 255;

    /** Last send per channel and user for slow mode; bounded, the eldest entry is forgotten first. */
    static final int SLOW_MODE_ENTRIES = 100_000;

    private final ChatCore core;
    private final MessageWriter writer;
    private final Map<String, Instant> lastSend =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                    return size() > SLOW_MODE_ENTRIES;
                }
            });

    public MessageService(ChatCore core, MessageWriter writer) {
        this.core = core;
        this.writer = writer;
    }

    /** A message with its channel and type, after the read-channel check. */
    record Context(MessageRow message, ChannelRow channel, ChannelType type, MemberRow member) {}

    Context context(Actor actor, String messageId, String endpoint) {
        MessageRow m = core.store()
                .findMessage(messageId)
                .orElseThrow(() -> ChatException.notFound(
                        "message '" + ChannelServiceText.shorten(messageId) + "' does not exist"));
        ChannelAccess.ReadAccess access = core.requireRead(actor, core.requireChannel(m.cid()), endpoint);
        return new Context(m, access.channel(), access.type(), access.member());
    }

    /**
     * {@code POST /channels/{type}/{id}/message} (M1). The channel is read once, by the checks; the message
     * and its {@code message.new} row are written in one transaction of the group commit, and the duplicate-id
     * check is that transaction's insert.
     */
    public ObjectNode send(Actor actor, String cid, ObjectNode body) {
        return commit(draft(actor, cid, body, false));
    }

    /**
     * A message send that passed every check and is not written yet; a channel update with a message checks
     * the message before it changes the channel, so that it answers an error only when it changed nothing.
     * {@code rereadChannel}: the channel changed since the checks read it, so the commit reads it again.
     */
    public record Draft(
            Actor as,
            ChannelRow channel,
            ChannelType type,
            ObjectNode doc,
            String parentId,
            boolean showInChannel,
            ObjectNode msg,
            boolean rereadChannel,
            Roster roster) {
        String cid() {
            return channel.cid();
        }
    }

    /**
     * Checks a send and builds its message; writes nothing (slow mode counts the attempt). An existing message
     * id is refused here, before the caller changes anything else.
     */
    public Draft draft(Actor actor, String cid, ObjectNode body) {
        return draft(actor, cid, body, true);
    }

    private Draft draft(Actor actor, String cid, ObjectNode body, boolean beforeOtherChanges) {
        JsonNode in = body.get("message");
        if (in == null || !in.isObject()) {
            throw ChatException.input("message is required and must be an object");
        }
        ObjectNode msg = (ObjectNode) in;
        MessageDocs.checkTypes(msg, "message.");
        ChannelRow ch0 = core.requireChannel(cid);
        ChannelType type = core.typeOf(ch0);
        User author = author(actor, msg);
        Actor as = actor.server() ? Actor.server(author) : actor;
        Roster roster = core.store().roster(cid);
        RosterMember rm = roster.members().get(author.id());
        String member = rm != null
                ? rm.channelRole()
                : roster.complete()
                        ? null
                        : core.store()
                                .member(cid, author.id())
                                .map(MemberRow::channelRole)
                                .orElse(null);
        Permissions.requireWithRole(
                as, type, member, "create-message", Permissions.ownsChannel(as, ch0), "SendMessage", cid);
        if (ch0.frozen() && !as.server()) {
            throw ChatException.notAllowed("SendMessage failed with error: \"channel '" + cid + "' is frozen\"");
        }
        boolean shadowed = !as.server()
                && dev.parley.server.moderation.Bans.checkMayPost(
                        core, author, cid, roster.bannedUserIds().contains(author.id()));
        slowMode(as, type, member, ch0);
        String id = messageId(msg);
        String text = msg.path("text").isTextual() ? msg.get("text").asText() : "";
        String parentId = msg.path("parent_id").isTextual()
                        && !msg.get("parent_id").asText().isEmpty()
                ? msg.get("parent_id").asText()
                : null;
        if (parentId != null && !type.flag("replies")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    "replies are disabled for channel type '" + ch0.type() + "'");
        }
        boolean showInChannel = msg.path("show_in_channel").asBoolean(false);
        List<String> mentions = MessageDocs.mentionIds(msg.get("mentioned_users"));
        ObjectNode doc = MessageDocs.skeleton(id, cid, author, member);
        doc.put("text", text);
        doc.put("html", MessageDocs.html(text));
        doc.set("attachments", MessageDocs.attachments(msg.get("attachments")));
        doc.set("mentioned_users", MessageDocs.mentioned(mentions, core.usersById(mentions)));
        doc.put("silent", msg.path("silent").asBoolean(false));
        doc.put("shadowed", shadowed);
        if ("system".equals(msg.path("type").asText())) {
            Permissions.requireWithRole(as, type, member, "create-system-message", false, "SendMessage", cid);
            doc.put("type", "system");
        }
        MessageDocs.copyCustom(msg, doc);
        MessageDocs.checkLimits(doc, type.maxMessageLength());
        if (beforeOtherChanges && core.store().findMessage(id).isPresent()) {
            throw duplicate(id);
        }
        if (parentId != null) {
            parent(cid, parentId);
        }
        return new Draft(as, ch0, type, doc, parentId, showInChannel, msg, beforeOtherChanges, roster);
    }

    /** Writes a checked send under the channel's lock; the checks that depend on other writes run again there. */
    public ObjectNode commit(Draft d) {
        return core.underLock(
                d.cid(),
                () -> append(
                        d.as(),
                        d.rereadChannel() ? core.requireChannel(d.cid()) : d.channel(),
                        d.type(),
                        d.doc(),
                        d.parentId(),
                        d.showInChannel(),
                        d.msg(),
                        d.roster()));
    }

    /** The thread parent of a reply: a message of the channel that is not a reply itself. */
    private MessageRow parent(String cid, String parentId) {
        MessageRow p = core.store()
                .findMessage(parentId)
                .filter(x -> x.cid().equals(cid))
                .orElseThrow(
                        () -> ChatException.input("parent message '" + parentId + "' does not exist in this channel"));
        if (p.parentId() != null) {
            throw new ChatException(
                    ErrorCode.MULTIPLE_NESTING_LEVEL,
                    "a reply cannot have replies (parent '" + parentId + "' is a reply)");
        }
        return p;
    }

    private ObjectNode append(
            Actor actor,
            ChannelRow ch,
            ChannelType type,
            ObjectNode doc,
            String parentId,
            boolean showInChannel,
            ObjectNode msg,
            Roster roster) {
        String id = doc.get("id").asText();
        Instant now = core.nextMessageTime(ch);
        doc.put("created_at", Timestamps.format(now));
        doc.put("updated_at", Timestamps.format(now));
        MessageRow parent = null;
        if (parentId != null) {
            MessageRow p = parent(ch.cid(), parentId);
            doc.put("parent_id", parentId);
            doc.put("show_in_channel", showInChannel);
            if (!showInChannel) {
                doc.put("type", "reply");
            }
            parent = withReply(p, actor.user(), now);
        }
        quote(msg, doc);
        if (msg.path("pinned").asBoolean(false)) {
            pin(doc, actor, now, msg.get("pin_expires"));
        }
        boolean inChannel = parentId == null || showInChannel;
        MessageRow row = new MessageRow(
                id,
                ch.cid(),
                actor.userId(),
                parentId,
                inChannel,
                now,
                now,
                null,
                doc.path("pinned").asBoolean() ? now : null,
                doc);
        boolean counts = inChannel
                && !doc.path("silent").asBoolean()
                && !"system".equals(doc.path("type").asText());
        ChannelRow after = counts ? ch.withMessageAt(now) : ch;
        // A new message has no reactions: every reader sees the same view, the author's as much as the watchers'.
        ObjectNode message = doc.deepCopy(); // its user is the author's, set by the skeleton
        message.set("own_reactions", Json.array());
        OutboundEvent event = messageNew(after, row, actor.user(), message);
        if (!writer.append(new MessageAppend(row, parent, counts, EventPublisher.storedWith(event, now)))) {
            throw duplicate(id);
        }
        announceNew(after, type, row, actor.user(), event, message, roster);
        if (parent != null) {
            announceUpdated(after, parent, actor.user());
        }
        ObjectNode out = Json.object();
        out.set("message", message);
        return out;
    }

    /** Slow mode (§7.10): one message per {@code cooldown} seconds per user, code 60, unless skip-slow-mode. */
    private void slowMode(Actor actor, ChannelType type, String member, ChannelRow ch) {
        if (ch.cooldown() <= 0
                || actor.server()
                || Permissions.allowedWithRole(
                        actor, type, member, "skip-channel-cooldown", Permissions.ownsChannel(actor, ch))) {
            return;
        }
        Instant now = core.now();
        Instant last = lastSend.put(ch.cid() + "\n" + actor.userId(), now);
        if (last != null && last.plusSeconds(ch.cooldown()).isAfter(now)) {
            lastSend.put(ch.cid() + "\n" + actor.userId(), last);
            throw new ChatException(
                    ErrorCode.COOL_DOWN,
                    "SendMessage failed with error: \"slow mode: wait " + ch.cooldown()
                            + " seconds between messages in channel '" + ch.cid() + "'\"");
        }
    }

    private MessageRow withReply(MessageRow parent, User author, Instant now) {
        ObjectNode d = parent.doc().deepCopy();
        d.put("reply_count", d.path("reply_count").asInt(0) + 1);
        ArrayNode participants = d.withArray("thread_participants");
        boolean present = false;
        for (JsonNode p : participants) {
            present |= p.path("id").asText().equals(author.id());
        }
        if (!present) {
            participants.add(author.toJson());
        }
        d.put("updated_at", Timestamps.format(now));
        return new MessageRow(
                parent.id(),
                parent.cid(),
                parent.userId(),
                parent.parentId(),
                parent.inChannel(),
                parent.createdAt(),
                now,
                parent.deletedAt(),
                parent.pinnedAt(),
                d);
    }

    private void quote(ObjectNode msg, ObjectNode doc) {
        String q = msg.path("quoted_message_id").asText("");
        if (!q.isEmpty()) {
            // Only a message of the same channel: quoting is no way to read another channel's messages.
            core.store()
                    .findMessage(q)
                    .filter(m -> m.cid().equals(doc.path("cid").asText()))
                    .ifPresent(m -> {
                        doc.put("quoted_message_id", q);
                        ObjectNode quoted = m.doc().deepCopy();
                        quoted.remove("quoted_message");
                        doc.set("quoted_message", quoted);
                    });
        }
    }

    static void pin(ObjectNode doc, Actor actor, Instant now, JsonNode expires) {
        doc.put("pinned", true);
        doc.put("pinned_at", Timestamps.format(now));
        doc.set("pinned_by", actor.hasUser() ? actor.user().toJson() : null);
        if (expires != null && expires.isTextual()) {
            doc.put("pin_expires", Timestamps.format(Timestamps.parse(expires.asText(), "pin_expires")));
        } else {
            doc.putNull("pin_expires");
        }
    }

    static void unpin(ObjectNode doc) {
        doc.put("pinned", false);
        doc.putNull("pinned_at");
        doc.putNull("pinned_by");
        doc.putNull("pin_expires");
    }

    /** The {@code message.new} of a message, to the channel's watchers; what {@code /sync} keeps of it. */
    private OutboundEvent messageNew(ChannelRow ch, MessageRow row, User author, ObjectNode message) {
        ObjectNode base = ChannelViews.event(EventType.MESSAGE_NEW.wireName(), ch, row.createdAt());
        base.set("message", message);
        base.put("message_id", row.id());
        base.set("user", message.get("user")); // the same author object, shared: nothing changes it
        base.put("watcher_count", core.hub().watcherCount(ch.cid()));
        base.put("channel_member_count", ch.memberCount());
        if (row.parentId() != null) {
            base.put("parent_id", row.parentId());
        }
        return OutboundEvent.of(base, Audience.watchers(ch.cid()));
    }

    /**
     * {@code message.new} (stored already) to watchers, each user with its own unread counters, and
     * {@code notification.message_new} to members not watching. Each distinct set of counters is encoded once.
     */
    private void announceNew(
            ChannelRow ch,
            ChannelType type,
            MessageRow row,
            User author,
            OutboundEvent event,
            ObjectNode message,
            Roster roster) {
        Set<String> watching = core.hub().watchingUsers(ch.cid());
        List<String> members = List.copyOf(roster.members().keySet());
        List<String> counted = new ArrayList<>(watching);
        members.stream().filter(u -> !watching.contains(u)).forEach(counted::add);
        Map<String, UnreadTotals> totals = core.store().unreadTotals(counted);
        core.events()
                .publishStored(event.withVariants(OutboundEvent.Variants.appending(
                        totals, UnreadTotals.ZERO, t -> Unread.put(Json.object(), t))));
        List<String> others = (row.parentId() != null && !row.inChannel() ? threadParticipants(row) : members)
                .stream().filter(u -> !u.equals(author.id())).toList();
        Audience audience = Audience.notWatching(others, ch.cid());
        if (others.isEmpty() || !core.events().mayReach(audience)) {
            return;
        }
        boolean thread = row.parentId() != null && !row.inChannel();
        ObjectNode n = ChannelViews.event(
                thread
                        ? EventType.NOTIFICATION_THREAD_MESSAGE_NEW.wireName()
                        : EventType.NOTIFICATION_MESSAGE_NEW.wireName(),
                ch,
                row.createdAt());
        n.set("channel", ChannelViews.channel(ch, type, null));
        n.set("message", message);
        n.put("message_id", row.id());
        if (thread) {
            n.put("parent_id", row.parentId());
        }
        n.set("user", message.get("user"));
        core.events()
                .publish(OutboundEvent.of(n, audience)
                        .withVariants(OutboundEvent.Variants.appending(
                                totals, UnreadTotals.ZERO, t -> Unread.put(Json.object(), t))));
    }

    /** The users of a reply's thread: the parent's author and the thread's participants. */
    private List<String> threadParticipants(MessageRow row) {
        MessageRow parent = core.store().findMessage(row.parentId()).orElse(null);
        if (parent == null) {
            return List.of();
        }
        Set<String> participants = new java.util.LinkedHashSet<>();
        participants.add(parent.userId());
        parent.doc()
                .path("thread_participants")
                .forEach(u -> participants.add(u.path("id").asText()));
        return List.copyOf(participants);
    }

    /** {@code message.updated} to watchers, persisted for sync. */
    void announceUpdated(ChannelRow ch, MessageRow row, User actor) {
        ObjectNode e = ChannelViews.event(EventType.MESSAGE_UPDATED.wireName(), ch, core.now());
        e.set("message", MessageViews.forViewer(core, row, null));
        e.put("message_id", row.id());
        if (actor != null) {
            e.set("user", actor.toJson());
        }
        core.events().publish(e, Audience.watchers(ch.cid()));
    }

    private User author(Actor actor, ObjectNode msg) {
        if (!actor.server()) {
            return actor.user();
        }
        String id = msg.path("user_id").asText(msg.path("user").path("id").asText(""));
        if (id.isEmpty()) {
            if (actor.hasUser()) {
                return actor.user();
            }
            throw ChatException.input("message.user or message.user_id is required with a server token");
        }
        return core.users()
                .find(id)
                .orElseThrow(() -> ChatException.input("message.user_id: user '" + id + "' does not exist"));
    }

    private static String messageId(ObjectNode msg) {
        JsonNode id = msg.get("id");
        if (id == null || id.isNull() || id.asText().isEmpty()) {
            return UUID.randomUUID().toString();
        }
        String s = id.asText();
        // The id goes into paths (/messages/{id}) and lists (?ids=a,b): these characters would make it unreachable.
        if (!id.isTextual()
                || s.length() > MAX_ID_LENGTH
                || s.contains(",")
                || s.contains("%")
                || s.contains("/")
                || s.chars().anyMatch(Character::isISOControl)) {
            throw ChatException.input("message.id must be a string of at most " + MAX_ID_LENGTH
                    + " characters without ',', '%', '/' or control characters");
        }
        if (s.equals("history")) {
            // POST /messages/history is the message-history query: such a message could never be updated.
            throw ChatException.input("message.id 'history' is reserved");
        }
        return s;
    }

    private static ChatException duplicate(String id) {
        return ChatException.input("SendMessage failed with error: \"a message with ID " + id + " already exists\"");
    }

    /** Text helpers shared with the other message classes. */
    static final class ChannelServiceText {
        static String shorten(String s) {
            return s.length() > 64 ? s.substring(0, 64) + "..." : s;
        }
    }
}
