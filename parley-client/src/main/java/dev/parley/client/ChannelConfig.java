package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.internal.Wire;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The feature flags of a channel's type (PROTOCOL.md §6.2.1) that this SDK acts on; the rest is in
 * {@link #other()}. Flags absent from the server's answer count as on. Immutable.
 *
 * @param name the channel type
 * @param typingEvents {@link Channel#keystroke()} and {@link Channel#stopTyping()} send nothing when off
 * @param readEvents {@link Channel#markRead()} and {@link Channel#markUnread} send nothing when off
 * @param connectEvents {@code user.watching.*} events are sent
 * @param reactions reactions are allowed
 * @param replies thread replies are allowed
 * @param customEvents custom events are allowed
 * @param maxMessageLength longest message text accepted, 0 when not stated
 * @param other every other key as sent
 */
public record ChannelConfig(@Nullable String name, boolean typingEvents, boolean readEvents, boolean connectEvents,
        boolean reactions, boolean replies, boolean customEvents, int maxMessageLength, Map<String, JsonNode> other) {
    private static final Set<String> TYPED = Set.of("name", "typing_events", "read_events", "connect_events",
            "reactions", "replies", "custom_events", "max_message_length");

    /** The flags of a channel whose config the SDK has not seen: everything on. */
    public static final ChannelConfig UNKNOWN = new ChannelConfig(null, true, true, true, true, true, true, 0, Map.of());

    public ChannelConfig {
        other = other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    /** Reads {@code channel.config}. */
    public static ChannelConfig fromJson(JsonNode node) {
        Wire.requireObject(node, "config");
        String o = "config";
        return new ChannelConfig(Wire.text(node, o, "name"), Wire.bool(node, o, "typing_events", true),
                Wire.bool(node, o, "read_events", true), Wire.bool(node, o, "connect_events", true),
                Wire.bool(node, o, "reactions", true), Wire.bool(node, o, "replies", true),
                Wire.bool(node, o, "custom_events", true), Wire.integer(node, o, "max_message_length", 0),
                Wire.custom(node, TYPED));
    }
}
