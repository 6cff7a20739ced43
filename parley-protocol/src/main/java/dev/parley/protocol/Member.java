package dev.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A member of a channel (PROTOCOL.md §6.3), as the {@code members} list, the {@code membership} object and
 * member events carry it. Immutable.
 *
 * @param userId the member's user id
 * @param user the member's user, or null when the server left it out
 * @param channelRole {@code channel_member}, {@code channel_moderator} or a custom role; null if absent
 * @param role the older role name ({@code owner}, {@code moderator}, {@code member}, {@code admin}); null if absent
 * @param status {@code member}, {@code pending}, {@code accepted} or {@code rejected}; null if absent
 * @param banned banned from this channel
 * @param shadowBanned shadow-banned
 * @param invited invited rather than added; written only when true
 * @param inviteAcceptedAt when the invitation was accepted, or null
 * @param inviteRejectedAt when the invitation was rejected, or null
 * @param notificationsMuted the member muted the channel's notifications
 * @param archivedAt when the member archived the channel, or null (sent as an explicit null)
 * @param pinnedAt when the member pinned the channel, or null (sent as an explicit null)
 * @param createdAt when the user became a member, or null
 * @param updatedAt when the membership last changed, or null
 * @param custom every other key, flattened on the wire
 */
public record Member(
        String userId,
        @Nullable User user,
        @Nullable String channelRole,
        @Nullable String role,
        @Nullable String status,
        boolean banned,
        boolean shadowBanned,
        boolean invited,
        @Nullable Instant inviteAcceptedAt,
        @Nullable Instant inviteRejectedAt,
        boolean notificationsMuted,
        @Nullable Instant archivedAt,
        @Nullable Instant pinnedAt,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "user_id",
            "user",
            "channel_role",
            "role",
            "status",
            "banned",
            "shadow_banned",
            "invited",
            "invite_accepted_at",
            "invite_rejected_at",
            "notifications_muted",
            "archived_at",
            "pinned_at",
            "created_at",
            "updated_at");

    public Member {
        userId = userId(userId, user);
        custom = Fields.custom(custom);
        inviteAcceptedAt = Timestamps.truncate(inviteAcceptedAt);
        inviteRejectedAt = Timestamps.truncate(inviteRejectedAt);
        archivedAt = Timestamps.truncate(archivedAt);
        pinnedAt = Timestamps.truncate(pinnedAt);
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
    }

    private static String userId(@Nullable String userId, @Nullable User user) {
        if (userId != null) {
            return userId;
        }
        if (user == null) {
            throw ChatException.input("member has neither user_id nor user");
        }
        return user.id();
    }

    /**
     * Reads a member as sent on the wire; the user id comes from {@code user_id} or else {@code user.id}.
     *
     * @throws ChatException code 4 naming the field when a field has the wrong type, or both are missing
     */
    public static Member fromJson(JsonNode node) {
        String o = "member";
        Fields.requireObject(node, o);
        String userId = Fields.text(node, o, "user_id");
        User user = Fields.user(node, "user");
        return new Member(
                userId(userId, user),
                user,
                Fields.text(node, o, "channel_role"),
                Fields.text(node, o, "role"),
                Fields.text(node, o, "status"),
                Fields.bool(node, o, "banned"),
                Fields.bool(node, o, "shadow_banned"),
                Fields.bool(node, o, "invited"),
                Fields.time(node, o, "invite_accepted_at"),
                Fields.time(node, o, "invite_rejected_at"),
                Fields.bool(node, o, "notifications_muted"),
                Fields.time(node, o, "archived_at"),
                Fields.time(node, o, "pinned_at"),
                Fields.time(node, o, "created_at"),
                Fields.time(node, o, "updated_at"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The member as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.put("user_id", userId);
        if (user != null) {
            o.set("user", user.toJson());
        }
        Fields.putTime(o, "created_at", createdAt);
        Fields.putTime(o, "updated_at", updatedAt);
        o.put("banned", banned);
        o.put("shadow_banned", shadowBanned);
        Fields.putText(o, "channel_role", channelRole);
        Fields.putText(o, "role", role);
        Fields.putText(o, "status", status);
        if (invited) {
            o.put("invited", true);
        }
        Fields.putTime(o, "invite_accepted_at", inviteAcceptedAt);
        Fields.putTime(o, "invite_rejected_at", inviteRejectedAt);
        o.put("notifications_muted", notificationsMuted);
        Fields.putTimeOrNull(o, "archived_at", archivedAt);
        Fields.putTimeOrNull(o, "pinned_at", pinnedAt);
        return o;
    }
}
