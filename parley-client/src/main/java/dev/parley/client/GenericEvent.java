package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;

/** Any event without a typed view: read its fields from {@link #raw()}. */
public record GenericEvent(String type, Instant createdAt, JsonObject raw) implements Event {}
