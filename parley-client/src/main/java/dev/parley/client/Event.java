package dev.parley.client;

import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue;
import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * An event received on the socket, or emitted locally by the SDK (PROTOCOL.md §6.9, §8).
 *
 * <p>The closed set of typed views covers the events this SDK acts on; every other type arrives as a
 * {@link GenericEvent} with its raw JSON, so a newer server never breaks an older SDK. Use an
 * exhaustive {@code switch} over the permitted records.
 */
public sealed interface Event
        permits HealthCheckEvent,
                UserPresenceChangedEvent,
                UserUpdatedEvent,
                ConnectionChangedEvent,
                ConnectionRecoveredEvent,
                MessageEvent,
                ReactionEvent,
                TypingEvent,
                ReadEvent,
                MemberEvent,
                ChannelEvent,
                WatchingEvent,
                GenericEvent {

    /** The event type, for example {@code user.updated}; any string for custom events. */
    String type();

    /** The server event type of {@link #type()}; empty for local and custom events. */
    default Optional<EventType> knownType() {
        return EventType.fromWireName(type());
    }

    /** When the server (or, for local events, the SDK) created the event. */
    Instant createdAt();

    /** The channel the event is about ({@code cid}), or empty for events that concern no channel. */
    default Optional<String> channelCid() {
        return raw().get("cid").flatMap(JsonValue::asString).filter(cid -> !cid.equals("*"));
    }

    /** The event as JSON: what the server sent, or a synthesized object for local events. */
    JsonObject raw();
}
