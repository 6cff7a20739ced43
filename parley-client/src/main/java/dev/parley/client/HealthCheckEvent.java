package dev.parley.client;

import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.OwnUser;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code health.check}: the first frame of a socket (with {@code me}) and the server's answer to each
 * heartbeat (without it), PROTOCOL.md §3.2, §3.4.
 *
 * @param connectionId the socket's connection id
 * @param me the own user, present on the first frame only
 */
public record HealthCheckEvent(String connectionId, Optional<OwnUser> me, Instant createdAt, JsonObject raw)
        implements Event {
    @Override
    public String type() {
        return EventType.HEALTH_CHECK.wireName();
    }
}
