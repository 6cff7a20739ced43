package dev.parley.client;

import java.util.Optional;

/**
 * The events this SDK emits itself, never sent by a server (PROTOCOL.md §3.5). The server's event types are
 * {@link dev.parley.protocol.EventType}; both work with {@code on(...)}, as does any custom name.
 */
public enum LocalEventType {
    /** The socket became healthy, or has been unhealthy for the offline grace period. */
    CONNECTION_CHANGED("connection.changed"),
    /** A reconnect completed and watched channels were watched again. */
    CONNECTION_RECOVERED("connection.recovered");

    private final String wireName;

    LocalEventType(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the event's {@code type} field. */
    public String wireName() {
        return wireName;
    }

    /** The local type with this name; empty for any other name. */
    public static Optional<LocalEventType> fromWireName(String name) {
        for (LocalEventType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
