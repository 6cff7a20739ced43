package dev.parley.server.exports;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.util.List;

/**
 * A user's data export, {@code GET /users/{id}/export} (PROTOCOL.md §7.31): the user, every message the user wrote
 * (in every channel and thread, deleted ones too, as the user sees them) and every reaction the user made. Answered
 * at once, so bounded: a user with more than {@value #MAX_ITEMS} messages or reactions is refused with code 4
 * rather than answered in part. Server side only. Thread-safe; blocking.
 */
public final class UserExport {
    /** Most messages, and most reactions, one export answers. */
    public static final int MAX_ITEMS = 10_000;

    private final ChatStore store;
    private final MessageViews views;
    private final UserService users;

    public UserExport(ChatStore store, MessageViews views, UserService users) {
        this.store = requireNonNull(store, "store");
        this.views = requireNonNull(views, "views");
        this.users = requireNonNull(users, "users");
    }

    /** The export of {@code userId}; code 16 when there is no such user. */
    public ObjectNode export(String userId) {
        User user = users.find(userId)
                .orElseThrow(() -> ChatException.notFound(
                        "ExportUser failed with error: \"user '" + userId + "' does not exist\""));
        List<MessageRow> messages = store.messagesBy(userId, MAX_ITEMS + 1);
        List<ReactionRow> reactions = store.reactionsByUser(userId, MAX_ITEMS + 1);
        if (messages.size() > MAX_ITEMS || reactions.size() > MAX_ITEMS) {
            throw ChatException.input("ExportUser failed with error: \"user '" + userId + "' has more than " + MAX_ITEMS
                    + " messages or reactions: too many to answer at once\"");
        }
        ObjectNode out = Json.object();
        out.set("user", user.toJson());
        ArrayNode m = out.putArray("messages");
        views.forViewer(messages, userId).forEach(m::add);
        ArrayNode r = out.putArray("reactions");
        reactions.forEach(x -> r.add(x.doc()));
        return out;
    }
}
