package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.internal.Wire;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A channel's own fields, the {@code channel} object of responses and events (PROTOCOL.md §6.2,
 * {@code ChannelResponse}). Immutable.
 *
 * @param id the channel id
 * @param type the channel type
 * @param cid {@code <type>:<id>}
 * @param createdBy the creator, or null
 * @param frozen no new messages
 * @param disabled the channel is disabled
 * @param memberCount number of members, 0 when not sent
 * @param config the type's feature flags; {@link ChannelConfig#UNKNOWN} when not sent
 * @param ownCapabilities what the requesting user may do (§11.4); empty when not sent (events)
 * @param createdAt when it was created, or null
 * @param updatedAt when it last changed, or null
 * @param lastMessageAt when the newest message arrived, or null
 * @param truncatedAt when it was last truncated, or null
 * @param deletedAt when it was deleted, or null
 * @param custom every other key ({@code name}, {@code image}, custom data), flattened on the wire
 */
public record ChannelData(String id, String type, String cid, @Nullable User createdBy, boolean frozen,
        boolean disabled, int memberCount, ChannelConfig config, List<String> ownCapabilities,
        @Nullable Instant createdAt, @Nullable Instant updatedAt, @Nullable Instant lastMessageAt,
        @Nullable Instant truncatedAt, @Nullable Instant deletedAt, Map<String, JsonNode> custom) {
    private static final Set<String> TYPED = Set.of("id", "type", "cid", "created_by", "frozen", "disabled",
            "member_count", "config", "own_capabilities", "created_at", "updated_at", "last_message_at",
            "truncated_at", "deleted_at", "members", "hidden");

    public ChannelData {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        cid = cid == null ? type + ":" + id : cid;
        config = config == null ? ChannelConfig.UNKNOWN : config;
        ownCapabilities = ownCapabilities == null ? List.of() : List.copyOf(ownCapabilities);
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
    }

    /** The display name, or null. */
    public @Nullable String name() {
        JsonNode n = custom.get("name");
        return n == null || n.isNull() ? null : n.asText();
    }

    /** True when {@link #ownCapabilities()} was sent and holds {@code capability}, or was not sent at all. */
    public boolean can(String capability) {
        return ownCapabilities.isEmpty() || ownCapabilities.contains(capability);
    }

    /** Reads a channel object as the server sends it. */
    public static ChannelData fromJson(JsonNode node) {
        Wire.requireObject(node, "channel");
        String o = "channel";
        JsonNode config = node.get("config");
        String id = Wire.requiredText(node, o, "id");
        String type = Wire.requiredText(node, o, "type");
        return new ChannelData(id, type, Wire.text(node, o, "cid", type + ":" + id), Wire.user(node, "created_by"),
                Wire.bool(node, o, "frozen", false),
                Wire.bool(node, o, "disabled", false), Wire.integer(node, o, "member_count", 0),
                config == null || config.isNull() ? ChannelConfig.UNKNOWN : ChannelConfig.fromJson(config),
                node.has("own_capabilities") ? Wire.strings(node, o, "own_capabilities") : List.of(),
                Wire.time(node, o, "created_at"), Wire.time(node, o, "updated_at"),
                Wire.time(node, o, "last_message_at"), Wire.time(node, o, "truncated_at"),
                Wire.time(node, o, "deleted_at"), Wire.custom(node, TYPED));
    }

    /**
     * This channel as updated by an event's copy of it: the event's fields win, but the per-user
     * {@code own_capabilities} and the {@code config} are kept when the event leaves them out (§6.2).
     */
    public ChannelData updatedBy(ChannelData fromEvent, boolean eventHasCapabilities, boolean eventHasConfig) {
        return new ChannelData(fromEvent.id, fromEvent.type, fromEvent.cid, fromEvent.createdBy, fromEvent.frozen,
                fromEvent.disabled, fromEvent.memberCount, eventHasConfig ? fromEvent.config : config,
                eventHasCapabilities ? fromEvent.ownCapabilities : ownCapabilities, fromEvent.createdAt,
                fromEvent.updatedAt, fromEvent.lastMessageAt, fromEvent.truncatedAt, fromEvent.deletedAt, fromEvent.custom);
    }
}
