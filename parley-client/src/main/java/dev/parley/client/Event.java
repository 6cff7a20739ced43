package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        permits HealthCheckEvent, UserPresenceChangedEvent, UserUpdatedEvent, ConnectionChangedEvent,
                ConnectionRecoveredEvent, MessageEvent, ReactionEvent, TypingEvent, ReadEvent, MemberEvent,
                ChannelEvent, WatchingEvent, GenericEvent {

    /** The event type, for example {@code user.updated}. */
    String type();

    /** When the server (or, for local events, the SDK) created the event. */
    Instant createdAt();

    /** The channel the event is about ({@code cid}), or empty for events that concern no channel. */
    default Optional<String> channelCid() {
        JsonNode cid = raw().get("cid");
        return cid == null || !cid.isTextual() || cid.asText().equals("*") ? Optional.empty() : Optional.of(cid.asText());
    }

    /** The event as JSON: what the server sent, or a synthesized object for local events. Do not modify. */
    ObjectNode raw();
}
