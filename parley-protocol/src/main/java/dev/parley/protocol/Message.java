package dev.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.JsonValue.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A chat message (PROTOCOL.md §6.4), as received or about to be sent. Immutable.
 *
 * <p>Build one to send with {@link #builder()}. Server-managed fields ({@code html}, {@code user}, reaction
 * summaries, timestamps) are read from responses and events and never sent back: {@link #toRequestJson()}
 * leaves them out. Keys the server manages without a typed field here ({@code reaction_groups},
 * {@code mentioned_here}...) are kept in {@link #custom()} so that a message read and written again keeps
 * them, but are never sent in a request either ({@link #SERVER_FIELDS}).
 *
 * @param id the message id; null only before sending
 * @param text the text, {@code ""} when none
 * @param html the server's rendering of the text, or null
 * @param type {@code regular}, {@code reply}, {@code system}, {@code deleted}...; null before sending
 * @param cid the channel, {@code <type>:<id>}; null before sending
 * @param user the author, or null before sending
 * @param parentId the thread parent, or null
 * @param showInChannel a thread reply also shown in the channel
 * @param quotedMessageId the message quoted inline, or null
 * @param quotedMessage the quoted message as the server embeds it, or null
 * @param attachments attachments as JSON objects (§6.4), possibly empty
 * @param mentionedUsers mentioned users (only {@code id} matters when sending)
 * @param latestReactions up to 10 most recent reactions
 * @param ownReactions the reactions of the user who fetched the message
 * @param reactionCounts reaction type to count
 * @param reactionScores reaction type to summed score
 * @param replyCount number of thread replies (on a parent)
 * @param deletedReplyCount number of deleted thread replies (on a parent)
 * @param silent no unread or push effect
 * @param shadowed hidden from everyone but its author
 * @param pinned pinned in the channel
 * @param pinnedAt when it was pinned, or null (sent as an explicit null)
 * @param pinnedBy who pinned it, or null (sent as an explicit null)
 * @param pinExpires when the pin ends, or null (sent as an explicit null)
 * @param createdAt when it was created, or null before sending
 * @param updatedAt when it last changed, or null before sending
 * @param deletedAt when it was (soft-)deleted, or null
 * @param custom every other key, flattened on the wire
 */
public record Message(
        @Nullable String id,
        String text,
        @Nullable String html,
        @Nullable String type,
        @Nullable String cid,
        @Nullable User user,
        @Nullable String parentId,
        boolean showInChannel,
        @Nullable String quotedMessageId,
        @Nullable Message quotedMessage,
        List<JsonObject> attachments,
        List<User> mentionedUsers,
        List<Reaction> latestReactions,
        List<Reaction> ownReactions,
        Map<String, Integer> reactionCounts,
        Map<String, Integer> reactionScores,
        int replyCount,
        int deletedReplyCount,
        boolean silent,
        boolean shadowed,
        boolean pinned,
        @Nullable Instant pinnedAt,
        @Nullable User pinnedBy,
        @Nullable Instant pinExpires,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        @Nullable Instant deletedAt,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "id",
            "text",
            "html",
            "type",
            "cid",
            "user",
            "parent_id",
            "show_in_channel",
            "quoted_message_id",
            "quoted_message",
            "attachments",
            "mentioned_users",
            "latest_reactions",
            "own_reactions",
            "reaction_counts",
            "reaction_scores",
            "reply_count",
            "deleted_reply_count",
            "silent",
            "shadowed",
            "pinned",
            "pinned_at",
            "pinned_by",
            "pin_expires",
            "created_at",
            "updated_at",
            "deleted_at");

    /** Keys only the server sets; kept in {@link #custom()} when read, never sent in a request. */
    public static final Set<String> SERVER_FIELDS = Set.of(
            "user_id",
            "reaction_groups",
            "status",
            "member",
            "thread_participants",
            "message_text_updated_at",
            "restricted_visibility",
            "i18n",
            "channel",
            "command",
            "args",
            "command_info",
            "mentioned_channel",
            "mentioned_here",
            "__html",
            "error",
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

    public Message {
        text = text == null ? "" : text;
        attachments = Fields.copy(attachments);
        mentionedUsers = Fields.copy(mentionedUsers);
        latestReactions = Fields.copy(latestReactions);
        ownReactions = Fields.copy(ownReactions);
        reactionCounts = Fields.copy(reactionCounts);
        reactionScores = Fields.copy(reactionScores);
        custom = Fields.custom(custom);
        pinnedAt = Timestamps.truncate(pinnedAt);
        pinExpires = Timestamps.truncate(pinExpires);
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        deletedAt = Timestamps.truncate(deletedAt);
    }

    /** A message to send. */
    public static Builder builder() {
        return new Builder();
    }

    /** A message to send with this text. */
    public static Message of(String text) {
        return builder().text(text).build();
    }

    /** A builder holding this message's sendable fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.text = text;
        b.parentId = parentId;
        b.showInChannel = showInChannel;
        b.quotedMessageId = quotedMessageId;
        b.attachments = new ArrayList<>(attachments);
        b.mentionedUserIds =
                new ArrayList<>(mentionedUsers.stream().map(User::id).collect(Collectors.toList()));
        b.silent = silent;
        b.pinned = pinned;
        b.custom = new LinkedHashMap<>(custom.asMap());
        return b;
    }

    /** True for a thread reply that is not also shown in the channel. */
    public boolean threadOnly() {
        return parentId != null && !showInChannel;
    }

    /** This message with {@code ownReactions} replaced. */
    public Message withOwnReactions(List<Reaction> reactions) {
        return new Message(
                id,
                text,
                html,
                type,
                cid,
                user,
                parentId,
                showInChannel,
                quotedMessageId,
                quotedMessage,
                attachments,
                mentionedUsers,
                latestReactions,
                reactions,
                reactionCounts,
                reactionScores,
                replyCount,
                deletedReplyCount,
                silent,
                shadowed,
                pinned,
                pinnedAt,
                pinnedBy,
                pinExpires,
                createdAt,
                updatedAt,
                deletedAt,
                custom);
    }

    /**
     * Reads a message as sent on the wire; {@code mentioned_users} may hold user objects or ids.
     *
     * @throws ChatException code 4 naming the field when a field is missing or has the wrong type
     */
    public static Message fromJson(JsonNode node) {
        String o = "message";
        Fields.requireObject(node, o);
        return new Message(
                Fields.requiredText(node, o, "id"),
                Objects.requireNonNullElse(Fields.text(node, o, "text"), ""),
                Fields.text(node, o, "html"),
                Fields.text(node, o, "type"),
                Fields.text(node, o, "cid"),
                Fields.user(node, "user"),
                Fields.text(node, o, "parent_id"),
                Fields.bool(node, o, "show_in_channel"),
                Fields.text(node, o, "quoted_message_id"),
                Fields.object(node, o, "quoted_message", Message::fromJson),
                Fields.objects(node, o, "attachments"),
                Fields.list(
                        node,
                        o,
                        "mentioned_users",
                        n -> n.isTextual() ? User.builder(n.textValue()).build() : User.fromJson(n)),
                Fields.list(node, o, "latest_reactions", Reaction::fromJson),
                Fields.list(node, o, "own_reactions", Reaction::fromJson),
                Fields.counts(node, o, "reaction_counts"),
                Fields.counts(node, o, "reaction_scores"),
                Fields.integer(node, o, "reply_count", 0),
                Fields.integer(node, o, "deleted_reply_count", 0),
                Fields.bool(node, o, "silent"),
                Fields.bool(node, o, "shadowed"),
                Fields.bool(node, o, "pinned"),
                Fields.time(node, o, "pinned_at"),
                Fields.user(node, "pinned_by"),
                Fields.time(node, o, "pin_expires"),
                Fields.time(node, o, "created_at"),
                Fields.time(node, o, "updated_at"),
                Fields.time(node, o, "deleted_at"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The message as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        Fields.putText(o, "id", id);
        o.put("text", text);
        Fields.putText(o, "html", html);
        Fields.putText(o, "type", type);
        if (user != null) {
            o.set("user", user.toJson());
        }
        Fields.putText(o, "cid", cid);
        if (parentId != null) {
            o.put("parent_id", parentId);
        }
        if (parentId != null || showInChannel) {
            o.put("show_in_channel", showInChannel);
        }
        Fields.putText(o, "quoted_message_id", quotedMessageId);
        if (quotedMessage != null) {
            o.set("quoted_message", quotedMessage.toJson());
        }
        Fields.putObjects(o, "attachments", attachments);
        ArrayNode latest = o.putArray("latest_reactions");
        latestReactions.forEach(r -> latest.add(r.toJson()));
        ArrayNode own = o.putArray("own_reactions");
        ownReactions.forEach(r -> own.add(r.toJson()));
        Fields.putCounts(o, "reaction_counts", reactionCounts);
        Fields.putCounts(o, "reaction_scores", reactionScores);
        o.put("reply_count", replyCount);
        o.put("deleted_reply_count", deletedReplyCount);
        ArrayNode mentioned = o.putArray("mentioned_users");
        mentionedUsers.forEach(u -> mentioned.add(u.toJson()));
        o.put("silent", silent);
        o.put("shadowed", shadowed);
        o.put("pinned", pinned);
        Fields.putTimeOrNull(o, "pinned_at", pinnedAt);
        if (pinnedBy == null) {
            o.putNull("pinned_by");
        } else {
            o.set("pinned_by", pinnedBy.toJson());
        }
        Fields.putTimeOrNull(o, "pin_expires", pinExpires);
        Fields.putTime(o, "created_at", createdAt);
        Fields.putTime(o, "updated_at", updatedAt);
        Fields.putTime(o, "deleted_at", deletedAt);
        return o;
    }

    /**
     * The message as a client sends it ({@code POST .../message}, {@code POST /messages/{id}}): the editable
     * fields, mentioned users as ids, custom keys flattened; never the server-managed ones.
     */
    public ObjectNode toRequestJson() {
        ObjectNode o = Json.object();
        custom.asMap().forEach((k, v) -> {
            if (!SERVER_FIELDS.contains(k)) {
                o.set(k, Json.node(v));
            }
        });
        Fields.putText(o, "id", id);
        o.put("text", text);
        Fields.putObjects(o, "attachments", attachments);
        ArrayNode m = o.putArray("mentioned_users");
        mentionedUsers.forEach(u -> m.add(u.id()));
        if (parentId != null) {
            o.put("parent_id", parentId);
            o.put("show_in_channel", showInChannel);
        }
        Fields.putText(o, "quoted_message_id", quotedMessageId);
        o.put("silent", silent);
        // always sent: an update is a full replacement, and a missing pinned would unpin
        o.put("pinned", pinned);
        if (pinned && pinnedAt != null) {
            o.put("pinned_at", Timestamps.format(pinnedAt));
        }
        return o;
    }

    /** Builds a {@link Message} to send; every setter returns the builder. Not thread-safe. */
    public static final class Builder {
        private @Nullable String id;
        private String text = "";
        private @Nullable String parentId;
        private boolean showInChannel;
        private @Nullable String quotedMessageId;
        private List<JsonObject> attachments = new ArrayList<>();
        private List<String> mentionedUserIds = new ArrayList<>();
        private boolean silent;
        private boolean pinned;
        private Map<String, JsonValue> custom = new LinkedHashMap<>();

        private Builder() {}

        /** The id; left unset, the SDK generates a UUID when sending. At most 255 chars, no {@code ,} or {@code %}. */
        public Builder id(@Nullable String v) {
            id = v;
            return this;
        }

        public Builder text(@Nullable String v) {
            text = v == null ? "" : v;
            return this;
        }
        /** Makes the message a reply in the thread of {@code v}. */
        public Builder parentId(@Nullable String v) {
            parentId = v;
            return this;
        }
        /** A thread reply that also appears in the channel. */
        public Builder showInChannel(boolean v) {
            showInChannel = v;
            return this;
        }

        public Builder quotedMessageId(@Nullable String v) {
            quotedMessageId = v;
            return this;
        }
        /** Adds one attachment (§6.4), for example {@code JsonObject.of("type", "image", "image_url", "https://...")}. */
        public Builder attachment(JsonObject v) {
            attachments.add(Objects.requireNonNull(v, "attachment"));
            return this;
        }

        public Builder mentionedUserIds(List<String> v) {
            mentionedUserIds = new ArrayList<>(v);
            return this;
        }

        public Builder silent(boolean v) {
            silent = v;
            return this;
        }

        public Builder pinned(boolean v) {
            pinned = v;
            return this;
        }
        /** Sets one custom key, flattened into the message object; values as {@link JsonValue#of(Object)} takes them. */
        public Builder put(String key, @Nullable Object value) {
            custom.put(key, JsonValue.of(value));
            return this;
        }
        /** Replaces all custom data. */
        public Builder custom(CustomFields v) {
            custom = new LinkedHashMap<>(v.asMap());
            return this;
        }

        public Message build() {
            List<User> mentioned = mentionedUserIds.stream()
                    .map(uid -> User.builder(uid).build())
                    .collect(Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
            return new Message(
                    id,
                    text,
                    null,
                    null,
                    null,
                    null,
                    parentId,
                    showInChannel,
                    quotedMessageId,
                    null,
                    attachments,
                    mentioned,
                    List.of(),
                    List.of(),
                    Map.of(),
                    Map.of(),
                    0,
                    0,
                    silent,
                    false,
                    pinned,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    CustomFields.of(custom));
        }
    }
}
