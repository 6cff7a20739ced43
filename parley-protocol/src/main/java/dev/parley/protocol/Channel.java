package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A channel's own fields: the {@code channel} object of responses and events (PROTOCOL.md §6.2). Per-reader
 * parts ({@code own_capabilities}, {@code hidden}) and the type's {@code config} are present only where the
 * server sends them; absent, they are null. Immutable.
 *
 * @param id the channel id
 * @param type the channel type
 * @param cid {@code <type>:<id>}
 * @param createdBy the creator, or null
 * @param frozen no new messages
 * @param disabled the channel is disabled
 * @param memberCount number of members, 0 when not sent
 * @param messageCount number of messages, or null when not sent
 * @param config the type's configuration, or null when not sent
 * @param ownCapabilities what the reading user may do (§11.4), or null when not sent (events)
 * @param hidden whether the reader hid the channel, or null when not sent
 * @param members members embedded in the channel object, or null when not sent
 * @param team the team, or null
 * @param cooldown slow-mode seconds, 0 when off
 * @param createdAt when it was created, or null
 * @param updatedAt when it last changed, or null
 * @param lastMessageAt when the newest message arrived, or null
 * @param truncatedAt when it was last truncated, or null
 * @param truncatedById who truncated it last, or null
 * @param deletedAt when it was deleted, or null
 * @param custom every other key ({@code name}, {@code image}, custom data), flattened on the wire
 */
public record Channel(
        String id,
        String type,
        String cid,
        @Nullable User createdBy,
        boolean frozen,
        boolean disabled,
        int memberCount,
        @Nullable Integer messageCount,
        @Nullable JsonObject config,
        @Nullable List<String> ownCapabilities,
        @Nullable Boolean hidden,
        @Nullable List<Member> members,
        @Nullable String team,
        int cooldown,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        @Nullable Instant lastMessageAt,
        @Nullable Instant truncatedAt,
        @Nullable String truncatedById,
        @Nullable Instant deletedAt,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "id",
            "type",
            "cid",
            "created_by",
            "frozen",
            "disabled",
            "member_count",
            "message_count",
            "config",
            "own_capabilities",
            "hidden",
            "members",
            "team",
            "cooldown",
            "created_at",
            "updated_at",
            "last_message_at",
            "truncated_at",
            "truncated_by_id",
            "deleted_at");

    public Channel {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        cid = cid == null ? type + ":" + id : cid;
        ownCapabilities = ownCapabilities == null ? null : List.copyOf(ownCapabilities);
        members = members == null ? null : List.copyOf(members);
        custom = Fields.custom(custom);
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        lastMessageAt = Timestamps.truncate(lastMessageAt);
        truncatedAt = Timestamps.truncate(truncatedAt);
        deletedAt = Timestamps.truncate(deletedAt);
    }

    /** The display name ({@code name}, a custom field), or empty. */
    public Optional<String> name() {
        return custom.string("name");
    }

    /**
     * Reads a channel object as sent on the wire.
     *
     * @throws ChatException code 4 naming the field when a field is missing or has the wrong type
     */
    public static Channel fromJson(JsonNode node) {
        String o = "channel";
        Fields.requireObject(node, o);
        String id = Fields.requiredText(node, o, "id");
        String type = Fields.requiredText(node, o, "type");
        String cid = Fields.text(node, o, "cid");
        return new Channel(
                id,
                type,
                cid != null ? cid : type + ":" + id,
                Fields.user(node, "created_by"),
                Fields.bool(node, o, "frozen"),
                Fields.bool(node, o, "disabled"),
                Fields.integer(node, o, "member_count", 0),
                Fields.optInteger(node, o, "message_count"),
                Fields.jsonObject(node, o, "config"),
                Fields.strings(node, o, "own_capabilities"),
                Fields.optBool(node, o, "hidden"),
                Fields.optList(node, o, "members", Member::fromJson),
                Fields.text(node, o, "team"),
                Fields.integer(node, o, "cooldown", 0),
                Fields.time(node, o, "created_at"),
                Fields.time(node, o, "updated_at"),
                Fields.time(node, o, "last_message_at"),
                Fields.time(node, o, "truncated_at"),
                Fields.text(node, o, "truncated_by_id"),
                Fields.time(node, o, "deleted_at"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The channel object as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.put("id", id);
        o.put("type", type);
        o.put("cid", cid);
        Fields.putTime(o, "created_at", createdAt);
        Fields.putTime(o, "updated_at", updatedAt);
        if (createdBy != null) {
            o.set("created_by", createdBy.toJson());
        }
        o.put("frozen", frozen);
        o.put("disabled", disabled);
        o.put("member_count", memberCount);
        Fields.putInt(o, "message_count", messageCount);
        Fields.putTime(o, "last_message_at", lastMessageAt);
        if (cooldown > 0) {
            o.put("cooldown", cooldown);
        }
        Fields.putText(o, "team", team);
        Fields.putTime(o, "truncated_at", truncatedAt);
        Fields.putText(o, "truncated_by_id", truncatedById);
        Fields.putTime(o, "deleted_at", deletedAt);
        if (config != null) {
            o.set("config", Json.node(config));
        }
        if (ownCapabilities != null) {
            Fields.putStrings(o, "own_capabilities", ownCapabilities);
        }
        Fields.putBool(o, "hidden", hidden);
        if (members != null) {
            ArrayNode a = o.putArray("members");
            members.forEach(m -> a.add(m.toJson()));
        }
        return o;
    }
}
