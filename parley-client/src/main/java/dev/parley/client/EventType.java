package dev.parley.client;

/** The event type names this SDK knows (PROTOCOL.md §8.3); any other string works with {@code on(type, ...)}. */
public final class EventType {
    public static final String HEALTH_CHECK = "health.check";
    public static final String USER_PRESENCE_CHANGED = "user.presence.changed";
    public static final String USER_UPDATED = "user.updated";
    public static final String MESSAGE_NEW = "message.new";
    public static final String MESSAGE_UPDATED = "message.updated";
    public static final String MESSAGE_DELETED = "message.deleted";
    public static final String MESSAGE_UNDELETED = "message.undeleted";
    public static final String MESSAGE_READ = "message.read";
    public static final String REACTION_NEW = "reaction.new";
    public static final String REACTION_UPDATED = "reaction.updated";
    public static final String REACTION_DELETED = "reaction.deleted";
    public static final String TYPING_START = "typing.start";
    public static final String TYPING_STOP = "typing.stop";
    public static final String MEMBER_ADDED = "member.added";
    public static final String MEMBER_UPDATED = "member.updated";
    public static final String MEMBER_REMOVED = "member.removed";
    public static final String CHANNEL_UPDATED = "channel.updated";
    public static final String CHANNEL_DELETED = "channel.deleted";
    public static final String CHANNEL_TRUNCATED = "channel.truncated";
    public static final String CHANNEL_HIDDEN = "channel.hidden";
    public static final String CHANNEL_VISIBLE = "channel.visible";
    public static final String USER_WATCHING_START = "user.watching.start";
    public static final String USER_WATCHING_STOP = "user.watching.stop";
    public static final String NOTIFICATION_MESSAGE_NEW = "notification.message_new";
    public static final String NOTIFICATION_MARK_READ = "notification.mark_read";
    public static final String NOTIFICATION_MARK_UNREAD = "notification.mark_unread";
    public static final String NOTIFICATION_ADDED_TO_CHANNEL = "notification.added_to_channel";
    public static final String NOTIFICATION_REMOVED_FROM_CHANNEL = "notification.removed_from_channel";
    public static final String NOTIFICATION_CHANNEL_DELETED = "notification.channel_deleted";
    public static final String NOTIFICATION_CHANNEL_TRUNCATED = "notification.channel_truncated";
    /** Local: the socket became healthy, or has been unhealthy for the offline grace period. */
    public static final String CONNECTION_CHANGED = "connection.changed";
    /** Local: a reconnect completed and watched channels were re-queried. */
    public static final String CONNECTION_RECOVERED = "connection.recovered";

    private EventType() {}
}
