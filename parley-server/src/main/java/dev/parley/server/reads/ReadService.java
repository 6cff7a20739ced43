package dev.parley.server.reads;

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
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.Restricted;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.ChannelUnread;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.UnreadTotals;
import dev.parley.server.store.ChatStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read state and unread counts (PROTOCOL.md §6.6, §7.8 C13 to C15, §7.16, §7.17): mark read and unread
 * with {@code message.read}, {@code notification.mark_read} and {@code notification.mark_unread}, the
 * counters of {@code me}, {@code GET /unread} and the replay of {@code POST /sync}. Thread-safe; blocking.
 */
public final class ReadService {
    public static final int MAX_SYNC_EVENTS = 2000;
    static final Duration MAX_SYNC_AGE = Duration.ofDays(30);

    private final ChatStore store;
    private final ChannelAccess access;
    private final ChannelLocks locks;
    private final EventPublisher events;
    private final Clock clock;

    public ReadService(ChatStore store, ChannelAccess access, ChannelLocks locks, EventPublisher events, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.locks = requireNonNull(locks, "locks");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The user's unread totals, for {@code me}. */
    public UnreadTotals totals(String userId) {
        return store.unreadTotals(userId);
    }

    /** How many threads the user has unread replies in, for {@code me} (PROTOCOL.md §7.18). */
    public int unreadThreads(String userId) {
        return store.unreadThreadCount(userId);
    }

    /** {@code me}'s counters on {@code target}: the unread totals and the unread threads. */
    public ObjectNode putCounters(ObjectNode target, String userId) {
        return Unread.put(target, totals(userId), unreadThreads(userId));
    }

    /**
     * {@code POST /channels/{type}/{id}/read}: everything read up to the newest message, or with {@code thread_id}
     * the thread up to its newest reply (the channel's own read state stays as it is).
     */
    public ObjectNode markRead(Actor actor, String cid, ObjectNode body) {
        String threadId = body.path("thread_id").asText("");
        if (!threadId.isEmpty()) {
            return markThreadRead(actor, cid, threadId);
        }
        return markRead(actor, cid);
    }

    /** {@code POST /channels/{type}/{id}/read} without a thread: everything read up to the newest message. */
    public ObjectNode markRead(Actor actor, String cid) {
        User user = requireUser(actor, "MarkRead");
        return locks.underLock(cid, () -> {
            ChannelRow ch = access.requireChannel(cid);
            ChannelType type = access.typeOf(ch);
            List<MessageRow> newest = store.channelMessages(cid, MessageRange.latest(1));
            String lastId = newest.isEmpty() ? null : newest.getLast().id();
            Instant now = clock.instant();
            if (!store.setRead(cid, user.id(), now, lastId, 0)) {
                throw notMember("MarkRead", user, cid);
            }
            ObjectNode e = ChannelViews.event(EventType.MESSAGE_READ.wireName(), ch, now);
            e.set("user", user.toJson());
            if (lastId != null) {
                e.put("last_read_message_id", lastId);
            }
            if (type.flag("read_events") && !readReceiptsOff(user)) {
                events.publish(e, Audience.watchers(cid));
            }
            ObjectNode n = ChannelViews.event(EventType.NOTIFICATION_MARK_READ.wireName(), ch, now);
            n.set("channel", ChannelViews.channel(ch, type, null));
            n.set("user", user.toJson());
            if (lastId != null) {
                n.put("last_read_message_id", lastId);
            }
            events.publish(putCounters(n, user.id()), Audience.user(user.id()));
            ObjectNode out = Json.object();
            out.set("event", e);
            return out;
        });
    }

    /**
     * A thread read up to its newest reply (PROTOCOL.md §7.18): {@code message.read} with the thread to the
     * channel's watchers, {@code notification.mark_read} with {@code thread_id} and the counters to the user.
     */
    private ObjectNode markThreadRead(Actor actor, String cid, String parentId) {
        User user = requireUser(actor, "MarkRead");
        return locks.underLock(cid, () -> {
            ChannelRow ch = access.requireChannel(cid);
            ChannelType type = access.typeOf(ch);
            if (store.member(cid, user.id()).isEmpty()) {
                throw notMember("MarkRead", user, cid);
            }
            MessageRow parent = threadParent(cid, parentId);
            List<MessageRow> newest = store.replies(parent.id(), MessageRange.latest(1));
            String lastId = newest.isEmpty() ? null : newest.getLast().id();
            Instant now = clock.instant();
            store.setThreadRead(parent.id(), user.id(), now, lastId, 0);
            ObjectNode thread = threadRef(ch, parent);
            ObjectNode e = ChannelViews.event(EventType.MESSAGE_READ.wireName(), ch, now);
            e.set("user", user.toJson());
            e.set("thread", thread);
            if (lastId != null) {
                e.put("last_read_message_id", lastId);
            }
            if (type.flag("read_events") && !readReceiptsOff(user)) {
                events.publish(e, Audience.watchers(cid));
            }
            ObjectNode n = ChannelViews.event(EventType.NOTIFICATION_MARK_READ.wireName(), ch, now);
            n.set("user", user.toJson());
            n.put("thread_id", parent.id());
            n.set("thread", thread);
            if (lastId != null) {
                n.put("last_read_message_id", lastId);
            }
            events.publish(putCounters(n, user.id()), Audience.user(user.id()));
            ObjectNode out = Json.object();
            out.set("event", e);
            return out;
        });
    }

    /**
     * A thread marked unread (PROTOCOL.md §7.18): from {@code message_id} (one of its replies) on, or only its
     * newest reply; {@code notification.mark_unread} with {@code thread_id} to the user.
     */
    private ObjectNode markThreadUnread(User user, String cid, String parentId, String messageId) {
        return locks.underLock(cid, () -> {
            ChannelRow ch = access.requireChannel(cid);
            if (store.member(cid, user.id()).isEmpty()) {
                throw notMember("MarkUnread", user, cid);
            }
            MessageRow parent = threadParent(cid, parentId);
            MessageRow from;
            if (messageId.isEmpty()) {
                List<MessageRow> newest = store.replies(parent.id(), MessageRange.latest(1));
                if (newest.isEmpty()) {
                    throw ChatException.input("thread '" + parentId + "' has no replies to mark unread");
                }
                from = newest.getLast();
            } else {
                from = store.findMessage(messageId)
                        .filter(m -> parent.id().equals(m.parentId()))
                        .orElseThrow(() -> ChatException.notFound(
                                "message '" + messageId + "' is not a reply of thread '" + parentId + "'"));
            }
            int unread = store.replies(
                            parent.id(), new MessageRange(null, false, from.cursor(), true, MAX_THREAD_UNREAD, true))
                    .size();
            List<MessageRow> before =
                    store.replies(parent.id(), new MessageRange(from.cursor(), false, null, false, 1, false));
            String lastReadId = before.isEmpty() ? null : before.getFirst().id();
            Instant lastRead = from.createdAt().minus(1, ChronoUnit.MICROS);
            store.setThreadRead(parent.id(), user.id(), lastRead, lastReadId, unread);
            ObjectNode n = ChannelViews.event(EventType.NOTIFICATION_MARK_UNREAD.wireName(), ch, clock.instant());
            n.set("user", user.toJson());
            n.put("thread_id", parent.id());
            n.put("first_unread_message_id", from.id());
            if (lastReadId != null) {
                n.put("last_read_message_id", lastReadId);
            }
            n.put("last_read_at", Timestamps.format(lastRead));
            n.put("unread_messages", unread);
            events.publish(putCounters(n, user.id()), Audience.user(user.id()));
            return Json.object();
        });
    }

    /** Most replies a thread marked unread counts. */
    static final int MAX_THREAD_UNREAD = 1000;

    /** The parent of thread {@code parentId} in channel {@code cid}, or code 16. */
    private MessageRow threadParent(String cid, String parentId) {
        return store.findMessage(parentId)
                .filter(m -> m.cid().equals(cid) && m.parentId() == null)
                .orElseThrow(() ->
                        ChatException.notFound("thread '" + parentId + "' does not exist in channel '" + cid + "'"));
    }

    /** What read events carry of a thread: enough to tell which one, with its title and times. */
    private ObjectNode threadRef(ChannelRow ch, MessageRow parent) {
        ObjectNode t = Json.object();
        t.put("channel_cid", ch.cid());
        t.put("parent_message_id", parent.id());
        t.put("created_by_user_id", parent.userId());
        store.thread(parent.id()).ifPresent(row -> {
            if (row.title() != null) {
                t.put("title", row.title());
            }
            t.put("created_at", Timestamps.format(row.createdAt()));
            t.put("updated_at", Timestamps.format(row.updatedAt()));
            t.put("last_message_at", Timestamps.format(row.lastMessageAt()));
        });
        return t;
    }

    /** {@code POST /channels/{type}/{id}/unread}: unread from {@code message_id} on. */
    public ObjectNode markUnread(Actor actor, String cid, ObjectNode body) {
        User user = requireUser(actor, "MarkUnread");
        String messageId = body.path("message_id").asText("");
        String threadId = body.path("thread_id").asText("");
        if (!threadId.isEmpty()) {
            return markThreadUnread(user, cid, threadId, messageId);
        }
        if (messageId.isEmpty()) {
            throw ChatException.input("message_id is required");
        }
        return locks.underLock(cid, () -> {
            ChannelRow ch = access.requireChannel(cid);
            MessageRow from = store.findMessage(messageId)
                    .filter(m -> m.cid().equals(cid))
                    .orElseThrow(() -> ChatException.notFound(
                            "message '" + messageId + "' does not exist in channel '" + cid + "'"));
            int unread = store.countChannelMessagesFrom(cid, from.cursor());
            List<MessageRow> before =
                    store.channelMessages(cid, new MessageRange(from.cursor(), false, null, false, 1, false));
            String lastReadId = before.isEmpty() ? null : before.getFirst().id();
            Instant lastRead = from.createdAt().minus(1, ChronoUnit.MICROS);
            if (!store.setRead(cid, user.id(), lastRead, lastReadId, unread)) {
                throw notMember("MarkUnread", user, cid);
            }
            ObjectNode n = ChannelViews.event(EventType.NOTIFICATION_MARK_UNREAD.wireName(), ch, clock.instant());
            n.set("user", user.toJson());
            n.put("first_unread_message_id", from.id());
            if (lastReadId != null) {
                n.put("last_read_message_id", lastReadId);
            }
            n.put("last_read_at", Timestamps.format(lastRead));
            n.put("unread_messages", unread);
            events.publish(putCounters(n, user.id()), Audience.user(user.id()));
            return Json.object();
        });
    }

    /** Most entries of one {@code POST /channels/delivered}. */
    public static final int MAX_DELIVERED = 100;

    /**
     * {@code POST /channels/delivered} (C16): records the newest delivered message per channel and sends
     * {@code message.delivered} to the watchers, unless the user turned delivery receipts off.
     */
    public ObjectNode markDelivered(Actor actor, ObjectNode body) {
        User user = requireUser(actor, "MarkDelivered");
        JsonNode list = body.get("latest_delivered_messages");
        if (list == null || !list.isArray() || list.size() > MAX_DELIVERED) {
            throw ChatException.input(
                    "latest_delivered_messages must be an array of at most " + MAX_DELIVERED + " {cid, id} objects");
        }
        for (JsonNode d : list) {
            String cid = d.path("cid").asText("");
            String id = d.path("id").asText("");
            if (cid.isEmpty() || id.isEmpty()) {
                throw ChatException.input("latest_delivered_messages entries need cid and id");
            }
            delivered(user, cid, id);
        }
        return Json.object();
    }

    private void delivered(User user, String cid, String messageId) {
        ChannelRow ch = access.requireChannel(cid);
        ChannelType type = access.typeOf(ch);
        if (!type.flag("delivery_events") || store.member(cid, user.id()).isEmpty()) {
            return;
        }
        MessageRow m = store.findMessage(messageId)
                .filter(x -> x.cid().equals(cid))
                .orElseThrow(() ->
                        ChatException.notFound("message '" + messageId + "' does not exist in channel '" + cid + "'"));
        Instant now = clock.instant();
        store.setDelivered(new dev.parley.server.store.ChatRows.Delivery(cid, user.id(), now, m.id()));
        if (privacyOff(user, "delivery_receipts")) {
            return;
        }
        ObjectNode e = ChannelViews.event(EventType.MESSAGE_DELIVERED.wireName(), ch, now);
        e.set("user", user.toJson());
        e.put("last_delivered_at", Timestamps.format(now));
        e.put("last_delivered_message_id", m.id());
        events.publish(e, Audience.watchers(cid));
    }

    /** {@code POST /channels/read}: every channel of the user (or the listed ones) read. */
    public ObjectNode markAllRead(Actor actor, ObjectNode body) {
        User user = requireUser(actor, "MarkAllRead");
        List<String> cids = new ArrayList<>();
        if (body.path("read_by_channel").isObject()) {
            body.get("read_by_channel").fieldNames().forEachRemaining(cids::add);
        } else {
            store.unreadChannels(user.id(), 10_000).forEach(u -> cids.add(u.cid()));
        }
        for (String cid : cids) {
            if (store.member(cid, user.id()).isPresent()) {
                markRead(actor, cid);
            }
        }
        return Json.object();
    }

    /** {@code GET /unread} (§7.17). */
    public ObjectNode unread(Actor actor) {
        User user = requireUser(actor, "UnreadCounts");
        UnreadTotals t = totals(user.id());
        ObjectNode out = Json.object();
        out.put("total_unread_count", t.messages());
        List<dev.parley.server.store.ChatRows.ThreadParticipant> threads = store.unreadThreads(user.id(), 100);
        out.put("total_unread_threads_count", unreadThreads(user.id()));
        ArrayNode chans = out.putArray("channels");
        Map<String, int[]> byType = new LinkedHashMap<>();
        for (ChannelUnread u : store.unreadChannels(user.id(), 100)) {
            ObjectNode c = chans.addObject();
            c.put("channel_id", u.cid());
            c.put("unread_count", u.unread());
            c.put("last_read", Timestamps.format(u.lastRead()));
            int[] agg = byType.computeIfAbsent(u.type(), k -> new int[2]);
            agg[0]++;
            agg[1] += u.unread();
        }
        ArrayNode types = out.putArray("channel_type");
        byType.forEach((type, agg) -> types.addObject()
                .put("channel_type", type)
                .put("channel_count", agg[0])
                .put("unread_count", agg[1]));
        ArrayNode th = out.putArray("threads");
        for (var p : threads) {
            ObjectNode o = th.addObject();
            o.put("parent_message_id", p.parentId());
            o.put("unread_count", p.unread());
            if (p.lastRead() != null) {
                o.put("last_read", Timestamps.format(p.lastRead()));
            }
            if (p.lastReadMessageId() != null) {
                o.put("last_read_message_id", p.lastReadMessageId());
            }
        }
        return out;
    }

    /** {@code POST /unread_batch} (N2, server side): unread totals of up to 100 users. */
    public ObjectNode unreadBatch(Actor actor, ObjectNode body) {
        if (!actor.server()) {
            throw ChatException.notAllowed(
                    "UnreadCountsBatch failed with error: \"this endpoint needs a server-side token\"");
        }
        JsonNode ids = body.get("user_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > 100) {
            throw ChatException.input("user_ids must be an array of 1 to 100 user ids");
        }
        List<String> users = new ArrayList<>();
        ids.forEach(i -> users.add(i.asText()));
        ObjectNode out = Json.object();
        ObjectNode counts = out.putObject("counts_by_user");
        Map<String, Integer> threads = store.unreadThreadCounts(users);
        store.unreadTotals(users).forEach((u, t) -> {
            ObjectNode c = counts.putObject(u);
            c.put("total_unread_count", t.messages());
            c.put("total_unread_threads_count", threads.getOrDefault(u, 0));
            c.putArray("channels");
            c.putArray("channel_type");
            c.putArray("threads");
        });
        return out;
    }

    /** {@code POST /sync} (§7.16): persisted events of the channels since {@code last_sync_at}. */
    public ObjectNode sync(Actor actor, ObjectNode body) {
        User user = requireUser(actor, "Sync");
        JsonNode cidsNode = body.get("channel_cids");
        if (cidsNode == null
                || !cidsNode.isArray()
                || !body.path("last_sync_at").isTextual()) {
            throw ChatException.input("channel_cids (array) and last_sync_at (RFC 3339) are required");
        }
        Instant since = Timestamps.parse(body.get("last_sync_at").asText(), "last_sync_at");
        if (since.isBefore(clock.instant().minus(MAX_SYNC_AGE))) {
            throw ChatException.input("last_sync_at is older than 30 days");
        }
        List<String> accessible = new ArrayList<>();
        List<String> inaccessible = new ArrayList<>();
        for (JsonNode c : cidsNode) {
            String cid = c.asText();
            boolean ok = store.member(cid, user.id()).isPresent() || actor.server();
            (ok ? accessible : inaccessible).add(cid);
        }
        List<ObjectNode> replay = store.eventsSince(accessible, user.id(), since, MAX_SYNC_EVENTS + 1);
        if (replay.size() > MAX_SYNC_EVENTS) {
            throw new ChatException(
                    ErrorCode.REQUEST_TIMEOUT,
                    "too many events to sync since " + body.get("last_sync_at").asText());
        }
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("events");
        replay.stream()
                .filter(e -> actor.server() || Restricted.visibleTo(e.path("message"), user.id()))
                .forEach(arr::add);
        if (body.path("with_inaccessible_cids").asBoolean(false)) {
            ArrayNode in = out.putArray("inaccessible_cids");
            inaccessible.forEach(in::add);
        } else {
            // Without the list, a channel the user lost is reported the way the mock backend does.
            for (String cid : inaccessible) {
                ObjectNode e = arr.addObject();
                e.put("type", EventType.NOTIFICATION_REMOVED_FROM_CHANNEL.wireName());
                e.put("cid", cid);
                int colon = cid.indexOf(':');
                if (colon > 0) {
                    e.put("channel_type", cid.substring(0, colon));
                    e.put("channel_id", cid.substring(colon + 1));
                }
                e.set("user", user.toJson());
                e.put("created_at", Timestamps.format(clock.instant()));
            }
        }
        return out;
    }

    private static boolean readReceiptsOff(User u) {
        return privacyOff(u, "read_receipts");
    }

    private static boolean privacyOff(User u, String setting) {
        JsonNode p = u.custom().get("privacy_settings");
        return p != null
                && p.path(setting).path("enabled").isBoolean()
                && !p.path(setting).path("enabled").asBoolean();
    }

    private static User requireUser(Actor actor, String endpoint) {
        User user = actor.user();
        if (user == null) {
            throw ChatException.input(endpoint + " failed with error: \"user_id is required with a server token\"");
        }
        return user;
    }

    private static ChatException notMember(String endpoint, User user, String cid) {
        return ChatException.notAllowed(
                endpoint + " failed with error: \"user '" + user.id() + "' is not a member of channel '" + cid + "'\"");
    }
}
