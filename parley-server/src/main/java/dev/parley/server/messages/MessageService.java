package dev.parley.server.messages;

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
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.drafts.Drafts;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.OutboundEvent;
import dev.parley.server.events.Restricted;
import dev.parley.server.hooks.BeforeSendHook;
import dev.parley.server.links.LinkIntake;
import dev.parley.server.moderation.Blocklists;
import dev.parley.server.polls.PollService;
import dev.parley.server.push.PushService;
import dev.parley.server.reads.Unread;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.EventRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageAppend;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.Roster;
import dev.parley.server.store.ChatRows.RosterMember;
import dev.parley.server.store.ChatRows.UnreadTotals;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages (PROTOCOL.md §7.10): send with client ids, get, full and partial update, soft and hard
 * delete, thread replies, pins, with their events. Every change of a channel's messages runs under the
 * channel's lock, so creation times are strictly increasing per channel and reply counts are never lost.
 * Thread-safe; blocking.
 */
public final class MessageService {
    private static final Logger log = LoggerFactory.getLogger(MessageService.class);

    static final int MAX_ID_LENGTH = 255;

    /** Last send per channel and user for slow mode; bounded, the eldest entry is forgotten first. */
    static final int SLOW_MODE_ENTRIES = 100_000;

    private final ChatStore store;
    private final ChannelAccess access;
    private final UserService users;
    private final ChannelLocks locks;
    private final ChannelHub hub;
    private final EventPublisher events;
    private final Clock clock;
    private final MessageWriter writer;
    private final MessageViews views;
    private final BanCheck bans;
    private final BeforeSendHook beforeSend;
    /** Where a new message's push goes (PROTOCOL.md §16.3); it only queues. */
    private final dev.parley.server.push.PushIntake push;
    /** The polls messages carry (PROTOCOL.md §7.21). */
    private final PollService polls;
    /** Where a sent message with a link goes for its preview (PROTOCOL.md §7.25); it only queues. */
    private final LinkIntake links;

    private final Drafts drafts;
    private final SharedLocations locations;
    /** The channel type's blocklist, applied to every commit (PROTOCOL.md §7.27). */
    private final Blocklists blocklists;

