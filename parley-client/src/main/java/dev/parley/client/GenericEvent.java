package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Any event without a typed view: read its fields from {@link #raw()}. */
public record GenericEvent(String type, Instant createdAt, ObjectNode raw) implements Event {}
