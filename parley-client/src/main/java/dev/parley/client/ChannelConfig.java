package dev.parley.client;

import dev.parley.protocol.CustomFields;
import dev.parley.protocol.JsonValue;
import dev.parley.protocol.JsonValue.JsonBool;
import dev.parley.protocol.JsonValue.JsonNumber;
import dev.parley.protocol.JsonValue.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The feature flags of a channel's type (PROTOCOL.md §6.2.1) that this SDK acts on; the rest is in
 * {@link #other()}. Flags absent from the server's answer count as on. Immutable.
 *
 * @param name the channel type, or null when not sent
 * @param typingEvents {@link Channel#keystroke()} and {@link Channel#stopTyping()} send nothing when off
 * @param readEvents {@link Channel#markRead()} and {@link Channel#markUnread} send nothing when off
 * @param connectEvents {@code user.watching.*} events are sent
 * @param reactions reactions are allowed
 * @param replies thread replies are allowed
 * @param customEvents custom events are allowed
 * @param maxMessageLength longest message text accepted, 0 when not stated
 * @param other every other key as sent
 */
public record ChannelConfig(
        @Nullable String name,
        boolean typingEvents,
        boolean readEvents,
        boolean connectEvents,
        boolean reactions,
        boolean replies,
        boolean customEvents,
        int maxMessageLength,
        CustomFields other) {
    private static final Set<String> TYPED = Set.of(
            "name",
            "typing_events",
            "read_events",
            "connect_events",
            "reactions",
            "replies",
            "custom_events",
            "max_message_length");

    /** The flags of a channel whose config the SDK has not seen: everything on. */
    public static final ChannelConfig UNKNOWN =
            new ChannelConfig(null, true, true, true, true, true, true, 0, CustomFields.EMPTY);

    public ChannelConfig {
        other = other == null ? CustomFields.EMPTY : other;
    }

    /** The flags of {@code channel.config} as sent; a flag of another JSON type counts as on. */
    public static ChannelConfig from(JsonObject config) {
        Map<String, JsonValue> other = new LinkedHashMap<>(config.fields());
        other.keySet().removeAll(TYPED);
        return new ChannelConfig(
                config.get("name").flatMap(JsonValue::asString).orElse(null),
                flag(config, "typing_events"),
                flag(config, "read_events"),
                flag(config, "connect_events"),
                flag(config, "reactions"),
                flag(config, "replies"),
                flag(config, "custom_events"),
                config.get("max_message_length")
                        .filter(JsonNumber.class::isInstance)
                        .map(n -> ((JsonNumber) n).intValue())
                        .orElse(0),
                CustomFields.of(other));
    }

    private static boolean flag(JsonObject config, String key) {
        return !(config.get(key).orElse(null) instanceof JsonBool b) || b.value();
    }
}
