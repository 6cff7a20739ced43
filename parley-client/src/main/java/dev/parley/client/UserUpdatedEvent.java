package dev.parley.client;

import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.User;
import java.time.Instant;

/**
 * {@code user.updated}: a user's fields changed (upsert or partial update).
 *
 * @param user the user after the change
 */
public record UserUpdatedEvent(User user, Instant createdAt, JsonObject raw) implements Event {
    @Override
    public String type() {
        return EventType.USER_UPDATED.wireName();
    }
}
