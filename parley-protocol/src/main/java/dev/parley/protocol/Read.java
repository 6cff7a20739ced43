package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One user's read state in a channel, an entry of a channel's {@code read} list (PROTOCOL.md §6.6). Immutable.
 *
 * @param user whose read state this is
 * @param lastRead when the user last read the channel, or null
 * @param unreadMessages messages the user has not read
 * @param lastReadMessageId the newest message the user has read, or null
 * @param lastDeliveredAt when a message was last delivered to the user, or null
 * @param lastDeliveredMessageId the newest message delivered to the user, or null
 * @param custom every other key
 */
public record Read(
        User user,
        @Nullable Instant lastRead,
        int unreadMessages,
        @Nullable String lastReadMessageId,
        @Nullable Instant lastDeliveredAt,
        @Nullable String lastDeliveredMessageId,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "user",
            "last_read",
            "unread_messages",
            "last_read_message_id",
            "last_delivered_at",
            "last_delivered_message_id");

    public Read {
        requireNonNull(user, "user");
        custom = Fields.custom(custom);
        lastRead = Timestamps.truncate(lastRead);
        lastDeliveredAt = Timestamps.truncate(lastDeliveredAt);
    }

    /** This read state with another position; the delivery receipt and custom fields are kept. */
    public Read withPosition(@Nullable Instant lastRead, int unreadMessages, @Nullable String lastReadMessageId) {
        return new Read(
                user, lastRead, unreadMessages, lastReadMessageId, lastDeliveredAt, lastDeliveredMessageId, custom);
    }

    /**
     * Reads a read state as sent on the wire; {@code user} is required.
     *
     * @throws ChatException code 4 naming the field when a field is missing or has the wrong type
     */
    public static Read fromJson(JsonNode node) {
        String o = "read";
        Fields.requireObject(node, o);
        User user = Fields.user(node, "user");
        if (user == null) {
            throw ChatException.input("read.user is a required field");
        }
        return new Read(
                user,
                Fields.time(node, o, "last_read"),
                Fields.integer(node, o, "unread_messages", 0),
                Fields.text(node, o, "last_read_message_id"),
                Fields.time(node, o, "last_delivered_at"),
                Fields.text(node, o, "last_delivered_message_id"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The read state as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.set("user", user.toJson());
        Fields.putTime(o, "last_read", lastRead);
        o.put("unread_messages", unreadMessages);
        Fields.putText(o, "last_read_message_id", lastReadMessageId);
        Fields.putTime(o, "last_delivered_at", lastDeliveredAt);
        Fields.putText(o, "last_delivered_message_id", lastDeliveredMessageId);
        return o;
    }
}
