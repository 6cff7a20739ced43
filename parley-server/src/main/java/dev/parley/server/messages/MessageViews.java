package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.events.Restricted;
import dev.parley.server.polls.PollService;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Messages as one reader sees them (PROTOCOL.md §6.4): the stored document with the author's current
 * user object, the reader's {@code own_reactions}, and the {@code poll} a message carries with the reader's own
 * votes (§7.21). One store read for the authors and one for the reactions per page, and the polls' reads only
 * when a message of the page carries one. Thread-safe; blocking.
 */
public final class MessageViews {
    private final UserService users;
    private final ChatStore store;
    private final PollService polls;

    public MessageViews(UserService users, ChatStore store, PollService polls) {
        this.users = requireNonNull(users, "users");
        this.store = requireNonNull(store, "store");
        this.polls = requireNonNull(polls, "polls");
    }

    /**
     * The messages for {@code viewerId} (null: no own reactions), in the given order, without those of restricted
     * visibility that the viewer may not see (§7.10).
     */
    public List<ObjectNode> forViewer(List<MessageRow> rows, @Nullable String viewerId) {
        if (viewerId != null) {
            rows = rows.stream()
                    .filter(r -> Restricted.visibleTo(r.doc(), viewerId))
                    .toList();
        }
        return views(rows, viewerId);
    }

    private List<ObjectNode> views(List<MessageRow> rows, @Nullable String viewerId) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Set<String> authors = new HashSet<>();
        rows.forEach(r -> authors.add(r.userId()));
        Map<String, User> byId = users.findAll(authors);
        Map<String, ArrayNode> own = new HashMap<>();
        Map<String, Instant> deletedForMe = Map.of();
        if (viewerId != null) {
            List<String> ids = rows.stream().map(MessageRow::id).toList();
            deletedForMe = store.deletedForUser(viewerId, ids);
            for (ReactionRow r : store.reactionsBy(viewerId, ids)) {
                own.computeIfAbsent(r.messageId(), k -> JsonNodeFactory.instance.arrayNode())
                        .add(r.doc());
            }
        }
        Map<String, Instant> gone = deletedForMe;
        Set<String> pollIds = new HashSet<>();
        rows.forEach(r -> {
            String poll = r.doc().path("poll_id").textValue();
            if (poll != null) {
                pollIds.add(poll);
            }
        });
        Map<String, ObjectNode> pollViews = polls.views(pollIds, viewerId);
        return rows.stream()
                .map(r -> {
                    ObjectNode doc = r.doc().deepCopy();
                    User author = byId.get(r.userId());
                    if (author != null) {
                        doc.set("user", author.toJson());
                    }
                    ArrayNode mine = own.get(r.id());
                    doc.set("own_reactions", mine == null ? doc.arrayNode() : mine);
                    String pollId = doc.path("poll_id").textValue();
                    if (pollId != null && pollViews.containsKey(pollId)) { // a deleted poll is left out (§7.21)
                        doc.set("poll", pollViews.get(pollId).deepCopy());
                    }
                    Instant deleted = gone.get(r.id());
                    if (deleted != null) { // deleted for this viewer only (PROTOCOL.md §7.10)
                        doc.put("type", "deleted");
                        doc.put("deleted_for_me", true);
                        if (!doc.hasNonNull("deleted_at")) {
                            doc.put("deleted_at", Timestamps.format(deleted));
                        }
                    }
                    return doc;
                })
                .toList();
    }

    /** One message for one reader; whether the reader may see it is the caller's to check. */
    public ObjectNode forViewer(MessageRow row, @Nullable String viewerId) {
        return views(List.of(row), viewerId).getFirst();
    }
}
