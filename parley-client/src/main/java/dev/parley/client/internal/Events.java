package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ConnectionChangedEvent;
import dev.parley.client.ConnectionRecoveredEvent;
import dev.parley.client.Event;
import dev.parley.client.EventType;
import dev.parley.client.GenericEvent;
import dev.parley.client.HealthCheckEvent;
import dev.parley.client.UserPresenceChangedEvent;
import dev.parley.client.UserUpdatedEvent;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.OwnUser;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/** Turns socket frames into typed {@link Event}s and makes the local events. Stateless. */
public final class Events {
    private Events() {}

    /**
     * The typed view of one event object. An event whose typed fields are malformed becomes a
     * {@link GenericEvent}, so one odd frame never breaks the read loop.
     */
    public static Event parse(ObjectNode raw, Instant now) {
        String type = raw.path("type").asText("");
        Instant createdAt = createdAt(raw, now);
        try {
            return switch (type) {
                case EventType.HEALTH_CHECK -> new HealthCheckEvent(
                        raw.path("connection_id").asText(""), me(raw), createdAt, raw);
                case EventType.USER_PRESENCE_CHANGED -> raw.path("user").isObject()
                        ? new UserPresenceChangedEvent(User.fromJson(raw.get("user")), createdAt, raw)
                        : new GenericEvent(type, createdAt, raw);
                case EventType.USER_UPDATED -> raw.path("user").isObject()
                        ? new UserUpdatedEvent(User.fromJson(raw.get("user")), createdAt, raw)
                        : new GenericEvent(type, createdAt, raw);
                default -> {
                    Event chat = ChatEvents.parse(type, createdAt, raw);
                    yield chat != null ? chat : new GenericEvent(type, createdAt, raw);
                }
            };
        } catch (ChatException e) {
            return new GenericEvent(type, createdAt, raw);
        }
    }

    public static ConnectionChangedEvent connectionChanged(boolean online, Instant now) {
        ObjectNode raw = local(EventType.CONNECTION_CHANGED, now);
        raw.put("online", online);
        return new ConnectionChangedEvent(online, now, raw);
    }

    public static ConnectionRecoveredEvent connectionRecovered(String connectionId, Instant now) {
        ObjectNode raw = local(EventType.CONNECTION_RECOVERED, now);
        raw.put("connection_id", connectionId);
        return new ConnectionRecoveredEvent(connectionId, now, raw);
    }

    private static Optional<OwnUser> me(ObjectNode raw) {
        JsonNode me = raw.get("me");
        return me == null || !me.isObject() ? Optional.empty() : Optional.of(OwnUser.fromJson(me));
    }

    private static Instant createdAt(ObjectNode raw, Instant now) {
        JsonNode n = raw.get("created_at");
        if (n == null || !n.isTextual()) {
            return now;
        }
        try {
            return Timestamps.parse(n.asText(), "created_at");
        } catch (ChatException e) {
            return now;
        }
    }

    private static ObjectNode local(String type, Instant now) {
        ObjectNode raw = Json.object();
        raw.put("type", type);
        raw.put("created_at", Timestamps.format(now));
        return raw;
    }
}
