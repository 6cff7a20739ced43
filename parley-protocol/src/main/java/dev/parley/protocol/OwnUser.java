package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.JsonValue.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The connected user as the server shows it to themself: the {@code me} object of the first
 * {@code health.check} (PROTOCOL.md §3.2, §6.1). A {@link User} plus the per-reader fields.
 *
 * <p>Devices, mutes and channel mutes are JSON objects as the server sends them (§6.8). Immutable.
 *
 * @param user the user's own fields, custom data included
 * @param devices push devices (§6.8)
 * @param mutes user mutes (§6.8)
 * @param channelMutes channel mutes (§6.8)
 * @param totalUnreadCount unread messages over all channels
 * @param unreadCount same as {@code totalUnreadCount}, the newer name
 * @param unreadChannels channels with at least one unread message
 * @param unreadThreads threads with unread replies
 * @param blockedUserIds users this user blocked
 */
public record OwnUser(
        User user,
        List<JsonObject> devices,
        List<JsonObject> mutes,
        List<JsonObject> channelMutes,
        int totalUnreadCount,
        int unreadCount,
        int unreadChannels,
        int unreadThreads,
        List<String> blockedUserIds) {

    public OwnUser {
        requireNonNull(user, "user");
        devices = devices == null ? List.of() : List.copyOf(devices);
        mutes = mutes == null ? List.of() : List.copyOf(mutes);
        channelMutes = channelMutes == null ? List.of() : List.copyOf(channelMutes);
        blockedUserIds = blockedUserIds == null ? List.of() : List.copyOf(blockedUserIds);
    }

    /** The user's id. */
    public String id() {
        return user.id();
    }

    /**
     * Reads an own-user object as sent on the wire.
     *
     * @throws ChatException code 4 naming the field when a field has the wrong type
     */
    public static OwnUser fromJson(JsonNode node) {
        User user = User.fromJson(node);
        return new OwnUser(
                user,
                Fields.objects(node, "user", "devices"),
                Fields.objects(node, "user", "mutes"),
                Fields.objects(node, "user", "channel_mutes"),
                node.path("total_unread_count").asInt(0),
                node.path("unread_count").asInt(0),
                node.path("unread_channels").asInt(0),
                node.path("unread_threads").asInt(0),
                Objects.requireNonNullElse(User.strings(node, "blocked_user_ids"), List.of()));
    }

    /** The own user as sent on the wire: the user's fields plus the per-reader ones. */
    public ObjectNode toJson() {
        ObjectNode o = user.toJson();
        Fields.putObjects(o, "devices", devices);
        Fields.putObjects(o, "mutes", mutes);
        Fields.putObjects(o, "channel_mutes", channelMutes);
        o.put("total_unread_count", totalUnreadCount);
        o.put("unread_count", unreadCount);
        o.put("unread_channels", unreadChannels);
        o.put("unread_threads", unreadThreads);
        blockedUserIds.forEach(o.putArray("blocked_user_ids")::add);
        return o;
    }
}
