package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;

/**
 * Local {@code connection.recovered} (PROTOCOL.md §3.5): a reconnect completed with a new connection id,
 * and the channels watched before the drop were watched again.
 *
 * @param connectionId the new connection id
 */
public record ConnectionRecoveredEvent(String connectionId, Instant createdAt, JsonObject raw) implements Event {
    @Override
    public String type() {
        return LocalEventType.CONNECTION_RECOVERED.wireName();
    }
}
