package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ChannelData;
import dev.parley.client.ChannelEvent;
import dev.parley.client.Event;
import dev.parley.client.EventType;
import dev.parley.client.Member;
import dev.parley.client.MemberEvent;
import dev.parley.client.Message;
import dev.parley.client.MessageEvent;
import dev.parley.client.Reaction;
import dev.parley.client.ReactionEvent;
import dev.parley.client.ReadEvent;
import dev.parley.client.TypingEvent;
import dev.parley.client.WatchingEvent;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The typed views of the channel events of PROTOCOL.md §8.3. An event missing a field its view needs
 * is not typed ({@link #parse} returns null, and it stays a {@code GenericEvent}). Stateless.
 */
final class ChatEvents {
    private ChatEvents() {}

    /**
     * The typed view of {@code raw}, or null when {@code type} has none or a required field is missing.
     *
     * @throws ChatException when a typed field has the wrong JSON type
     */
    static @Nullable Event parse(String type, Instant at, ObjectNode raw) {
        String cid = cid(raw);
        return switch (type) {
            case EventType.MESSAGE_NEW, EventType.MESSAGE_UPDATED, EventType.MESSAGE_DELETED,
                    EventType.MESSAGE_UNDELETED, EventType.NOTIFICATION_MESSAGE_NEW ->
                    has(raw, "message") && cid != null ? new MessageEvent(type, cid, Message.fromJson(raw.get("message")),
                            user(raw), Wire.bool(raw, "event", "hard_delete", false), at, raw) : null;
            case EventType.REACTION_NEW, EventType.REACTION_UPDATED, EventType.REACTION_DELETED ->
                    has(raw, "message") && has(raw, "reaction") && cid != null
                            ? new ReactionEvent(type, cid, Message.fromJson(raw.get("message")),
                                    Reaction.fromJson(raw.get("reaction")), user(raw), at, raw)
                            : null;
            case EventType.TYPING_START, EventType.TYPING_STOP -> has(raw, "user") && cid != null
                    ? new TypingEvent(type, cid, User.fromJson(raw.get("user")),
                            Optional.ofNullable(Wire.text(raw, "event", "parent_id")), at, raw)
                    : null;
            case EventType.MESSAGE_READ, EventType.NOTIFICATION_MARK_READ, EventType.NOTIFICATION_MARK_UNREAD ->
                    // marking every channel read (POST /channels/read) sends notification.mark_read without a cid
                    cid == null && !type.equals(EventType.NOTIFICATION_MARK_READ) ? null : new ReadEvent(type, cid, user(raw),
                            Optional.ofNullable(Wire.text(raw, "event", "last_read_message_id")),
                            Wire.integer(raw, "event", "unread_messages", 0), Wire.integer(raw, "event", "unread_count", 0),
                            Wire.integer(raw, "event", "total_unread_count", 0),
                            Wire.integer(raw, "event", "unread_channels", 0), at, raw);
            case EventType.MEMBER_ADDED, EventType.MEMBER_UPDATED, EventType.MEMBER_REMOVED -> member(type, cid, at, raw);
            case EventType.CHANNEL_UPDATED, EventType.CHANNEL_DELETED, EventType.CHANNEL_TRUNCATED,
                    EventType.CHANNEL_HIDDEN, EventType.CHANNEL_VISIBLE, EventType.NOTIFICATION_ADDED_TO_CHANNEL,
                    EventType.NOTIFICATION_REMOVED_FROM_CHANNEL, EventType.NOTIFICATION_CHANNEL_DELETED,
                    EventType.NOTIFICATION_CHANNEL_TRUNCATED -> channel(type, cid, at, raw);
            case EventType.USER_WATCHING_START, EventType.USER_WATCHING_STOP -> has(raw, "user") && cid != null
                    ? new WatchingEvent(type, cid, User.fromJson(raw.get("user")),
                            Wire.integer(raw, "event", "watcher_count", 0), at, raw)
                    : null;
            default -> null;
        };
    }

    private static @Nullable Event member(String type, @Nullable String cid, Instant at, ObjectNode raw) {
        Optional<Member> member = has(raw, "member") ? Optional.of(Member.fromJson(raw.get("member"))) : Optional.empty();
        User user = user(raw).or(() -> member.map(Member::user)).orElse(null);
        return cid == null || user == null ? null : new MemberEvent(type, cid, member, user, at, raw);
    }

    private static @Nullable Event channel(String type, @Nullable String cid, Instant at, ObjectNode raw) {
        Optional<ChannelData> channel = has(raw, "channel")
                ? Optional.of(ChannelData.fromJson(raw.get("channel")))
                : Optional.empty();
        String c = cid != null ? cid : channel.map(ChannelData::cid).orElse(null);
        if (c == null) {
            return null;
        }
        return new ChannelEvent(type, c, channel, user(raw),
                has(raw, "member") ? Optional.of(Member.fromJson(raw.get("member"))) : Optional.empty(),
                has(raw, "message") ? Optional.of(Message.fromJson(raw.get("message"))) : Optional.empty(),
                Wire.bool(raw, "event", "clear_history", false), at, raw);
    }

    private static @Nullable String cid(ObjectNode raw) {
        JsonNode cid = raw.get("cid");
        if (cid != null && cid.isTextual() && !cid.asText().equals("*")) {
            return cid.asText();
        }
        JsonNode type = raw.get("channel_type");
        JsonNode id = raw.get("channel_id");
        return type != null && id != null && type.isTextual() && id.isTextual() ? type.asText() + ":" + id.asText() : null;
    }

    private static Optional<User> user(ObjectNode raw) {
        return has(raw, "user") ? Optional.of(User.fromJson(raw.get("user"))) : Optional.empty();
    }

    private static boolean has(ObjectNode raw, String field) {
        JsonNode n = raw.get(field);
        return n != null && n.isObject();
    }
}
