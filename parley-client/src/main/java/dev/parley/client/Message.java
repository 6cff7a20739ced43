package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.Wire;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A chat message (PROTOCOL.md §6.4), as received or about to be sent. Immutable.
 *
 * <p>Build one to send with {@link #builder()}; {@link Channel#sendMessage} fills in a client-generated
 * UUID id when none is set. Server-managed fields ({@code html}, {@code user}, reaction summaries,
 * timestamps) are read from responses and events and never sent back.
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
 * @param attachments attachments as JSON objects (§6.4), possibly empty
 * @param mentionedUsers mentioned users (only {@code id} matters when sending)
 * @param latestReactions up to 10 most recent reactions
 * @param ownReactions the reactions of the user who fetched the message
 * @param reactionCounts reaction type to count
 * @param reactionScores reaction type to summed score
 * @param replyCount number of thread replies (on a parent)
 * @param silent no unread or push effect
 * @param pinned pinned in the channel
 * @param pinnedAt when it was pinned, or null
 * @param createdAt when it was created, or null before sending
 * @param updatedAt when it last changed, or null before sending
 * @param deletedAt when it was (soft-)deleted, or null
 * @param custom every other key, flattened on the wire
 */
public record Message(@Nullable String id, String text, @Nullable String html, @Nullable String type,
        @Nullable String cid, @Nullable User user, @Nullable String parentId,
        boolean showInChannel, @Nullable String quotedMessageId, List<JsonNode> attachments, List<User> mentionedUsers,
        List<Reaction> latestReactions, List<Reaction> ownReactions, Map<String, Integer> reactionCounts,
        Map<String, Integer> reactionScores, int replyCount, boolean silent, boolean pinned, @Nullable Instant pinnedAt,
        @Nullable Instant createdAt, @Nullable Instant updatedAt, @Nullable Instant deletedAt,
        Map<String, JsonNode> custom) {

    private static final Set<String> TYPED = Set.of("id", "text", "html", "type", "cid", "user", "parent_id",
            "show_in_channel", "quoted_message_id", "attachments", "mentioned_users", "latest_reactions",
            "own_reactions", "reaction_counts", "reaction_scores", "reply_count", "silent", "pinned", "pinned_at",
            "created_at", "updated_at", "deleted_at");

    public Message {
        text = text == null ? "" : text;
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        mentionedUsers = mentionedUsers == null ? List.of() : List.copyOf(mentionedUsers);
        latestReactions = latestReactions == null ? List.of() : List.copyOf(latestReactions);
        ownReactions = ownReactions == null ? List.of() : List.copyOf(ownReactions);
        reactionCounts = reactionCounts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(reactionCounts));
        reactionScores = reactionScores == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(reactionScores));
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
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
        b.mentionedUserIds = new ArrayList<>(mentionedUsers.stream().map(User::id).toList());
        b.silent = silent;
        b.pinned = pinned;
        b.custom = new LinkedHashMap<>(custom);
        return b;
    }

    /** True for a thread reply that is not also shown in the channel. */
    public boolean threadOnly() {
        return parentId != null && !showInChannel;
    }

    /** This message with {@code ownReactions} replaced. */
    public Message withOwnReactions(List<Reaction> reactions) {
        return new Message(id, text, html, type, cid, user, parentId, showInChannel, quotedMessageId, attachments,
                mentionedUsers, latestReactions, reactions, reactionCounts, reactionScores, replyCount, silent,
                pinned, pinnedAt, createdAt, updatedAt, deletedAt, custom);
    }

    /** Reads a message as the server sends it. */
    public static Message fromJson(JsonNode node) {
        Wire.requireObject(node, "message");
        String o = "message";
        return new Message(Wire.requiredText(node, o, "id"), Wire.text(node, o, "text", ""), Wire.text(node, o, "html"),
                Wire.text(node, o, "type"), Wire.text(node, o, "cid"), Wire.user(node, "user"),
                Wire.text(node, o, "parent_id"), Wire.bool(node, o, "show_in_channel", false),
                Wire.text(node, o, "quoted_message_id"), Wire.list(node, o, "attachments", n -> n),
                Wire.list(node, o, "mentioned_users", n -> n.isTextual() ? User.builder(n.asText()).build() : User.fromJson(n)),
                Wire.list(node, o, "latest_reactions", Reaction::fromJson),
                Wire.list(node, o, "own_reactions", Reaction::fromJson), Wire.counts(node, o, "reaction_counts"),
                Wire.counts(node, o, "reaction_scores"), Wire.integer(node, o, "reply_count", 0),
                Wire.bool(node, o, "silent", false), Wire.bool(node, o, "pinned", false), Wire.time(node, o, "pinned_at"),
                Wire.time(node, o, "created_at"), Wire.time(node, o, "updated_at"), Wire.time(node, o, "deleted_at"),
                Wire.custom(node, TYPED));
    }

    /**
     * The message as an app sends it ({@code POST .../message}, {@code POST /messages/{id}}): the
     * editable fields, mentioned users as ids, custom keys flattened; never the server-managed ones.
     */
    public ObjectNode toRequestJson() {
        ObjectNode o = Json.object();
        custom.forEach(o::set);
        if (id != null) {
            o.put("id", id);
        }
        o.put("text", text);
        ArrayNode a = o.putArray("attachments");
        attachments.forEach(a::add);
        ArrayNode m = o.putArray("mentioned_users");
        mentionedUsers.forEach(u -> m.add(u.id()));
        if (parentId != null) {
            o.put("parent_id", parentId);
            o.put("show_in_channel", showInChannel);
        }
        if (quotedMessageId != null) {
            o.put("quoted_message_id", quotedMessageId);
        }
        o.put("silent", silent);
        // always sent: an update is a full replacement, and a missing pinned would unpin
        o.put("pinned", pinned);
        if (pinned && pinnedAt != null) {
            o.put("pinned_at", Timestamps.format(pinnedAt));
        }
        return o;
    }

    /** Builds a {@link Message} to send; every setter returns the builder. */
    public static final class Builder {
        private @Nullable String id;
        private String text = "";
        private @Nullable String parentId;
        private boolean showInChannel;
        private @Nullable String quotedMessageId;
        private List<JsonNode> attachments = new ArrayList<>();
        private List<String> mentionedUserIds = new ArrayList<>();
        private boolean silent;
        private boolean pinned;
        private Map<String, JsonNode> custom = new LinkedHashMap<>();

        private Builder() {}

        /** The id; left unset, {@link Channel#sendMessage} generates a UUID. At most 255 chars, no {@code ,} or {@code %}. */
        public Builder id(@Nullable String v) { id = v; return this; }
        public Builder text(@Nullable String v) { text = v == null ? "" : v; return this; }
        /** Makes the message a reply in the thread of {@code v}. */
        public Builder parentId(@Nullable String v) { parentId = v; return this; }
        /** A thread reply that also appears in the channel. */
        public Builder showInChannel(boolean v) { showInChannel = v; return this; }
        public Builder quotedMessageId(@Nullable String v) { quotedMessageId = v; return this; }
        /** Adds one attachment (§6.4), for example {@code {"type":"image","image_url":"https://..."}}. */
        public Builder attachment(JsonNode v) { attachments.add(v.deepCopy()); return this; }
        public Builder mentionedUserIds(List<String> v) { mentionedUserIds = new ArrayList<>(v); return this; }
        public Builder silent(boolean v) { silent = v; return this; }
        public Builder pinned(boolean v) { pinned = v; return this; }
        /** Sets one custom key, flattened into the message object. */
        public Builder put(String key, JsonNode value) { custom.put(key, value); return this; }

        public Message build() {
            List<User> mentioned = mentionedUserIds.stream().map(uid -> User.builder(uid).build()).toList();
            return new Message(id, text, null, null, null, null, parentId, showInChannel, quotedMessageId, attachments,
                    mentioned, List.of(), List.of(), Map.of(), Map.of(), 0, silent, pinned, null, null, null, null,
                    custom);
        }
    }
}
