package dev.parley.server.links;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a sent message goes for its link preview (PROTOCOL.md §7.25). {@link #sent} only queues: it never
 * blocks, fetches or fails the send.
 */
@FunctionalInterface
public interface LinkIntake {
    /** Takes nothing: for nodes and tests without previews. */
    LinkIntake NONE = (messageId, text, attachments) -> {};

    /**
     * A message was stored in a channel whose type has {@code url_enrichment} and its sender did not ask to skip
     * it; its first URL without an attachment gets one later.
     */
    void sent(String messageId, String text, JsonNode attachments);
}
