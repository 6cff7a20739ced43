package dev.parley.server.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.events.Restricted;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How pending messages (PROTOCOL.md §7.29) show to their sender: the answer of a send or a get carries the
 * message's {@code pending_message_metadata} beside it, and a channel's state lists the reader's own pending
 * messages of its page in {@code pending_messages}. Who else may see one is {@link Restricted}'s rule. Stateless.
 */
public final class PendingMessages {
    /** Most pending messages a channel's state lists. */
    static final int MAX_LISTED = 100;

    private PendingMessages() {}

    /** {@code {"message": …}}, with {@code pending_message_metadata} when the message is pending and has some. */
    static ObjectNode answer(ObjectNode message) {
        ObjectNode out = Json.object();
        out.set("message", message);
        JsonNode metadata = message.get("pending_message_metadata");
        if (Restricted.isPending(message) && metadata != null && metadata.isObject()) {
            out.set("pending_message_metadata", metadata.deepCopy());
        }
        return out;
    }

    /**
     * Adds {@code pending_messages} to a channel's state: the messages of its page that are {@code readerId}'s
     * and still pending, newest first, each as {@code {message, pending_message_metadata}}; nothing when none.
     */
    public static void list(ObjectNode state, @Nullable String readerId) {
        if (readerId == null) {
            return;
        }
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode m : state.path("messages")) {
            if (Restricted.isPending(m)
                    && readerId.equals(m.path("user").path("id").asText())) {
                mine.add(m);
            }
        }
        if (mine.isEmpty()) {
            return;
        }
        ArrayNode list = state.putArray("pending_messages");
        for (int i = mine.size() - 1; i >= 0 && list.size() < MAX_LISTED; i--) {
            ObjectNode entry = list.addObject();
            entry.set("message", mine.get(i).deepCopy());
            JsonNode metadata = mine.get(i).get("pending_message_metadata");
            if (metadata != null && metadata.isObject()) {
                entry.set("pending_message_metadata", metadata.deepCopy());
            }
        }
    }
}
