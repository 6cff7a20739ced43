package dev.parley.client.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ConnectionChangedEvent;
import dev.parley.client.ConnectionRecoveredEvent;
import dev.parley.client.Event;
import dev.parley.client.GenericEvent;
import dev.parley.client.HealthCheckEvent;
import dev.parley.client.LocalEventType;
import dev.parley.client.UserPresenceChangedEvent;
import dev.parley.client.UserUpdatedEvent;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Timestamps;
import java.time.Instant;
import java.util.Optional;

/** Turns socket frames into typed {@link Event}s and makes the local events. Stateless. */
public final class Events {
    private Events() {}

    /**
     * The typed view of one event object. An event whose typed fields are malformed becomes a
     * {@link GenericEvent}, so one odd frame never breaks the read loop.
     */
    public static Event parse(ObjectNode node, Instant now) {
        JsonObject raw = Json.objectValue(node, "event");
        String type = node.path("type").asText("");
        Instant createdAt = createdAt(node, now);
        try {
            dev.parley.protocol.Event wire = dev.parley.protocol.Event.fromJson(node);
            Event typed = switch (wire.knownType().orElse(null)) {
                case null -> null;
                case HEALTH_CHECK ->
                    new HealthCheckEvent(
                            wire.connectionId() == null ? "" : wire.connectionId(),
                            Optional.ofNullable(wire.me()),
                            createdAt,
                            raw);
                case USER_PRESENCE_CHANGED ->
                    wire.user() == null ? null : new UserPresenceChangedEvent(wire.user(), createdAt, raw);
                case USER_UPDATED -> wire.user() == null ? null : new UserUpdatedEvent(wire.user(), createdAt, raw);
                default -> ChatEvents.parse(wire, createdAt, raw);
            };
            return typed != null ? typed : new GenericEvent(type, createdAt, raw);
        } catch (ChatException e) {
            return new GenericEvent(type, createdAt, raw);
        }
    }

    public static ConnectionChangedEvent connectionChanged(boolean online, Instant now) {
        JsonObject raw = local(LocalEventType.CONNECTION_CHANGED, now).with("online", online);
        return new ConnectionChangedEvent(online, now, raw);
    }

    public static ConnectionRecoveredEvent connectionRecovered(String connectionId, Instant now) {
        JsonObject raw = local(LocalEventType.CONNECTION_RECOVERED, now).with("connection_id", connectionId);
        return new ConnectionRecoveredEvent(connectionId, now, raw);
    }

    private static Instant createdAt(ObjectNode raw, Instant now) {
        var n = raw.get("created_at");
        if (n == null || !n.isTextual()) {
            return now;
        }
        try {
            return Timestamps.parse(n.asText(), "created_at");
        } catch (ChatException e) {
            return now;
        }
    }

    private static JsonObject local(LocalEventType type, Instant now) {
        return JsonObject.of("type", type.wireName(), "created_at", Timestamps.format(now));
    }

    /** True when {@code event} is of {@code type}. */
    public static boolean is(Event event, EventType type) {
        return type.wireName().equals(event.type());
    }
}
