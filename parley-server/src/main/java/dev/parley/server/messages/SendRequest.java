package dev.parley.server.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code message} object of a send (PROTOCOL.md §7.10), decoded once from the request's tree: the fields a
 * send reads, each type-checked as {@link MessageDocs#checkTypes} checks them, in its order, so that a wrong
 * field answers code 4 naming the same field with the same words. Null stands for absent (or JSON null).
 *
 * <p>Not the protocol's {@code Message}: that one requires an id, reads the server-managed keys that a send
 * ignores (and would refuse a malformed {@code created_at}), and copies the custom keys into values of its own.
 * Here the attachments and mentions stay trees, checked where the message is built (after the permission
 * checks, as ever), and the custom keys are read from {@link #json}, the request's own object, when they are
 * copied into the stored document.
 *
 * @param json the request's {@code message} object (not a copy)
 * @param id the client's message id, or null (also for {@code ""}): the server makes one
 * @param text the text, {@code ""} when none
 * @param type the requested type ({@code system}), or null
 * @param parentId the thread parent, or null (also for {@code ""})
 * @param showInChannel a reply also shown in the channel
 * @param silent no unread counts
 * @param pinned pinned on arrival
 * @param pinExpires when the pin ends (RFC 3339, parsed when pinning), or null
 * @param quotedMessageId the quoted message, or null (also for {@code ""})
 * @param attachments {@code attachments} as sent, or null
 * @param mentionedUsers {@code mentioned_users} as sent, or null
 * @param skipPush the send's {@code skip_push} (beside {@code message}): no push notification (§16.3)
 * @param skipEnrichUrl the send's {@code skip_enrich_url} (beside {@code message}): no link preview (§7.25)
 * @param forceModeration the send's {@code force_moderation} (beside {@code message}): a server-side send is
 *     screened by the blocklist too (§7.27)
 * @param pending the send's {@code pending} (or its older name {@code is_pending_message}) beside {@code message},
 *     or null when absent: a server-side send's choice of a pending message over the type's (§7.29)
 * @param pendingMetadata the send's {@code pending_message_metadata} beside {@code message}, or null
 */
record SendRequest(
        ObjectNode json,
        @Nullable String id,
        String text,
        @Nullable String type,
        @Nullable String parentId,
        boolean showInChannel,
        boolean silent,
        boolean pinned,
        @Nullable String pinExpires,
        @Nullable String quotedMessageId,
        @Nullable JsonNode attachments,
        @Nullable JsonNode mentionedUsers,
        boolean skipPush,
        boolean skipEnrichUrl,
        boolean forceModeration,
        @Nullable Boolean pending,
        @Nullable JsonNode pendingMetadata) {

    private static final String PREFIX = "message.";

    /**
     * The {@code message} of a send's body.
     *
     * @throws ChatException code 4 when it is missing, not an object, or has a field of the wrong type
     */
    static SendRequest of(ObjectNode body) {
        if (!(body.get("message") instanceof ObjectNode msg)) {
            throw ChatException.input("message is required and must be an object");
        }
        // The order of MessageDocs.checkTypes: booleans first, then strings.
        boolean silent = MessageDocs.bool(msg, PREFIX, "silent");
        boolean pinned = MessageDocs.bool(msg, PREFIX, "pinned");
        boolean showInChannel = MessageDocs.bool(msg, PREFIX, "show_in_channel");
        String id = MessageDocs.text(msg, PREFIX, "id");
        String text = MessageDocs.text(msg, PREFIX, "text");
        String type = MessageDocs.text(msg, PREFIX, "type");
        String parentId = MessageDocs.text(msg, PREFIX, "parent_id");
        String quotedMessageId = MessageDocs.text(msg, PREFIX, "quoted_message_id");
        String pinExpires = MessageDocs.text(msg, PREFIX, "pin_expires");
        return new SendRequest(
                msg,
                emptyToNull(id),
                text == null ? "" : text,
                type,
                emptyToNull(parentId),
                showInChannel,
                silent,
                pinned,
                pinExpires,
                emptyToNull(quotedMessageId),
                msg.get("attachments"),
                msg.get("mentioned_users"),
                body.path("skip_push").asBoolean(false),
                body.path("skip_enrich_url").asBoolean(false),
                body.path("force_moderation").asBoolean(false),
                pending(body),
                body.hasNonNull("pending_message_metadata") ? body.get("pending_message_metadata") : null);
    }

    private static @Nullable Boolean pending(ObjectNode body) {
        for (String key : new String[] {"pending", "is_pending_message"}) {
            JsonNode v = body.get(key);
            if (v != null && !v.isNull()) {
                if (!v.isBoolean()) {
                    throw ChatException.input(key + " must be true or false");
                }
                return v.asBoolean();
            }
        }
        return null;
    }

    /**
     * The author a server-side send names: {@code user_id}, else {@code user.id}; {@code ""} when neither.
     * Read only for server-side sends.
     */
    String authorId() {
        return json.path("user_id").asText(json.path("user").path("id").asText(""));
    }

    private static @Nullable String emptyToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
