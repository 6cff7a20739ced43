package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.internal.Wire;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One user's read position in a channel (PROTOCOL.md §6.6). Immutable.
 *
 * @param user whose read state this is
 * @param lastRead when the user last read the channel, or null
 * @param unreadMessages messages the user has not read
 * @param lastReadMessageId the newest message the user has read, or null
 * @param custom every other key (delivery receipts...)
 */
public record Read(User user, @Nullable Instant lastRead, int unreadMessages, @Nullable String lastReadMessageId,
        Map<String, JsonNode> custom) {
    private static final Set<String> TYPED = Set.of("user", "last_read", "unread_messages", "last_read_message_id");

    public Read {
        requireNonNull(user, "user");
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
    }

    /** Reads a read state as the server sends it; {@code user} is required. */
    public static Read fromJson(JsonNode node) {
        Wire.requireObject(node, "read");
        User user = Wire.user(node, "user");
        if (user == null) {
            throw ChatException.input("read.user is a required field");
        }
        return new Read(user, Wire.time(node, "read", "last_read"), Wire.integer(node, "read", "unread_messages", 0),
                Wire.text(node, "read", "last_read_message_id"), Wire.custom(node, TYPED));
    }
}
