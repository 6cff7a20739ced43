package dev.parley.server.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.PushStore;
import dev.parley.server.users.UserRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks the item of each record type field by field (PROTOCOL.md §17) and turns it into what the import writes.
 * A bad field throws {@link BadRecord} naming it. References to other records are checked by the caller.
 * Stateless; thread-safe.
 */
final class ImportItems {
    private static final Pattern CHANNEL_ID = Pattern.compile("[a-zA-Z0-9@_!-]{1,64}");
    private static final Pattern CHANNEL_TYPE = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern REACTION_TYPE = Pattern.compile("[\\w+:.-]{1,30}");
    private static final Pattern MESSAGE_ID = Pattern.compile("[^\\s]{1,255}");

    static final Set<String> USER_IMPORT_KEYS = Set.of("user_mutes", "channel_mutes", "push_notifications");
    static final Set<String> USER_RESERVED = Set.of("online", "last_active", "banned", "ban_expires", "shadow_banned");
    static final Set<String> CHANNEL_KEYS = Set.of(
            "id", "type", "created_by", "created_by_id", "team", "frozen", "disabled", "created_at", "updated_at");
    static final Set<String> CHANNEL_RESERVED =
            Set.of("cid", "last_message_at", "members", "member_ids", "config", "member_count", "message_count");
    static final Set<String> MESSAGE_KEYS = Set.of(
            "id",
            "channel_type",
            "channel_id",
            "user",
            "user_id",
            "parent_id",
            "show_in_channel",
            "text",
            "html",
            "type",
            "attachments",
            "mentioned_users_ids",
            "quoted_message_id",
            "pinned_at",
            "pinned_by_id",
            "pin_expires",
            "created_at",
            "updated_at",
            "deleted_at",
            "message_text_updated_at",
            "silent");
    static final Set<String> MESSAGE_RESERVED = Set.of(
            "cid",
            "latest_reactions",
            "own_reactions",
            "reaction_counts",
            "reaction_scores",
            "reaction_groups",
            "reply_count",
            "deleted_reply_count",
            "thread_participants",
            "command",
            "quoted_message",
            "pinned_by",
            "pinned",
            "mentioned_users",
            "channel_member_ids");
    static final Set<String> REACTION_KEYS =
            Set.of("message_id", "user_id", "type", "score", "created_at", "updated_at");
    static final Set<String> PUSH_PROVIDERS = Set.of("firebase", "apn", "huawei", "xiaomi");

    private ImportItems() {}

    /** A record's field is missing or wrong: {@code field} names it within the item. */
    static final class BadRecord extends RuntimeException {
        private final String field;

        BadRecord(String field, String reason) {
            super(reason, null, false, false);
            this.field = field;
        }

        String field() {
            return field;
        }
    }

    /** A user item: the user's own fields as {@code POST /users} takes them, and what comes with it. */
    record UserItem(
            String id,
            ObjectNode json,
            @Nullable Instant createdAt,
            @Nullable Instant updatedAt,
            List<String> userMutes,
            List<String> channelMutes,
            PushStore.@Nullable Preference push) {}

