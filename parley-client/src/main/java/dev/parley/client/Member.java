package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.internal.Wire;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A member of a channel (PROTOCOL.md §6.3). Immutable.
 *
 * @param userId the member's user id
 * @param user the member's user, or null when the server left it out
 * @param channelRole {@code channel_member}, {@code channel_moderator} or a custom role; null if absent
 * @param banned banned from this channel
 * @param createdAt when the user became a member, or null
 * @param updatedAt when the membership last changed, or null
 * @param custom every other key ({@code role}, {@code status}, {@code archived_at}, custom data)
 */
public record Member(String userId, @Nullable User user, @Nullable String channelRole, boolean banned,
        @Nullable Instant createdAt, @Nullable Instant updatedAt, Map<String, JsonNode> custom) {
    private static final Set<String> TYPED = Set.of("user_id", "user", "channel_role", "banned", "created_at",
            "updated_at");

    public Member {
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
    }

    /**
     * Reads a member as the server sends it; the user id comes from {@code user_id} or else
     * {@code user.id} (the {@code membership} object may omit {@code user_id}).
     */
    public static Member fromJson(JsonNode node) {
        Wire.requireObject(node, "member");
        User user = Wire.user(node, "user");
        String userId = Wire.text(node, "member", "user_id");
        if (userId == null) {
            if (user == null) {
                throw dev.parley.protocol.ChatException.input("member has neither user_id nor user");
            }
            userId = user.id();
        }
        return new Member(userId, user, Wire.text(node, "member", "channel_role"),
                Wire.bool(node, "member", "banned", false), Wire.time(node, "member", "created_at"),
                Wire.time(node, "member", "updated_at"), Wire.custom(node, TYPED));
    }
}
