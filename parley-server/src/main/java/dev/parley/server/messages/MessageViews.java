package dev.parley.server.messages;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.User;
import dev.parley.server.chat.ChatCore;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Messages as one reader sees them (PROTOCOL.md §6.4): the stored document with the author's current
 * user object and the reader's {@code own_reactions}. One store read for the authors and one for the
 * reactions per page. Stateless; thread-safe.
 */
public final class MessageViews {
    private MessageViews() {}

    /** The messages for {@code viewerId} (null: no own reactions), in the given order. */
    public static List<ObjectNode> forViewer(ChatCore core, List<MessageRow> rows, String viewerId) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Set<String> authors = new HashSet<>();
        rows.forEach(r -> authors.add(r.userId()));
        Map<String, User> users = core.usersById(authors);
        Map<String, ArrayNode> own = new HashMap<>();
        if (viewerId != null) {
            for (ReactionRow r : core.store()
                    .reactionsBy(viewerId, rows.stream().map(MessageRow::id).toList())) {
                own.computeIfAbsent(
                                r.messageId(),
                                k -> com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode())
                        .add(r.doc());
            }
        }
        return rows.stream()
                .map(r -> {
                    ObjectNode doc = r.doc().deepCopy();
                    User author = users.get(r.userId());
                    if (author != null) {
                        doc.set("user", author.toJson());
                    }
                    ArrayNode mine = own.get(r.id());
                    doc.set("own_reactions", mine == null ? doc.arrayNode() : mine);
                    return doc;
                })
                .toList();
    }

    /** One message for one reader. */
    public static ObjectNode forViewer(ChatCore core, MessageRow row, String viewerId) {
        return forViewer(core, List.of(row), viewerId).getFirst();
    }
}
