package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Local {@code connection.recovered} (PROTOCOL.md §3.5): a reconnect completed with a new connection id,
 * and the channels watched before the drop were watched again.
 *
 * @param connectionId the new connection id
 */
public record ConnectionRecoveredEvent(String connectionId, Instant createdAt, ObjectNode raw) implements Event {
    @Override
    public String type() {
        return EventType.CONNECTION_RECOVERED;
    }
}
