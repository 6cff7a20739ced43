package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.User;
import java.time.Instant;

/**
 * {@code user.presence.changed}: a user whose presence this connection watches went online or offline.
 *
 * @param user the user, with {@code online} and {@code last_active} current
 */
public record UserPresenceChangedEvent(User user, Instant createdAt, ObjectNode raw) implements Event {
    @Override
    public String type() {
        return EventType.USER_PRESENCE_CHANGED;
    }
}
