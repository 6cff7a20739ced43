package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;

/**
 * Local {@code connection.changed} (PROTOCOL.md §3.5): {@code online} true as soon as a socket is healthy;
 * false only when it has stayed unhealthy for the offline grace period (5 s by default) after a drop.
 */
public record ConnectionChangedEvent(boolean online, Instant createdAt, JsonObject raw) implements Event {
    @Override
    public String type() {
        return LocalEventType.CONNECTION_CHANGED.wireName();
    }
}
