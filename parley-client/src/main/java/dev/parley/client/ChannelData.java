package dev.parley.client;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.Channel;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.List;
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
 * @param custom every other key ({@code name}, {@code image}, custom data), flattened on the wire; the fields
 *     the protocol's {@link Channel} types but this view leaves out ({@code message_count}, {@code team},
 *     {@code cooldown}...) are there too
 */
public record ChannelData(
        String id,
        String type,
        String cid,
        @Nullable User createdBy,
        boolean frozen,
        boolean disabled,
        int memberCount,
        ChannelConfig config,
        List<String> ownCapabilities,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        @Nullable Instant lastMessageAt,
        @Nullable Instant truncatedAt,
        @Nullable Instant deletedAt,
        CustomFields custom) {

    public ChannelData {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        cid = cid == null ? type + ":" + id : cid;
        config = config == null ? ChannelConfig.UNKNOWN : config;
        ownCapabilities = ownCapabilities == null ? List.of() : List.copyOf(ownCapabilities);
        custom = custom == null ? CustomFields.EMPTY : custom;
    }

    /** The display name, or null. */
    public @Nullable String name() {
        return custom.string("name").orElse(null);
    }

    /** True when {@link #ownCapabilities()} was sent and holds {@code capability}, or was not sent at all. */
    public boolean can(String capability) {
        return ownCapabilities.isEmpty() || ownCapabilities.contains(capability);
    }

    /** The view of a channel object as the protocol reads it. */
    public static ChannelData from(Channel c) {
        CustomFields custom = c.custom();
        if (c.messageCount() != null) {
            custom = custom.with("message_count", c.messageCount());
        }
        if (c.team() != null) {
            custom = custom.with("team", c.team());
        }
        if (c.cooldown() > 0) {
            custom = custom.with("cooldown", c.cooldown());
        }
        if (c.truncatedById() != null) {
            custom = custom.with("truncated_by_id", c.truncatedById());
        }
        return new ChannelData(
                c.id(),
                c.type(),
                c.cid(),
                c.createdBy(),
                c.frozen(),
                c.disabled(),
                c.memberCount(),
                c.config() == null ? ChannelConfig.UNKNOWN : ChannelConfig.from(c.config()),
                c.ownCapabilities() == null ? List.of() : c.ownCapabilities(),
                c.createdAt(),
                c.updatedAt(),
                c.lastMessageAt(),
                c.truncatedAt(),
                c.deletedAt(),
                custom);
    }

    /**
     * This channel as updated by an event's copy of it: the event's fields win, but the per-user
     * {@code own_capabilities} and the {@code config} are kept when the event leaves them out (§6.2).
     */
    public ChannelData updatedBy(ChannelData fromEvent, boolean eventHasCapabilities, boolean eventHasConfig) {
        return new ChannelData(
                fromEvent.id,
                fromEvent.type,
                fromEvent.cid,
                fromEvent.createdBy,
                fromEvent.frozen,
                fromEvent.disabled,
                fromEvent.memberCount,
                eventHasConfig ? fromEvent.config : config,
                eventHasCapabilities ? fromEvent.ownCapabilities : ownCapabilities,
                fromEvent.createdAt,
                fromEvent.updatedAt,
                fromEvent.lastMessageAt,
                fromEvent.truncatedAt,
                fromEvent.deletedAt,
                fromEvent.custom);
    }
}