    private final Map<String, Instant> lastSend =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                    return size() > SLOW_MODE_ENTRIES;
                }
            });

    /**
     * Whether an author may post in a channel, by its bans (§7.10): throws when a ban refuses the message;
     * true when the message is to be stored shadowed (a shadow ban).
     */
    @FunctionalInterface
    public interface BanCheck {
        /**
         * @param mayHaveChannelBan false when the channel's roster holds no ban of the author, which spares
         *     reading the channel ban
         */
        boolean shadowed(User author, String cid, boolean mayHaveChannelBan);
    }

    /**
     * @param hub who watches which channel, read only (events leave through {@code events})
     * @param views the messages as readers see them, for {@code message.updated}
     */
    public MessageService(
            ChatStore store,
            ChannelAccess access,
            UserService users,
            ChannelLocks locks,
            ChannelHub hub,
            EventPublisher events,
            Clock clock,
            MessageWriter writer,
            MessageViews views,
            BanCheck bans,
            BeforeSendHook beforeSend,
            dev.parley.server.push.PushIntake push,
            PollService polls,
            LinkIntake links,
            Drafts drafts,
            SharedLocations locations,
            Blocklists blocklists) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.locks = requireNonNull(locks, "locks");
        this.hub = requireNonNull(hub, "hub");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.writer = requireNonNull(writer, "writer");
        this.views = requireNonNull(views, "views");
        this.bans = requireNonNull(bans, "bans");
        this.beforeSend = requireNonNull(beforeSend, "beforeSend");
        this.push = requireNonNull(push, "push");
        this.polls = requireNonNull(polls, "polls");
        this.links = requireNonNull(links, "links");
        this.drafts = requireNonNull(drafts, "drafts");
        this.locations = requireNonNull(locations, "locations");
        this.blocklists = requireNonNull(blocklists, "blocklists");
    }

    /** A message with its channel and type, after the read-channel check. */
    record Context(
            MessageRow message,
            ChannelRow channel,
            ChannelType type,
            @Nullable MemberRow member) {}

    Context context(Actor actor, String messageId, String endpoint) {
        MessageRow m = store.findMessage(messageId)
                .filter(r -> actor.server()
                        || actor.userId() == null
                        || Restricted.visibleTo(r.doc(), actor.userId())) // §7.10: as if it did not exist
                .orElseThrow(() -> ChatException.notFound(
                        "message '" + ChannelServiceText.shorten(messageId) + "' does not exist"));
        ChannelAccess.ReadAccess read = access.requireRead(actor, access.requireChannel(m.cid()), endpoint);
        return new Context(m, read.channel(), read.type(), read.member());
    }

    /**
     * {@code POST /channels/{type}/{id}/message} (M1). The channel is read once, by the checks; the message
     * and its {@code message.new} row are written in one transaction of the group commit, and the duplicate-id
     * check is that transaction's insert.
     */
    public ObjectNode send(Actor actor, String cid, ObjectNode body) {
        Draft d = draft(actor, cid, body, false);
        if (beforeSend.configured()) {
            User author = requireNonNull(d.as().user(), "user"); // a draft acts as its message's author
            BeforeSendHook.Verdict v = beforeSend.check(
                    d.doc().deepCopy(), author.toJson(), ChannelViews.channel(d.channel(), d.type(), null));
            if (v instanceof BeforeSendHook.Verdict.Reject r) {
                return rejected(d, r.text());
            }
            if (v instanceof BeforeSendHook.Verdict.Rewrite w) {
                d = rewrite(d, w.message());
            }
        }
        ObjectNode out = commit(d);
        JsonNode sent = out.path("message");
        if (sent.path("shared_location") instanceof ObjectNode location) {
            locations.record(location);
        }
        User author = d.as().user();
        if (author != null && sent.path("created_at").isTextual()) {
            // Stream deletes the sender's draft of the channel or thread once the message is in (§7.22). The
            // message is sent either way: a draft left behind is no reason to answer an error.
            try {
                drafts.sent(
                        author,
                        d.channel(),
                        d.request().parentId(),
                        Timestamps.parse(sent.get("created_at").asText(), "created_at"));
            } catch (RuntimeException e) {
                log.warn(
                        "message {}: the sender's draft was not deleted",
                        sent.path("id").asText(),
                        e);
            }
        }
        return out;
    }

    /** A message's {@code html} for {@code text}: the escaped text in a paragraph. */
    public static String html(String text) {
        return MessageDocs.html(text);
    }

    /**
     * What the sender gets when the before-send hook rejects a message (§15.4): the message as an error with the
     * hook's text, stored nowhere and sent to no one.
     */
    private ObjectNode rejected(Draft d, String text) {
        ObjectNode m = d.doc().deepCopy();
        m.put("type", "error");
        m.put("text", text);
        m.put("html", MessageDocs.html(text));
        String now = Timestamps.format(clock.instant());
        m.put("created_at", now);
        m.put("updated_at", now);
        ObjectNode out = Json.object();
        out.set("message", m);
        return out;
    }

    /**
     * The draft with the fields of a hook's message applied that a hook may change (the before-send hook, a
     * custom command's handler): {@code text},
     * {@code attachments}, {@code silent}, {@code i18n} and custom fields. A rewrite past the message limits is
     * not applied (the hook fails open, as for any unusable answer).
     */
    public Draft rewrite(Draft d, ObjectNode hook) {
        ObjectNode doc = d.doc().deepCopy();
        try {
            JsonNode text = hook.get("text");
            if (text != null && text.isTextual()) {
                doc.put("text", text.asText());
                doc.put("html", MessageDocs.html(text.asText()));
            }
            if (hook.has("attachments")) {
                doc.set("attachments", MessageDocs.attachments(hook.get("attachments")));
            }
            if (hook.path("silent").isBoolean()) {
                doc.put("silent", hook.get("silent").asBoolean());
            }
            if (hook.path("i18n").isObject()) {
                doc.set("i18n", hook.get("i18n").deepCopy());
            }
            MessageDocs.copyCustom(hook, doc);
            MessageDocs.checkLimits(doc, d.type().maxMessageLength());
        } catch (ChatException e) {
            log.warn("before-send hook: its rewrite of message {} is not applied: {}", doc.path("id"), e.getMessage());
            return d;
        }
        return new Draft(d.as(), d.channel(), d.type(), doc, d.request(), d.rereadChannel(), d.roster());
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
            SendRequest request,
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
        SendRequest msg = SendRequest.of(body);
        ChannelRow ch0 = access.requireChannel(cid);
        ChannelType type = access.typeOf(ch0);
        User author = author(actor, msg);
        Actor as = actor.server() ? Actor.server(author) : actor;
        Roster roster = store.roster(cid);
        RosterMember rm = roster.members().get(author.id());
        String member = rm != null
                ? rm.channelRole()
                : roster.complete()
                        ? null
                        : store.member(cid, author.id())
                                .map(MemberRow::channelRole)
                                .orElse(null);
        Permissions.requireWithRole(
                as, type, member, "create-message", Permissions.ownsChannel(as, ch0), "SendMessage", cid);
        if (ch0.frozen() && !as.server()) {
            throw ChatException.notAllowed("SendMessage failed with error: \"channel '" + cid + "' is frozen\"");
        }
        boolean shadowed = !as.server()
                && bans.shadowed(author, cid, roster.bannedUserIds().contains(author.id()));
        slowMode(as, type, member, ch0);
        String id = messageId(msg.id());
        String text = msg.text();
        String parentId = msg.parentId();
        if (parentId != null && !type.flag("replies")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    "replies are disabled for channel type '" + ch0.type() + "'");
        }
        List<String> mentions = MessageDocs.mentionIds(msg.mentionedUsers());
        ObjectNode doc = MessageDocs.skeleton(id, cid, author, member);
        doc.put("text", text);
        doc.put("html", MessageDocs.html(text));
        doc.set("attachments", MessageDocs.attachments(msg.attachments()));
        // No mentions, no store read: the answer is empty either way.
        doc.set(
                "mentioned_users",
                MessageDocs.mentioned(mentions, mentions.isEmpty() ? Map.of() : users.findAll(mentions)));
        doc.put("silent", msg.silent());
        doc.put("shadowed", shadowed);
        if ("system".equals(msg.type())) {
            Permissions.requireWithRole(as, type, member, "create-system-message", false, "SendMessage", cid);
            doc.put("type", "system");
        }
        MessageDocs.copyCustom(msg.json(), doc);
        JsonNode location = msg.json().get("shared_location");
        if (location != null && !location.isNull()) {
            doc.set("shared_location", locations.check(location, type, cid, id, author.id()));
        }
        MessageDocs.checkLimits(doc, type.maxMessageLength());
        ArrayNode restricted = restrictedVisibility(msg.json().get("restricted_visibility"));
        if (restricted != null) {
            if (parentId != null) {
                throw ChatException.input(
                        "SendMessage failed with error: \"a thread reply cannot have restricted_visibility\"");
            }
            Permissions.requireWithRole(
                    as,
                    type,
                    member,
                    "send-restricted-visibility-message",
                    Permissions.ownsChannel(as, ch0),
                    "SendMessage",
                    cid);
            doc.set("restricted_visibility", restricted);
        }
        if (pending(as, type, msg)) {
            doc.put("pending", true);
            ObjectNode metadata = pendingMetadata(msg.pendingMetadata());
            if (metadata != null && as.server()) { // metadata is the server side's, as the choice is (§7.29)
                doc.set("pending_message_metadata", metadata);
            }
        }
        JsonNode poll = msg.json().get("poll_id");
        if (poll != null
                && !poll.isNull()
                && !(poll.isTextual() && poll.asText().isEmpty())) {
            if (!poll.isTextual()) {
                throw ChatException.input("message.poll_id must be a string");
            }
            if (parentId != null) {
                throw ChatException.input("SendMessage failed with error: \"a thread reply cannot carry a poll\"");
            }
            polls.checkSend(as, author, type, member, cid, poll.asText());
            doc.put("poll_id", poll.asText());
        }
        if (beforeOtherChanges && store.findMessage(id).isPresent()) {
            throw duplicate(id);
        }
        if (parentId != null) {
            parent(cid, parentId);
        }
        return new Draft(as, ch0, type, doc, msg, beforeOtherChanges, roster);
    }

    /**
     * Writes a checked send under the channel's lock; the checks that depend on other writes run again there. A
     * text with a word of the type's blocklist (§7.27) is answered as an error and written nowhere under
     * {@code block}, stored shadowed under {@code shadow_block}, and flagged by the server once stored under
     * {@code flag} and {@code shadow_block}.
     */
    public ObjectNode commit(Draft d) {
        Blocklists.Hit hit = screened(d);
        if (hit != null && hit.behavior().equals("block")) {
            ObjectNode out = Json.object();
            out.set("message", blocklists.blocked(d.doc(), hit));
            return out;
        }
        ObjectNode doc = d.doc();
        if (hit != null && hit.behavior().equals("shadow_block")) {
            doc = doc.deepCopy().put("shadowed", true);
        }
        ObjectNode written = doc;
        ObjectNode out = locks.underLock(
                d.cid(),
                () -> append(
                        d.as(),
                        d.rereadChannel() ? access.requireChannel(d.cid()) : d.channel(),
                        d.type(),
                        written,
                        d.request(),
                        d.roster()));
        previewLater(d.type(), d.request().skipEnrichUrl(), out.path("message"));
        if (hit != null) {
            User author = requireNonNull(d.as().user(), "user"); // a draft acts as its message's author
            blocklists.flag(written.path("id").asText(), d.cid(), author.id(), hit);
        }
        return out;
    }

    /**
     * Hands a stored message to link previews (PROTOCOL.md §7.25) when its type has {@code url_enrichment} and the
     * sender did not set {@code skip_enrich_url}. A shadowed message is left alone: its update would reach everyone.
     */
    void previewLater(ChannelType type, boolean skipEnrichUrl, JsonNode message) {
        String kind = message.path("type").asText();
        if (skipEnrichUrl
                || !type.flag("url_enrichment")
                || message.path("shadowed").asBoolean()
                || !(kind.equals("regular") || kind.equals("reply"))) {
            return;
        }
        links.sent(message.path("id").asText(), message.path("text").asText(""), message.path("attachments"));
    }

    /**
     * The blocklist word of a draft's text that moderation applies to, or null: a server-side send is screened
     * only with {@code force_moderation}, and a user with {@code skip-message-moderation} not at all.
     */
    private Blocklists.@Nullable Hit screened(Draft d) {
        Blocklists.Hit hit =
                blocklists.match(d.type(), d.cid(), d.doc().path("text").asText(""));
        if (hit == null) {
            return null;
        }
        if (d.as().server()) {
            return d.request().forceModeration() ? hit : null;
        }
        return skipsModeration(d.as(), d.type(), d.cid(), d.roster()) ? null : hit;
    }

    /** Whether {@code actor} holds {@code skip-message-moderation} in the channel. */
    boolean skipsModeration(Actor actor, ChannelType type, String cid, @Nullable Roster roster) {
        String userId = actor.userId();
        if (userId == null) {
            return false;
        }
        RosterMember rm = roster == null ? null : roster.members().get(userId);
        String role = rm != null
                ? rm.channelRole()
                : roster != null && roster.complete()
                        ? null
                        : store.member(cid, userId).map(MemberRow::channelRole).orElse(null);
        return Permissions.allowedWithRole(actor, type, role, "skip-message-moderation", false);
    }

    /** The blocklists, for the edits of messages. */
    Blocklists blocklists() {
        return blocklists;
    }

    /** The thread parent of a reply: a message of the channel that is not a reply itself. */
    private MessageRow parent(String cid, String parentId) {
        MessageRow p = store.findMessage(parentId)
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

    /**
     * How many times a send is tried with a later time when the store refuses it for being no later than the
     * channel's latest message (a cluster's other node wrote one in between, §8.5).
     */
    private static final int TIME_ATTEMPTS = 5;

    private ObjectNode append(
            Actor actor, ChannelRow ch, ChannelType type, ObjectNode doc, SendRequest msg, Roster roster) {
        String id = doc.get("id").asText();
        Instant floor = ch.lastMessageAt();
        for (int attempt = 1; attempt <= TIME_ATTEMPTS; attempt++) {
            ObjectNode out = appendAfter(floor, actor, ch, type, doc, msg, roster);
            if (out != null) {
                return out;
            }
            if (store.findMessage(id).isPresent()) {
                throw duplicate(id);
            }
            floor = store.latestMessageTime(ch.cid()).orElse(floor);
        }
        throw new ChatException(
                ErrorCode.NOT_READY,
                "SendMessage failed with error: \"channel '" + ch.cid() + "' is busy on other nodes, try again\"");
    }

    /**
     * Writes the message with a creation time after {@code floor} and announces it; null when the store did not
     * add it (its id exists, or another node's message of the channel is as late).
     */
    private @Nullable ObjectNode appendAfter(
            @Nullable Instant floor,
            Actor actor,
            ChannelRow ch,
            ChannelType type,
            ObjectNode doc,
            SendRequest msg,
            Roster roster) {
        User author = requireNonNull(actor.user(), "user"); // a draft acts as its message's author
        String id = doc.get("id").asText();
        String parentId = msg.parentId();
        boolean showInChannel = msg.showInChannel();
        Instant now = locks.nextMessageTime(ch.cid(), clock.instant(), floor);
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
            // A pending reply joins its thread when it is committed (§7.29): until then no count shows it.
            parent = Restricted.isPending(doc) ? null : withReply(p, author, now);
        }
        quote(msg.quotedMessageId(), doc);
        if (msg.pinned()) {
            pin(doc, actor, now, msg.pinExpires());
        }
        boolean inChannel = parentId == null || showInChannel;
        MessageRow row = new MessageRow(
                id,
                ch.cid(),
                author.id(),
                parentId,
                inChannel,
                now,
                now,
                null,
                doc.path("pinned").asBoolean() ? now : null,
                doc);
        boolean restricted = Restricted.viewers(doc) != null;
        boolean counts = inChannel
                && !restricted // seen by a few: no unread count, no move up the list, no push (§7.10)
                && !doc.path("silent").asBoolean()
                && !"system".equals(doc.path("type").asText());
        ChannelRow after = counts ? ch.withMessageAt(now) : ch;
        // A new message has no reactions: every reader sees the same view, the author's as much as the watchers'.
        ObjectNode message = doc.deepCopy(); // its user is the author's, set by the skeleton
        message.set("own_reactions", Json.array());
        String pollId = doc.path("poll_id").textValue();
        if (pollId != null) { // the poll is this message's from now on, unless the write fails (§7.21)
            if (!polls.attach(pollId, id, ch.cid())) {
                throw ChatException.input(
                        "SendMessage failed with error: \"poll '" + pollId + "' was sent with another message\"");
            }
            ObjectNode pollView = polls.views(List.of(pollId), null).get(pollId);
            if (pollView != null) {
                message.set("poll", pollView);
            }
        }
        OutboundEvent event = messageNew(after, row, author, message);
        // A pending message's webhooks go out when it is committed (§7.29).
        EventRow stored = events.storedWith(event, now, !Restricted.isPending(doc));
        boolean written = false;
        try {
            written = writer.append(new MessageAppend(row, parent, counts, stored));
        } finally {
            if (!written && pollId != null) {
                polls.detach(pollId, id);
            }
        }
        if (!written) {
            return null;
        }
        announceNew(
                after,
                type,
                row,
                author,
                event,
                message,
                roster,
                stored == null ? List.of() : stored.hooks(),
                msg.skipPush() || restricted);
        if (parent != null) {
            announceUpdated(after, parent, author);
        }
        return PendingMessages.answer(message);
    }

    /** Most users one message may be restricted to. */
    static final int MAX_RESTRICTED_TO = 100;

    /** {@code restricted_visibility} as sent: null when absent or empty, else 1 to 100 user ids (code 4 otherwise). */
    private static @Nullable ArrayNode restrictedVisibility(@Nullable JsonNode sent) {
        if (sent == null || sent.isNull() || (sent.isArray() && sent.isEmpty())) {
            return null;
        }
        if (!sent.isArray() || sent.size() > MAX_RESTRICTED_TO) {
            throw ChatException.input(
                    "message.restricted_visibility must be an array of at most " + MAX_RESTRICTED_TO + " user ids");
        }
        ArrayNode out = Json.array();
        for (JsonNode u : sent) {
            if (!u.isTextual() || u.asText().isEmpty() || u.asText().length() > MAX_ID_LENGTH) {
                throw ChatException.input("message.restricted_visibility must hold user ids");
            }
            out.add(u.asText());
        }
        return out;
    }

    /**
     * Whether a send makes a pending message (§7.29): a server-side send says so with {@code pending} (either way,
     * over the type's setting); otherwise the type's {@code mark_messages_pending} decides.
     */
    private static boolean pending(Actor as, ChannelType type, SendRequest msg) {
        if (as.server() && msg.pending() != null) {
            return msg.pending();
        }
        return type.flag("mark_messages_pending");
    }

    /** Largest {@code pending_message_metadata}, in bytes of JSON. */
    static final int MAX_PENDING_METADATA = 5 * 1024;

    /** {@code pending_message_metadata} as sent: null when absent, else an object of strings (code 4 otherwise). */
    private static @Nullable ObjectNode pendingMetadata(@Nullable JsonNode sent) {
        if (sent == null || sent.isNull()) {
            return null;
        }
        if (!(sent instanceof ObjectNode o)) {
            throw ChatException.input("pending_message_metadata must be an object of strings");
        }
        o.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw ChatException.input("pending_message_metadata." + e.getKey() + " must be a string");
            }
        });
        if (Json.writeBytes(o).length > MAX_PENDING_METADATA) {
            throw ChatException.input("pending_message_metadata must be at most " + MAX_PENDING_METADATA + " bytes");
        }
        return o.deepCopy();
    }

    /**
     * {@code POST /messages/{id}/commit} (§7.29, server side): a pending message becomes a message of its channel
     * as a send would have made it at this moment, with a new creation time after the channel's latest: unread
     * counts, {@code message.new} to the watchers, notifications, push, webhooks and the thread's counts of a
     * reply. Committing a committed message answers it unchanged.
     */
    public ObjectNode commitPending(Actor actor, String messageId) {
        if (!actor.server()) {
            throw ChatException.notAllowed(
                    "CommitMessage failed with error: \"only a server-side request may commit a pending message\"");
        }
        MessageRow m0 = store.findMessage(messageId).orElseThrow(() -> notFound(messageId));
        ObjectNode out = locks.underLock(m0.cid(), () -> commitUnderLock(messageId));
        ChannelRow ch = access.requireChannel(m0.cid());
        previewLater(access.typeOf(ch), false, out.path("message"));
        return out;
    }

    private ObjectNode commitUnderLock(String id) {
        MessageRow m = store.findMessage(id).orElseThrow(() -> notFound(id));
        if (!Restricted.isPending(m.doc())) {
            return PendingMessages.answer(views.forViewer(m, null));
        }
        ChannelRow ch = access.requireChannel(m.cid());
        ChannelType type = access.typeOf(ch);
        User author = users.find(m.userId())
                .orElseThrow(() -> ChatException.input(
                        "CommitMessage failed with error: \"the author of message '" + id + "' does not exist\""));
        Instant now = locks.nextMessageTime(ch.cid(), clock.instant(), ch.lastMessageAt());
        ObjectNode doc = m.doc().deepCopy();
        doc.remove("pending");
        doc.remove("pending_message_metadata");
        doc.put("created_at", Timestamps.format(now));
        doc.put("updated_at", Timestamps.format(now));
        MessageRow parent = m.parentId() == null ? null : withReply(parent(ch.cid(), m.parentId()), author, now);
        MessageRow row = new MessageRow(
                id, m.cid(), m.userId(), m.parentId(), m.inChannel(), now, now, m.deletedAt(), m.pinnedAt(), doc);
        boolean restricted = Restricted.viewers(doc) != null;
        boolean counts = m.inChannel()
                && !restricted
                && !doc.path("silent").asBoolean()
                && !"system".equals(doc.path("type").asText());
        ChannelRow after = counts ? ch.withMessageAt(now) : ch;
        ObjectNode message = views.forViewer(row, null);
        OutboundEvent event = messageNew(after, row, author, message);
        EventRow stored = events.storedWith(event, now);
        if (!writer.append(new MessageAppend(row, parent, counts, stored, m.createdAt()))) {
            MessageRow now2 = store.findMessage(id).orElseThrow(() -> notFound(id));
            if (Restricted.isPending(now2.doc())) { // another node's message of the channel is as late
                throw new ChatException(
                        ErrorCode.NOT_READY,
                        "CommitMessage failed with error: \"channel '" + ch.cid() + "' is busy, try again\"");
            }
            return PendingMessages.answer(views.forViewer(now2, null)); // committed meanwhile
        }
        announceNew(
                after,
                type,
                row,
                author,
                event,
                message,
                store.roster(ch.cid()),
                stored == null ? List.of() : stored.hooks(),
                restricted);
        if (parent != null) {
            announceUpdated(after, parent, author);
        }
        return PendingMessages.answer(message);
    }

    private static ChatException notFound(String messageId) {
        return ChatException.notFound("message '" + ChannelServiceText.shorten(messageId) + "' does not exist");
    }

    /** Slow mode (§7.10): one message per {@code cooldown} seconds per user, code 60, unless skip-slow-mode. */
    private void slowMode(Actor actor, ChannelType type, @Nullable String member, ChannelRow ch) {
        if (ch.cooldown() <= 0
                || actor.server()
                || Permissions.allowedWithRole(
                        actor, type, member, "skip-channel-cooldown", Permissions.ownsChannel(actor, ch))) {
            return;
        }
        Instant now = clock.instant();
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

    private void quote(@Nullable String q, ObjectNode doc) {
        if (q != null) {
            // Only a message of the same channel: quoting is no way to read another channel's messages.
            store.findMessage(q)
                    .filter(m -> m.cid().equals(doc.path("cid").asText()))
                    .ifPresent(m -> {
                        doc.put("quoted_message_id", q);
                        ObjectNode quoted = m.doc().deepCopy();
                        quoted.remove("quoted_message");
                        doc.set("quoted_message", quoted);
                    });
        }
    }

    /** Pins {@code doc}; {@code expires} is RFC 3339 or null (no end). */
    static void pin(ObjectNode doc, Actor actor, Instant now, @Nullable String expires) {
        doc.put("pinned", true);
        doc.put("pinned_at", Timestamps.format(now));
        doc.set("pinned_by", actor.user() != null ? actor.user().toJson() : null);
        if (expires != null) {
            doc.put("pin_expires", Timestamps.format(Timestamps.parse(expires, "pin_expires")));
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
        base.put("watcher_count", hub.watcherCount(ch.cid()));
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
            Roster roster,
            List<dev.parley.server.store.HookStore.NewDelivery> hooked,
            boolean skipPush) {
        Set<String> watching = hub.watchingUsers(ch.cid());
        List<String> members = List.copyOf(roster.members().keySet());
        List<String> counted = new ArrayList<>(watching);
        members.stream().filter(u -> !watching.contains(u)).forEach(counted::add);
        Map<String, UnreadTotals> totals = store.unreadTotals(counted);
        events.publishStored(
                event.withVariants(
                        OutboundEvent.Variants.appending(totals, UnreadTotals.ZERO, t -> Unread.put(Json.object(), t))),
                hooked);
        List<String> others = (row.parentId() != null && !row.inChannel()
                        ? threadParticipants(row.parentId())
                        : members)
                .stream().filter(u -> !u.equals(author.id())).toList();
        if (!skipPush
                && !others.isEmpty()
                && !message.path("silent").asBoolean()
                && !message.path("shadowed").asBoolean()
                && !"system".equals(message.path("type").asText())
                && push.wants(type.name())) {
            push(ch, type, row, message, author, others, roster, totals);
        }
        boolean thread = row.parentId() != null && !row.inChannel();
        // A thread's participants hear of each reply wherever they are: their thread lists count unread threads.
        Audience audience = thread ? Audience.users(others) : Audience.notWatching(others, ch.cid());
        if (others.isEmpty() || !events.mayReach(audience)) {
            return;
        }
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
        if (thread) {
            Map<String, Integer> threads = store.unreadThreadCounts(others);
            List<String> unknown =
                    others.stream().filter(u -> !totals.containsKey(u)).toList();
            Map<String, UnreadTotals> more = unknown.isEmpty() ? Map.of() : store.unreadTotals(unknown);
            Map<String, ThreadCounters> counters = new java.util.HashMap<>();
            for (String u : others) {
                UnreadTotals t = totals.containsKey(u) ? totals.get(u) : more.getOrDefault(u, UnreadTotals.ZERO);
                counters.put(u, new ThreadCounters(t, threads.getOrDefault(u, 0)));
            }
            events.publish(OutboundEvent.of(n, audience)
                    .withVariants(OutboundEvent.Variants.appending(
                            counters,
                            new ThreadCounters(UnreadTotals.ZERO, 0),
                            c -> Unread.put(Json.object(), c.totals(), c.threads()))));
            return;
        }
        events.publish(OutboundEvent.of(n, audience)
                .withVariants(OutboundEvent.Variants.appending(
                        totals, UnreadTotals.ZERO, t -> Unread.put(Json.object(), t))));
    }

    /** What a thread's notification carries to each participant: the unread totals and the unread threads. */
    private record ThreadCounters(UnreadTotals totals, int threads) {}

    /**
     * Hands a new message to push (PROTOCOL.md §16.3), without the members the roster says muted the channel or
     * the author; the others' mutes push reads itself.
     */
    private void push(
            ChannelRow ch,
            ChannelType type,
            MessageRow row,
            ObjectNode message,
            User author,
            List<String> others,
            Roster roster,
            Map<String, UnreadTotals> totals) {
        List<String> candidates = new ArrayList<>(others.size());
        Set<String> mutesUnknown = new java.util.HashSet<>();
        for (String u : others) {
            RosterMember rm = roster.members().get(u);
            if (rm == null) {
                mutesUnknown.add(u);
                candidates.add(u);
            } else if (!rm.ignores(author.id(), row.createdAt())) {
                candidates.add(u);
            }
        }
        Map<String, int[]> unread = new java.util.HashMap<>();
        totals.forEach((u, t) -> unread.put(u, new int[] {t.messages(), t.channels()}));
        push.newMessage(new PushService.NewMessage(
                ch.cid(),
                type.name(),
                ChannelViews.channel(ch, type, null),
                message,
                (ObjectNode) message.get("user"),
                candidates,
                unread,
                mutesUnknown));
    }

    /** The users of a reply's thread: the parent's author and the thread's participants. */
    private List<String> threadParticipants(String parentId) {
        MessageRow parent = store.findMessage(parentId).orElse(null);
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
    void announceUpdated(ChannelRow ch, MessageRow row, @Nullable User actor) {
        ObjectNode e = ChannelViews.event(EventType.MESSAGE_UPDATED.wireName(), ch, clock.instant());
        e.set("message", views.forViewer(row, null));
        e.put("message_id", row.id());
        if (actor != null) {
            e.set("user", actor.toJson());
        }
        events.publish(e, Audience.watchers(ch.cid()));
    }

    private User author(Actor actor, SendRequest msg) {
        User acting = actor.user();
        if (!actor.server()) {
            return requireNonNull(acting, "user"); // Actor.user(...) never holds null
        }
        String id = msg.authorId();
        if (id.isEmpty()) {
            if (acting != null) {
                return acting;
            }
            throw ChatException.input("message.user or message.user_id is required with a server token");
        }
        return users.find(id)
                .orElseThrow(() -> ChatException.input("message.user_id: user '" + id + "' does not exist"));
    }

    /** The client's id, checked, or a new one when it sent none ({@code s} null). */
    private static String messageId(@Nullable String s) {
        if (s == null) {
            return UUID.randomUUID().toString();
        }
        // The id goes into paths (/messages/{id}) and lists (?ids=a,b): these characters would make it unreachable.
        if (s.length() > MAX_ID_LENGTH
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
