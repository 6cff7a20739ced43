package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.User;
import java.time.Instant;

/**
 * {@code user.updated}: a user's fields changed (upsert or partial update).
 *
 * @param user the user after the change
 */
public record UserUpdatedEvent(User user, Instant createdAt, ObjectNode raw) implements Event {
    @Override
    public String type() {
        return EventType.USER_UPDATED;
    }
}
