package dev.parley.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Messages of restricted visibility (PROTOCOL.md §7.10): a message whose {@code restricted_visibility} lists users
 * is seen by those users and its author only. Every event that carries such a message reaches only them, and
 * only they read it back. A pending message (§7.29) is restricted to its author until it is committed. Stateless.
 */
public final class Restricted {
    private Restricted() {}

    /**
     * The users who may see {@code message} (its list and its author; its author alone while it is pending,
     * §7.29), or null when everyone may.
     */
    public static @Nullable Set<String> viewers(JsonNode message) {
        boolean pending = isPending(message);
        JsonNode list = message.path("restricted_visibility");
        if (!pending && (!list.isArray() || list.isEmpty())) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        if (!pending) {
            list.forEach(u -> out.add(u.asText()));
        }
        String author =
                message.path("user").path("id").asText(message.path("user_id").asText(""));
        if (!author.isEmpty()) {
            out.add(author);
        }
        return out;
    }

    /** Whether {@code message} is a pending message that is not committed yet (PROTOCOL.md §7.29). */
    public static boolean isPending(JsonNode message) {
        return message.path("pending").asBoolean(false);
    }

    /** Whether {@code userId} may see {@code message}. */
    public static boolean visibleTo(JsonNode message, String userId) {
        Set<String> viewers = viewers(message);
        return viewers == null || viewers.contains(userId);
    }

    /** {@code audience} narrowed to the users who may see the message an event carries, if it is restricted. */
    static Audience narrow(Audience audience, JsonNode event) {
        Set<String> viewers = viewers(event.path("message"));
        if (viewers == null) {
            return audience;
        }
        return switch (audience) {
            case Audience.Watchers w -> {
                List<String> only = w.onlyUserIds() == null
                        ? List.copyOf(viewers)
                        : w.onlyUserIds().stream().filter(viewers::contains).toList();
                yield new Audience.Watchers(w.cid(), w.exceptUserId(), only);
            }
            case Audience.Users u -> {
                List<String> ids = new ArrayList<>();
                u.userIds().stream().filter(viewers::contains).forEach(ids::add);
                yield new Audience.Users(ids, u.unlessWatching());
            }
            case Audience.PresenceOf p -> audience;
            case Audience.Connection c -> audience;
        };
    }
}
