package dev.parley.server.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds and edits the stored message document (PROTOCOL.md §6.4): what a client may set, what the
 * server manages (read-only keys sent back by clients are ignored, never stored), HTML rendering and
 * mentions. Stateless; thread-safe.
 */
public final class MessageDocs {
    /** Keys a client may set; everything else it sends is either server-managed or a custom key. */
    static final Set<String> EDITABLE = Set.of(
            "text",
            "attachments",
            "mentioned_users",
            "quoted_message_id",
            "silent",
            "pinned",
            "pin_expires",
            "show_in_channel");

    /** Keys only the server sets: ignored in requests (clients echo them back on update). */
    static final Set<String> SERVER_KEYS = Set.of(
            "id",
            "cid",
            "html",
            "type",
            "user",
            "user_id",
            "created_at",
            "updated_at",
            "deleted_at",
            "latest_reactions",
            "own_reactions",
            "reaction_counts",
            "reaction_scores",
            "reaction_groups",
            "reply_count",
            "deleted_reply_count",
            "status",
            "member",
            "shadowed",
            "pinned_at",
            "pinned_by",
            "thread_participants",
            "message_text_updated_at",
            "restricted_visibility",
            "pending",
            "pending_message_metadata",
            "i18n",
            "channel",
            "command",
            "args",
            "command_info",
            "quoted_message",
            "mentioned_channel",
            "mentioned_here",
            "__html",
            "error",
            "parent_id",
            "deleted_for_me",
            "poll",
            "poll_id",
            "moderation",
            "reminder",
            "shared_location",
            "mentioned_groups",
            "draft",
            "before_message_send_failed",
            "message_id",
            "ai_generated");

    /** Whether a key of a stored message document is the app's own (custom) rather than the protocol's. */
    public static boolean isCustomKey(String key) {
        return !EDITABLE.contains(key) && !SERVER_KEYS.contains(key);
    }

    static final int MAX_MENTIONS = 25;
    static final int MAX_ATTACHMENTS = 30;

    /** Most bytes (UTF-8 JSON) of a message's custom fields, as Stream allows. */
    static final int MAX_CUSTOM_BYTES = 5 * 1024;

    /** Most bytes (UTF-8 JSON) of a message's attachments together. */
    static final int MAX_ATTACHMENTS_BYTES = 32 * 1024;

    private static final List<String> BOOLEANS = List.of("silent", "pinned", "show_in_channel");
    private static final List<String> STRINGS =
            List.of("id", "text", "type", "parent_id", "quoted_message_id", "pin_expires");

    private MessageDocs() {}

    /**
     * Refuses with code 4, naming the field, an editable or identifying field of the wrong JSON type, so that
     * nothing is coerced ({@code "text": 5} is not {@code ""}); null counts as absent.
     */
    static void checkTypes(ObjectNode in, String prefix) {
        for (String key : BOOLEANS) {
            bool(in, prefix, key);
        }
        for (String key : STRINGS) {
            text(in, prefix, key);
        }
    }

