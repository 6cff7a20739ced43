package dev.parley.protocol;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The event types the server sends (PROTOCOL.md §8.3), each with its name on the wire. Clients may also send
 * custom events of any other name through the channel event endpoint (§7.0); those are not in this table,
 * which is why a lookup by name is an {@link Optional}.
 */
public enum EventType {
    HEALTH_CHECK("health.check"),
    CONNECTION_ERROR("connection.error"),

    MESSAGE_NEW("message.new"),
    MESSAGE_UPDATED("message.updated"),
    MESSAGE_DELETED("message.deleted"),
    THREAD_UPDATED("thread.updated"),
    MESSAGE_UNDELETED("message.undeleted"),
    MESSAGE_READ("message.read"),
    MESSAGE_DELIVERED("message.delivered"),

    POLL_UPDATED("poll.updated"),
    POLL_CLOSED("poll.closed"),
    POLL_DELETED("poll.deleted"),
    POLL_VOTE_CASTED("poll.vote_casted"),
    POLL_VOTE_CHANGED("poll.vote_changed"),
    POLL_VOTE_REMOVED("poll.vote_removed"),

    REACTION_NEW("reaction.new"),
    REACTION_UPDATED("reaction.updated"),
    REACTION_DELETED("reaction.deleted"),

    TYPING_START("typing.start"),
    TYPING_STOP("typing.stop"),

    MEMBER_ADDED("member.added"),
    MEMBER_UPDATED("member.updated"),
    MEMBER_REMOVED("member.removed"),

    CHANNEL_CREATED("channel.created"),
    CHANNEL_UPDATED("channel.updated"),
    CHANNEL_DELETED("channel.deleted"),
    CHANNEL_TRUNCATED("channel.truncated"),
    CHANNEL_HIDDEN("channel.hidden"),
    CHANNEL_VISIBLE("channel.visible"),

    USER_WATCHING_START("user.watching.start"),
    USER_WATCHING_STOP("user.watching.stop"),
    USER_PRESENCE_CHANGED("user.presence.changed"),
    USER_UPDATED("user.updated"),
    USER_DELETED("user.deleted"),
    USER_DEACTIVATED("user.deactivated"),
    USER_REACTIVATED("user.reactivated"),
    USER_BANNED("user.banned"),
    USER_MUTED("user.muted"),
    USER_UNMUTED("user.unmuted"),
    USER_FLAGGED("user.flagged"),
    MESSAGE_FLAGGED("message.flagged"),
    CHANNEL_MUTED("channel.muted"),
    CHANNEL_UNMUTED("channel.unmuted"),
    USER_UNBANNED("user.unbanned"),
    USER_UNREAD_MESSAGE_REMINDER("user.unread_message_reminder"),

    NOTIFICATION_MESSAGE_NEW("notification.message_new"),
    NOTIFICATION_THREAD_MESSAGE_NEW("notification.thread_message_new"),
    NOTIFICATION_MARK_READ("notification.mark_read"),
    NOTIFICATION_MARK_UNREAD("notification.mark_unread"),
    NOTIFICATION_ADDED_TO_CHANNEL("notification.added_to_channel"),
    NOTIFICATION_REMOVED_FROM_CHANNEL("notification.removed_from_channel"),
    NOTIFICATION_INVITED("notification.invited"),
    NOTIFICATION_INVITE_ACCEPTED("notification.invite_accepted"),
    NOTIFICATION_INVITE_REJECTED("notification.invite_rejected"),
    NOTIFICATION_CHANNEL_DELETED("notification.channel_deleted"),
    NOTIFICATION_CHANNEL_TRUNCATED("notification.channel_truncated"),
    NOTIFICATION_MUTES_UPDATED("notification.mutes_updated"),
    NOTIFICATION_CHANNEL_MUTES_UPDATED("notification.channel_mutes_updated"),

    DRAFT_UPDATED("draft.updated"),
    DRAFT_DELETED("draft.deleted"),

    REMINDER_CREATED("reminder.created"),
    REMINDER_UPDATED("reminder.updated"),
    REMINDER_DELETED("reminder.deleted"),
    NOTIFICATION_REMINDER_DUE("notification.reminder_due");

    private static final Map<String, EventType> BY_WIRE_NAME = Collections.unmodifiableMap(
            Stream.of(values()).collect(Collectors.toMap(EventType::wireName, Function.identity())));

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the event's {@code type} field. */
    public String wireName() {
        return wireName;
    }

    /** The type with this wire name; empty for custom event names. */
    public static Optional<EventType> fromWireName(String name) {
        return Optional.ofNullable(BY_WIRE_NAME.get(name));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
