package dev.parley.client.internal;

import dev.parley.client.ChannelData;
import dev.parley.client.ChannelEvent;
import dev.parley.client.Event;
import dev.parley.client.MemberEvent;
import dev.parley.client.MessageEvent;
import dev.parley.client.ReactionEvent;
import dev.parley.client.ReadEvent;
import dev.parley.client.TypingEvent;
import dev.parley.client.WatchingEvent;
import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The typed views of the channel events of PROTOCOL.md §8.3, made from the protocol's event record. An event
 * missing a field its view needs is not typed ({@link #parse} returns null, and it stays a
 * {@code GenericEvent}). Stateless.
 */
final class ChatEvents {
    private ChatEvents() {}

    /** The typed view of {@code wire}, or null when its type has none or a required field is missing. */
    static @Nullable Event parse(dev.parley.protocol.Event wire, Instant at, JsonObject raw) {
        String type = wire.type();
        String cid = cid(wire);
        return switch (wire.knownType().get()) {
            case MESSAGE_NEW, MESSAGE_UPDATED, MESSAGE_DELETED, MESSAGE_UNDELETED, NOTIFICATION_MESSAGE_NEW ->
                wire.message() != null && cid != null
                        ? new MessageEvent(type, cid, wire.message(), user(wire), isTrue(wire.hardDelete()), at, raw)
                        : null;
            case REACTION_NEW, REACTION_UPDATED, REACTION_DELETED ->
                wire.message() != null && wire.reaction() != null && cid != null
                        ? new ReactionEvent(type, cid, wire.message(), wire.reaction(), user(wire), at, raw)
                        : null;
            case TYPING_START, TYPING_STOP ->
                wire.user() != null && cid != null
                        ? new TypingEvent(type, cid, wire.user(), Optional.ofNullable(wire.parentId()), at, raw)
                        : null;
            case MESSAGE_READ, NOTIFICATION_MARK_READ, NOTIFICATION_MARK_UNREAD ->
                // marking every channel read (POST /channels/read) sends notification.mark_read without a cid
                cid == null && wire.knownType().get() != EventType.NOTIFICATION_MARK_READ
                        ? null
                        : new ReadEvent(
                                type,
                                cid,
                                user(wire),
                                Optional.ofNullable(wire.lastReadMessageId()),
                                orZero(wire.unreadMessages()),
                                orZero(wire.unreadCount()),
                                orZero(wire.totalUnreadCount()),
                                orZero(wire.unreadChannels()),
                                at,
                                raw);
            case MEMBER_ADDED, MEMBER_UPDATED, MEMBER_REMOVED -> member(wire, cid, at, raw);
            case CHANNEL_UPDATED,
                    CHANNEL_DELETED,
                    CHANNEL_TRUNCATED,
                    CHANNEL_HIDDEN,
                    CHANNEL_VISIBLE,
                    NOTIFICATION_ADDED_TO_CHANNEL,
                    NOTIFICATION_REMOVED_FROM_CHANNEL,
                    NOTIFICATION_CHANNEL_DELETED,
                    NOTIFICATION_CHANNEL_TRUNCATED -> channel(wire, cid, at, raw);
            case USER_WATCHING_START, USER_WATCHING_STOP ->
                wire.user() != null && cid != null
                        ? new WatchingEvent(type, cid, wire.user(), orZero(wire.watcherCount()), at, raw)
                        : null;
            default -> null;
        };
    }

    private static @Nullable Event member(
            dev.parley.protocol.Event wire, @Nullable String cid, Instant at, JsonObject raw) {
        Optional<Member> member = Optional.ofNullable(wire.member());
        User user = user(wire).orElseGet(() -> member.map(Member::user).orElse(null));
        return cid == null || user == null ? null : new MemberEvent(wire.type(), cid, member, user, at, raw);
    }

    private static @Nullable Event channel(
            dev.parley.protocol.Event wire, @Nullable String cid, Instant at, JsonObject raw) {
        Optional<ChannelData> channel = Optional.ofNullable(wire.channel()).map(ChannelData::from);
        String c = cid != null ? cid : channel.map(ChannelData::cid).orElse(null);
        if (c == null) {
            return null;
        }
        return new ChannelEvent(
                wire.type(),
                c,
                channel,
                user(wire),
                Optional.ofNullable(wire.member()),
                Optional.ofNullable(wire.message()),
                isTrue(wire.clearHistory()),
                at,
                raw);
    }

    private static @Nullable String cid(dev.parley.protocol.Event wire) {
        if (wire.cid() != null && !wire.cid().equals("*")) {
            return wire.cid();
        }
        return wire.channelType() != null && wire.channelId() != null
                ? wire.channelType() + ":" + wire.channelId()
                : null;
    }

    private static Optional<User> user(dev.parley.protocol.Event wire) {
        return Optional.ofNullable(wire.user());
    }

    private static int orZero(@Nullable Integer v) {
        return v == null ? 0 : v;
    }

    private static boolean isTrue(@Nullable Boolean v) {
        return v != null && v;
    }
}
