package dev.parley.client;

import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.User;
import java.time.Instant;

/**
 * {@code user.presence.changed}: a user whose presence this connection watches went online or offline.
 *
 * @param user the user, with {@code online} and {@code last_active} current
 */
public record UserPresenceChangedEvent(User user, Instant createdAt, JsonObject raw) implements Event {
    @Override
    public String type() {
        return EventType.USER_PRESENCE_CHANGED.wireName();
    }
}
