package dev.parley.client;

/** The event type names this SDK knows (PROTOCOL.md §8.3); any other string works with {@code on(type, ...)}. */
public final class EventType {
    public static final String HEALTH_CHECK = "health.check";
    public static final String USER_PRESENCE_CHANGED = "user.presence.changed";
    public static final String USER_UPDATED = "user.updated";
    /** Local: the socket became healthy, or has been unhealthy for the offline grace period. */
    public static final String CONNECTION_CHANGED = "connection.changed";
    /** Local: a reconnect completed and watched channels were re-queried. */
    public static final String CONNECTION_RECOVERED = "connection.recovered";

    private EventType() {}
}
