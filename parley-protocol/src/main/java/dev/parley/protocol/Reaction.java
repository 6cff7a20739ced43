package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A reaction to a message (PROTOCOL.md §6.5). Immutable.
 *
 * @param type the reaction type, for example {@code like}
 * @param messageId the message reacted to; null only in a reaction not yet sent
 * @param userId who reacted; null only in a reaction not yet sent
 * @param user who reacted, or null when the server left it out
 * @param score the score, 1 unless set
 * @param createdAt when it was made, or null before it is sent
 * @param updatedAt when it last changed, or null before it is sent
 * @param custom every other key ({@code emoji_code}, custom data), flattened on the wire
 */
public record Reaction(
        String type,
        @Nullable String messageId,
        @Nullable String userId,
        @Nullable User user,
        int score,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS =
            Set.of("type", "message_id", "user_id", "user", "score", "created_at", "updated_at");

    public Reaction {
        requireNonNull(type, "type");
        custom = Fields.custom(custom);
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
    }

    /** A reaction to send: this type, score 1, no custom data. */
    public static Reaction of(String type) {
        return new Reaction(type, null, null, null, 1, null, null, CustomFields.EMPTY);
    }

    /** This reaction with another score. */
    public Reaction withScore(int score) {
        return new Reaction(type, messageId, userId, user, score, createdAt, updatedAt, custom);
    }

    /** This reaction with other custom data. */
    public Reaction withCustom(CustomFields custom) {
        return new Reaction(type, messageId, userId, user, score, createdAt, updatedAt, custom);
    }

    /**
     * Reads a reaction as sent on the wire; {@code user_id} defaults to {@code user.id}.
     *
     * @throws ChatException code 4 naming the field when a field has the wrong type
     */
    public static Reaction fromJson(JsonNode node) {
        String o = "reaction";
        Fields.requireObject(node, o);
        User user = Fields.user(node, "user");
        String userId = Fields.text(node, o, "user_id");
        return new Reaction(
                Fields.requiredText(node, o, "type"),
                Fields.text(node, o, "message_id"),
                userId != null ? userId : user != null ? user.id() : null,
                user,
                Fields.integer(node, o, "score", 1),
                Fields.time(node, o, "created_at"),
                Fields.time(node, o, "updated_at"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The reaction as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.put("type", type);
        Fields.putText(o, "message_id", messageId);
        Fields.putText(o, "user_id", userId);
        if (user != null) {
            o.set("user", user.toJson());
        }
        o.put("score", score);
        Fields.putTime(o, "created_at", createdAt);
        Fields.putTime(o, "updated_at", updatedAt);
        return o;
    }

    /** The reaction as a client sends it in {@code POST /messages/{id}/reaction}: type, score, custom keys. */
    public ObjectNode toRequestJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.put("type", type);
        if (score != 1) {
            o.put("score", score);
        }
        return o;
    }
}