    /**
     * The boolean {@code key} of {@code in}, false when absent or null; code 4 as {@link #checkTypes} when it is
     * not a boolean.
     */
    static boolean bool(ObjectNode in, String prefix, String key) {
        JsonNode v = in.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ChatException.input(prefix + key + " must be a boolean");
        }
        return v.booleanValue();
    }

    /**
     * The string {@code key} of {@code in}, null when absent or null; code 4 as {@link #checkTypes} when it is not
     * a string.
     */
    static @Nullable String text(ObjectNode in, String prefix, String key) {
        JsonNode v = in.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ChatException.input(prefix + key + " must be a string");
        }
        return v.textValue();
    }

    /**
     * Refuses a message document past the limits: text longer than the channel's {@code max_message_length}
     * (code 20), custom fields over {@link #MAX_CUSTOM_BYTES} or attachments over
     * {@link #MAX_ATTACHMENTS_BYTES} (code 4). Checked on the document as it would be stored, after a send
     * or an edit, so that no sequence of partial updates grows past them.
     */
    static void checkLimits(ObjectNode doc, int maxTextLength) {
        String text = doc.path("text").asText("");
        if (text.length() > maxTextLength) {
            throw new ChatException(
                    ErrorCode.MESSAGE_TOO_LONG,
                    "message.text is " + text.length() + " characters long (expected: at most " + maxTextLength + ")");
        }
        ObjectNode custom = Json.object();
        doc.properties().forEach(e -> {
            if (!EDITABLE.contains(e.getKey()) && !SERVER_KEYS.contains(e.getKey())) {
                custom.set(e.getKey(), e.getValue());
            }
        });
        int customBytes = Json.writeBytes(custom).length;
        if (customBytes > MAX_CUSTOM_BYTES) {
            throw ChatException.input(
                    "message custom data is " + customBytes + " bytes (expected: at most " + MAX_CUSTOM_BYTES + ")");
        }
        int attachmentBytes = Json.writeBytes(doc.path("attachments")).length;
        if (attachmentBytes > MAX_ATTACHMENTS_BYTES) {
            throw ChatException.input("message.attachments are " + attachmentBytes + " bytes (expected: at most "
                    + MAX_ATTACHMENTS_BYTES + ")");
        }
    }

    /** Minimal markdown: escaped text in a paragraph, as the clients render when no html is given. */
    static String html(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String escaped = text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&#34;")
                .replace("'", "&#39;")
                .replace("\n", "<br/>");
        return "<p>" + escaped + "</p>\n";
    }

    /** The ids of {@code mentioned_users} (ids or user objects). */
    static List<String> mentionIds(@Nullable JsonNode n) {
        List<String> ids = new ArrayList<>();
        if (n == null || n.isNull()) {
            return ids;
        }
        if (!n.isArray()) {
            throw ChatException.input("message.mentioned_users must be an array of user ids");
        }
        for (JsonNode m : n) {
            String id = m.isTextual() ? m.asText() : m.path("id").asText("");
            if (!id.isEmpty() && !ids.contains(id)) {
                ids.add(id);
            }
        }
        if (ids.size() > MAX_MENTIONS) {
            throw ChatException.input(
                    "message.mentioned_users: " + ids.size() + " users (expected: at most " + MAX_MENTIONS + ")");
        }
        return ids;
    }

    static ArrayNode mentioned(List<String> ids, Map<String, User> users) {
        ArrayNode a = Json.array();
        ids.stream().map(users::get).filter(u -> u != null).forEach(u -> a.add(u.toJson()));
        return a;
    }

    static ArrayNode attachments(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return Json.array();
        }
        if (!n.isArray() || n.size() > MAX_ATTACHMENTS) {
            throw ChatException.input(
                    "message.attachments must be an array of at most " + MAX_ATTACHMENTS + " objects");
        }
        for (JsonNode a : n) {
            if (!a.isObject()) {
                throw ChatException.input("message.attachments must hold objects");
            }
        }
        return (ArrayNode) n.deepCopy();
    }

    /** Copies the custom keys of {@code from} (neither editable nor server-managed) onto {@code doc}. */
    static void copyCustom(ObjectNode from, ObjectNode doc) {
        from.fields().forEachRemaining(e -> {
            if (!EDITABLE.contains(e.getKey())
                    && !SERVER_KEYS.contains(e.getKey())
                    && !e.getValue().isNull()) {
                doc.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }

    /** Removes the custom keys that a partial update sets to null: a null set clears the field. */
    static void removeNulledCustom(ObjectNode set, ObjectNode doc) {
        set.fields().forEachRemaining(e -> {
            if (e.getValue().isNull() && !EDITABLE.contains(e.getKey()) && !SERVER_KEYS.contains(e.getKey())) {
                doc.remove(e.getKey());
            }
        });
    }

    /** Removes the custom keys of a stored document, for a full-replace update. */
    static void removeCustom(ObjectNode doc, Set<String> serverManaged) {
        List<String> drop = new ArrayList<>();
        doc.fieldNames().forEachRemaining(k -> {
            if (!EDITABLE.contains(k) && !SERVER_KEYS.contains(k) && !serverManaged.contains(k)) {
                drop.add(k);
            }
        });
        drop.forEach(doc::remove);
    }

    /** A fresh document with the server fields every message carries. */
    static ObjectNode skeleton(String id, String cid, User author, @Nullable String channelRole) {
        ObjectNode d = Json.object();
        d.put("id", id);
        d.put("text", "");
        d.put("html", "");
        d.put("type", "regular");
        d.set("user", author.toJson());
        d.put("cid", cid);
        d.putArray("attachments");
        d.putArray("latest_reactions");
        d.putObject("reaction_counts");
        d.putObject("reaction_scores");
        d.putObject("reaction_groups");
        d.put("reply_count", 0);
        d.put("deleted_reply_count", 0);
        d.putArray("mentioned_users");
        d.put("mentioned_channel", false);
        d.put("mentioned_here", false);
        d.put("silent", false);
        d.put("shadowed", false);
        d.put("pinned", false);
        d.putNull("pinned_at");
        d.putNull("pinned_by");
        d.putNull("pin_expires");
        d.putArray("restricted_visibility");
        if (channelRole != null) {
            d.putObject("member").put("channel_role", channelRole).put("notifications_muted", false);
        }
        return d;
    }
}
