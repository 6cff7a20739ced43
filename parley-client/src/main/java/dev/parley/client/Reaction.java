package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.Wire;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A reaction to a message (PROTOCOL.md §6.5). Immutable.
 *
 * @param type the reaction type, for example {@code like}
 * @param messageId the message reacted to
 * @param userId who reacted; null only in a reaction not yet sent
 * @param user who reacted, or null when the server left it out
 * @param score the score, 1 unless set
 * @param createdAt when it was made, or null before it is sent
 * @param updatedAt when it last changed, or null before it is sent
 * @param custom every other key ({@code emoji_code}, custom data), flattened on the wire
 */
public record Reaction(String type, @Nullable String messageId, @Nullable String userId, @Nullable User user,
        int score, @Nullable Instant createdAt, @Nullable Instant updatedAt, Map<String, JsonNode> custom) {
    private static final Set<String> TYPED = Set.of("type", "message_id", "user_id", "user", "score", "created_at",
            "updated_at");

    public Reaction {
        requireNonNull(type, "type");
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
    }

    /** Reads a reaction as the server sends it. */
    public static Reaction fromJson(JsonNode node) {
        Wire.requireObject(node, "reaction");
        User user = Wire.user(node, "user");
        String userId = Wire.text(node, "reaction", "user_id");
        return new Reaction(Wire.requiredText(node, "reaction", "type"), Wire.text(node, "reaction", "message_id"),
                userId != null ? userId : user != null ? user.id() : null, user,
                Wire.integer(node, "reaction", "score", 1), Wire.time(node, "reaction", "created_at"),
                Wire.time(node, "reaction", "updated_at"), Wire.custom(node, TYPED));
    }

    /** The reaction as sent in {@code POST /messages/{id}/reaction}: type, score, custom keys. */
    public ObjectNode toRequestJson() {
        ObjectNode o = Json.object();
        custom.forEach(o::set);
        o.put("type", type);
        if (score != 1) {
            o.put("score", score);
        }
        return o;
    }
}