    static UserItem user(ObjectNode item) {
        String id = required(item, "id");
        try {
            UserRules.checkId(id, "id");
        } catch (ChatException e) {
            throw new BadRecord("id", "not a valid user id (expected 1-255 characters of a-z, A-Z, 0-9, @, _ and -)");
        }
        for (String k : USER_RESERVED) {
            if (item.has(k)) {
                throw new BadRecord(k, "is set by the server, not imported");
            }
        }
        optional(item, "role");
        strings(item, "teams");
        List<String> userMutes = strings(item, "user_mutes");
        List<String> channelMutes = strings(item, "channel_mutes");
        for (String cid : channelMutes) {
            cid(cid, "channel_mutes");
        }
        PushStore.Preference push = null;
        JsonNode p = item.get("push_notifications");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new BadRecord("push_notifications", "must be an object");
            }
            boolean disabled = bool((ObjectNode) p, "disabled");
            Instant until = time((ObjectNode) p, "disabled_until", "push_notifications.disabled_until");
            if (disabled || until != null) {
                push = new PushStore.Preference(id, "", until == null ? "none" : null, null, until);
            }
        }
        ObjectNode json = item.deepCopy();
        USER_IMPORT_KEYS.forEach(json::remove);
        for (String k : List.of("created_at", "updated_at", "deleted_at", "deactivated_at")) {
            time(item, k, k);
        }
        return new UserItem(
                id,
                json,
                time(item, "created_at", "created_at"),
                time(item, "updated_at", "updated_at"),
                userMutes,
                channelMutes,
                push);
    }

    static ChannelRow channel(ObjectNode item, Instant fileTime) {
        if (item.has("member_ids") && !item.path("member_ids").isNull()) {
            throw new BadRecord("member_ids", "channels made of their members are not imported; give channel.id");
        }
        String type = required(item, "type");
        if (!CHANNEL_TYPE.matcher(type).matches()) {
            throw new BadRecord("type", "not a channel type (expected 1-64 of a-z, 0-9, _ and -)");
        }
        String id = required(item, "id");
        if (!CHANNEL_ID.matcher(id).matches()) {
            throw new BadRecord("id", "not a channel id (expected 1-64 of a-z, A-Z, 0-9, @, _, ! and -)");
        }
        String createdBy = createdBy(item);
        for (String k : CHANNEL_RESERVED) {
            if (item.has(k)) {
                throw new BadRecord(k, "is set by the server, not imported");
            }
        }
        ObjectNode custom = Json.object();
        item.properties().forEach(e -> {
            if (!CHANNEL_KEYS.contains(e.getKey()) && !e.getValue().isNull()) {
                custom.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        Instant created = orElse(time(item, "created_at", "created_at"), fileTime);
        Instant updated = orElse(time(item, "updated_at", "updated_at"), created);
        return new ChannelRow(
                type + ":" + id,
                type,
                id,
                createdBy,
                optional(item, "team"),
                created,
                updated,
                null,
                null,
                null,
                bool(item, "frozen"),
                bool(item, "disabled"),
                0,
                0,
                0,
                custom);
    }

    private static String createdBy(ObjectNode item) {
        JsonNode n = item.get("created_by");
        if (n != null && n.isObject()) {
            return required((ObjectNode) n, "id");
        }
        if (n != null && !n.isNull()) {
            return required(item, "created_by");
        }
        return required(item, "created_by_id");
    }

    static MemberRow member(ObjectNode item, Instant fileTime) {
        String cid = channelOf(item);
        String userId = required(item, "user_id");
        String role = optional(item, "channel_role");
        if (role == null) {
            role = bool(item, "is_moderator") ? "channel_moderator" : "channel_member";
        }
        Instant created = orElse(time(item, "created_at", "created_at"), fileTime);
        Instant updated = orElse(time(item, "updated_at", "updated_at"), created);
        Instant accepted = time(item, "invite_accepted_at", "invite_accepted_at");
        Instant rejected = time(item, "invite_rejected_at", "invite_rejected_at");
        boolean invited = bool(item, "invited");
        String status = accepted != null ? "accepted" : rejected != null ? "rejected" : invited ? "pending" : null;
        if (accepted != null && rejected != null) {
            throw new BadRecord("invite_rejected_at", "an invite is either accepted or rejected, not both");
        }
        ObjectNode custom =
                item.path("custom").isObject() ? (ObjectNode) item.get("custom").deepCopy() : Json.object();
        return new MemberRow(
                cid,
                userId,
                role,
                created,
                updated,
                bool(item, "hide_channel"),
                time(item, "last_read", "last_read"),
                optional(item, "last_read_message_id"),
                0,
                time(item, "archived_at", "archived_at"),
                time(item, "pinned_at", "pinned_at"),
                time(item, "hide_messages_before", "hide_messages_before"),
                custom,
                status,
                accepted,
                rejected);
    }

    /** A message item with every field checked; its document is made when its batch is written. */
    record MessageItem(
            String id,
            String cid,
            String userId,
            @Nullable String parentId,
            boolean showInChannel,
            String type,
            String text,
            @Nullable String html,
            ArrayNode attachments,
            List<String> mentionIds,
            @Nullable String quotedMessageId,
            @Nullable Instant pinnedAt,
            @Nullable String pinnedById,
            @Nullable Instant pinExpires,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant deletedAt,
            @Nullable Instant textUpdatedAt,
            boolean silent,
            ObjectNode custom) {
        boolean inChannel() {
            return parentId == null || showInChannel;
        }
    }

    static MessageItem message(ObjectNode item, Instant fileTime) {
        String id = required(item, "id");
        if (!MESSAGE_ID.matcher(id).matches()) {
            throw new BadRecord("id", "not a message id (expected 1-255 characters, no spaces)");
        }
        String cid = channelOf(item);
        String user = item.path("user").isObject()
                ? required((ObjectNode) item.get("user"), "id")
                : item.hasNonNull("user") ? required(item, "user") : required(item, "user_id");
        String type = orElse(optional(item, "type"), "regular");
        if (!Set.of("regular", "deleted", "system", "reply").contains(type)) {
            throw new BadRecord("type", "'" + type + "' (expected: regular, deleted, system or reply)");
        }
        Instant deletedAt = time(item, "deleted_at", "deleted_at");
        if ("deleted".equals(type) != (deletedAt != null)) {
            throw new BadRecord(
                    deletedAt == null ? "deleted_at" : "type",
                    deletedAt == null ? "required when type is deleted" : "must be deleted when deleted_at is set");
        }
        String parentId = optional(item, "parent_id");
        if ("reply".equals(type) && parentId == null) {
            throw new BadRecord("parent_id", "required when type is reply");
        }
        Instant pinnedAt = time(item, "pinned_at", "pinned_at");
        String pinnedBy = optional(item, "pinned_by_id");
        Instant pinExpires = time(item, "pin_expires", "pin_expires");
        if ((pinnedAt == null) != (pinnedBy == null)) {
            throw new BadRecord(
                    pinnedAt == null ? "pinned_at" : "pinned_by_id", "pinned_at and pinned_by_id go together");
        }
        if (pinExpires != null && pinnedAt == null) {
            throw new BadRecord("pin_expires", "set on a message that is not pinned");
        }
        for (String k : MESSAGE_RESERVED) {
            if (item.has(k)) {
                throw new BadRecord(k, "is set by the server, not imported");
            }
        }
        ArrayNode attachments = attachments(item.get("attachments"));
        List<String> mentions = strings(item, "mentioned_users_ids");
        if (mentions.size() > 25) {
            throw new BadRecord("mentioned_users_ids", mentions.size() + " users (expected: at most 25)");
        }
        ObjectNode custom = Json.object();
        item.properties().forEach(e -> {
            if (!MESSAGE_KEYS.contains(e.getKey()) && !e.getValue().isNull()) {
                custom.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (Json.writeBytes(custom).length > 5 * 1024) {
            throw new BadRecord("item", "custom data over 5 KiB");
        }
        Instant created = orElse(time(item, "created_at", "created_at"), fileTime);
        Instant updated = orElse(time(item, "updated_at", "updated_at"), created);
        return new MessageItem(
                id,
                cid,
                user,
                parentId,
                bool(item, "show_in_channel"),
                type,
                orElse(optional(item, "text"), ""),
                optional(item, "html"),
                attachments,
                mentions,
                optional(item, "quoted_message_id"),
                pinnedAt,
                pinnedBy,
                pinExpires,
                created,
                updated,
                deletedAt,
                time(item, "message_text_updated_at", "message_text_updated_at"),
                bool(item, "silent"),
                custom);
    }

    private static ArrayNode attachments(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return Json.array();
        }
        if (!n.isArray() || n.size() > 30) {
            throw new BadRecord("attachments", "must be an array of at most 30 objects");
        }
        int i = 0;
        for (JsonNode a : n) {
            if (!a.isObject()) {
                throw new BadRecord("attachments[" + i + "]", "must be an object");
            }
            if (a.has("type") && !a.get("type").isTextual()) {
                throw new BadRecord("attachments[" + i + "].type", "must be a string");
            }
            i++;
        }
        return (ArrayNode) n.deepCopy();
    }

    /** A reaction item with every field checked. */
    record ReactionItem(
            String messageId,
            String userId,
            String type,
            int score,
            Instant createdAt,
            Instant updatedAt,
            ObjectNode custom) {}

    static ReactionItem reaction(ObjectNode item, Instant fileTime) {
        String messageId = required(item, "message_id");
        String userId = required(item, "user_id");
        String type = required(item, "type");
        if (!REACTION_TYPE.matcher(type).matches()) {
            throw new BadRecord("type", "not a reaction type (expected 1-30 of letters, digits, _ + : . and -)");
        }
        JsonNode s = item.get("score");
        if (s != null && !s.isNull() && (!s.canConvertToInt() || !s.isIntegralNumber() || s.asInt() < 1)) {
            throw new BadRecord("score", "must be a whole number of at least 1");
        }
        if (item.has("user")) {
            throw new BadRecord("user", "is set by the server, not imported; give user_id");
        }
        ObjectNode custom = Json.object();
        item.properties().forEach(e -> {
            if (!REACTION_KEYS.contains(e.getKey()) && !e.getValue().isNull()) {
                custom.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        Instant created = orElse(time(item, "created_at", "created_at"), fileTime);
        return new ReactionItem(
                messageId,
                userId,
                type,
                s == null || s.isNull() ? 1 : s.asInt(),
                created,
                orElse(time(item, "updated_at", "updated_at"), created),
                custom);
    }

    static DeviceRow device(ObjectNode item, Instant fileTime) {
        String id = required(item, "id");
        if (id.length() > 255) {
            throw new BadRecord("id", "longer than 255 characters");
        }
        String userId = required(item, "user_id");
        String provider = item.hasNonNull("push_provider_type")
                ? required(item, "push_provider_type")
                : required(item, "push_provider");
        if (!PUSH_PROVIDERS.contains(provider)) {
            throw new BadRecord("push_provider_type", "'" + provider + "' (expected: firebase, apn, huawei or xiaomi)");
        }
        return new DeviceRow(
                id,
                userId,
                provider,
                optional(item, "push_provider_name"),
                orElse(time(item, "created_at", "created_at"), fileTime));
    }

    /** The cid of an item's {@code channel_type} and {@code channel_id}. */
    static String channelOf(ObjectNode item) {
        if (item.has("channel_member_ids") && !item.path("channel_member_ids").isNull()) {
            throw new BadRecord(
                    "channel_member_ids", "channels made of their members are not imported; give channel_id");
        }
        String type = required(item, "channel_type");
        String id = required(item, "channel_id");
        return type + ":" + id;
    }

    static String cid(String cid, String field) {
        int colon = cid.indexOf(':');
        if (colon <= 0 || colon == cid.length() - 1 || cid.indexOf(':', colon + 1) >= 0) {
            throw new BadRecord(field, "'" + cid + "' is not a channel cid (expected: type:id)");
        }
        return cid;
    }

    static String required(ObjectNode item, String key) {
        String v = optional(item, key);
        if (v == null) {
            throw new BadRecord(key, "required");
        }
        return v;
    }

    static @Nullable String optional(ObjectNode item, String key) {
        JsonNode v = item.get(key);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRecord(key, "must be a string");
        }
        return v.asText();
    }

    static boolean bool(ObjectNode item, String key) {
        JsonNode v = item.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new BadRecord(key, "must be true or false");
        }
        return v.booleanValue();
    }

    static List<String> strings(ObjectNode item, String key) {
        JsonNode v = item.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new BadRecord(key, "must be an array of strings");
        }
        for (JsonNode s : v) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw new BadRecord(key, "must be an array of non-empty strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    static @Nullable Instant time(ObjectNode item, String key, String field) {
        JsonNode v = item.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRecord(field, "must be an RFC 3339 time");
        }
        try {
            return Timestamps.parse(v.asText(), field);
        } catch (RuntimeException e) {
            throw new BadRecord(field, "'" + v.asText() + "' is not an RFC 3339 time");
        }
    }

    static <T> T orElse(@Nullable T v, T otherwise) {
        return v != null ? v : otherwise;
    }
}
