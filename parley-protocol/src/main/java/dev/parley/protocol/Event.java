package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An event as sent on the WebSocket and returned by the event endpoints (PROTOCOL.md §6.9, §8). Every event
 * has a {@code type}; the other typed fields are present only in the events that carry them, and null
 * otherwise. Per-recipient unread counters ({@code total_unread_count}...) are null when not sent. The
 * payload of a custom event (§7.0) and every field without a typed one are in {@link #custom()}. Immutable.
 *
 * @param type the wire name; {@link #knownType()} maps it to an {@link EventType}
 * @param cid the channel ({@code <type>:<id>}, or {@code *} on {@code health.check}), or null
 * @param channelId the channel id, or null
 * @param channelType the channel type, or null
 * @param createdAt when the server created the event, or null
 * @param connectionId the socket's connection id ({@code health.check}), or null
 * @param user the actor or subject, or null
 * @param me the connected user ({@code health.check} on connect), or null
 * @param message the message the event is about, or null
 * @param messageId the id of that message, or null
 * @param parentId the thread ({@code typing.*}, thread notifications), or null
 * @param reaction the reaction ({@code reaction.*}), or null
 * @param member the membership ({@code member.*}, channel notifications), or null
 * @param channel the channel's fields, or null
 * @param watcherCount watching connections after the event, or null
 * @param channelMemberCount members of the channel, or null
 * @param totalUnreadCount the recipient's unread messages over all channels, or null
 * @param unreadCount the same counter under its newer name, or null
 * @param unreadChannels the recipient's channels with unread messages, or null
 * @param unreadThreads the recipient's threads with unread replies, or null
 * @param unreadMessages the recipient's unread messages in this channel ({@code notification.mark_unread}), or null
 * @param lastReadMessageId the newest message read ({@code message.read}), or null
 * @param hardDelete {@code message.deleted}: removed for good; null when not sent
 * @param clearHistory {@code channel.hidden}: the history was cleared too; null when not sent
 * @param custom every other key, flattened on the wire
 */
public record Event(
        String type,
        @Nullable String cid,
        @Nullable String channelId,
        @Nullable String channelType,
        @Nullable Instant createdAt,
        @Nullable String connectionId,
        @Nullable User user,
        @Nullable OwnUser me,
        @Nullable Message message,
        @Nullable String messageId,
        @Nullable String parentId,
        @Nullable Reaction reaction,
        @Nullable Member member,
        @Nullable Channel channel,
        @Nullable Integer watcherCount,
        @Nullable Integer channelMemberCount,
        @Nullable Integer totalUnreadCount,
        @Nullable Integer unreadCount,
        @Nullable Integer unreadChannels,
        @Nullable Integer unreadThreads,
        @Nullable Integer unreadMessages,
        @Nullable String lastReadMessageId,
        @Nullable Boolean hardDelete,
        @Nullable Boolean clearHistory,
        CustomFields custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "type",
            "cid",
            "channel_id",
            "channel_type",
            "created_at",
            "connection_id",
            "user",
            "me",
            "message",
            "message_id",
            "parent_id",
            "reaction",
            "member",
            "channel",
            "watcher_count",
            "channel_member_count",
            "total_unread_count",
            "unread_count",
            "unread_channels",
            "unread_threads",
            "unread_messages",
            "last_read_message_id",
            "hard_delete",
            "clear_history");

    public Event {
        requireNonNull(type, "type");
        createdAt = Timestamps.truncate(createdAt);
        custom = Fields.custom(custom);
    }

    /** A builder of an event of this type. */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /** A builder of an event of this type. */
    public static Builder builder(EventType type) {
        return new Builder(type.wireName());
    }

    /** The type from the table of known types; empty for a custom event name. */
    public Optional<EventType> knownType() {
        return EventType.fromWireName(type);
    }

    /**
     * Reads an event as sent on the wire.
     *
     * @throws ChatException code 4 naming the field when a field is missing or has the wrong type
     */
    public static Event fromJson(JsonNode node) {
        String o = "event";
        Fields.requireObject(node, o);
        return new Event(
                Fields.requiredText(node, o, "type"),
                Fields.text(node, o, "cid"),
                Fields.text(node, o, "channel_id"),
                Fields.text(node, o, "channel_type"),
                Fields.time(node, o, "created_at"),
                Fields.text(node, o, "connection_id"),
                Fields.user(node, "user"),
                Fields.object(node, o, "me", OwnUser::fromJson),
                Fields.object(node, o, "message", Message::fromJson),
                Fields.text(node, o, "message_id"),
                Fields.text(node, o, "parent_id"),
                Fields.object(node, o, "reaction", Reaction::fromJson),
                Fields.object(node, o, "member", Member::fromJson),
                Fields.object(node, o, "channel", Channel::fromJson),
                Fields.optInteger(node, o, "watcher_count"),
                Fields.optInteger(node, o, "channel_member_count"),
                Fields.optInteger(node, o, "total_unread_count"),
                Fields.optInteger(node, o, "unread_count"),
                Fields.optInteger(node, o, "unread_channels"),
                Fields.optInteger(node, o, "unread_threads"),
                Fields.optInteger(node, o, "unread_messages"),
                Fields.text(node, o, "last_read_message_id"),
                Fields.optBool(node, o, "hard_delete"),
                Fields.optBool(node, o, "clear_history"),
                Json.custom(node, TYPED_FIELDS));
    }

    /** The event as the server sends it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.putAll(Json.object(), custom);
        o.put("type", type);
        Fields.putText(o, "cid", cid);
        Fields.putText(o, "channel_id", channelId);
        Fields.putText(o, "channel_type", channelType);
        Fields.putTime(o, "created_at", createdAt);
        Fields.putText(o, "connection_id", connectionId);
        if (user != null) {
            o.set("user", user.toJson());
        }
        if (me != null) {
            o.set("me", me.toJson());
        }
        if (message != null) {
            o.set("message", message.toJson());
        }
        Fields.putText(o, "message_id", messageId);
        Fields.putText(o, "parent_id", parentId);
        if (reaction != null) {
            o.set("reaction", reaction.toJson());
        }
        if (member != null) {
            o.set("member", member.toJson());
        }
        if (channel != null) {
            o.set("channel", channel.toJson());
        }
        Fields.putInt(o, "watcher_count", watcherCount);
        Fields.putInt(o, "channel_member_count", channelMemberCount);
        Fields.putInt(o, "total_unread_count", totalUnreadCount);
        Fields.putInt(o, "unread_count", unreadCount);
        Fields.putInt(o, "unread_channels", unreadChannels);
        Fields.putInt(o, "unread_threads", unreadThreads);
        Fields.putInt(o, "unread_messages", unreadMessages);
        Fields.putText(o, "last_read_message_id", lastReadMessageId);
        Fields.putBool(o, "hard_delete", hardDelete);
        Fields.putBool(o, "clear_history", clearHistory);
        return o;
    }

    /** Builds an {@link Event}; every setter returns the builder. Not thread-safe. */
    public static final class Builder {
        private final String type;
        private @Nullable String cid;
        private @Nullable String channelId;
        private @Nullable String channelType;
        private @Nullable Instant createdAt;
        private @Nullable String connectionId;
        private @Nullable User user;
        private @Nullable OwnUser me;
        private @Nullable Message message;
        private @Nullable String messageId;
        private @Nullable String parentId;
        private @Nullable Reaction reaction;
        private @Nullable Member member;
        private @Nullable Channel channel;
        private @Nullable Integer watcherCount;
        private @Nullable Integer channelMemberCount;
        private @Nullable Integer totalUnreadCount;
        private @Nullable Integer unreadCount;
        private @Nullable Integer unreadChannels;
        private @Nullable Integer unreadThreads;
        private @Nullable Integer unreadMessages;
        private @Nullable String lastReadMessageId;
        private @Nullable Boolean hardDelete;
        private @Nullable Boolean clearHistory;
        private CustomFields custom = CustomFields.EMPTY;

        private Builder(String type) {
            this.type = requireNonNull(type, "type");
        }

        /** Sets {@code cid}, {@code channel_type} and {@code channel_id} from a cid {@code <type>:<id>}. */
        public Builder channelCid(String v) {
            cid = v;
            int colon = v.indexOf(':');
            if (colon > 0) {
                channelType = v.substring(0, colon);
                channelId = v.substring(colon + 1);
            }
            return this;
        }

        public Builder cid(@Nullable String v) {
            cid = v;
            return this;
        }

        public Builder channelId(@Nullable String v) {
            channelId = v;
            return this;
        }

        public Builder channelType(@Nullable String v) {
            channelType = v;
            return this;
        }

        public Builder createdAt(@Nullable Instant v) {
            createdAt = v;
            return this;
        }

        public Builder connectionId(@Nullable String v) {
            connectionId = v;
            return this;
        }

        public Builder user(@Nullable User v) {
            user = v;
            return this;
        }

        public Builder me(@Nullable OwnUser v) {
            me = v;
            return this;
        }

        public Builder message(@Nullable Message v) {
            message = v;
            return this;
        }

        public Builder messageId(@Nullable String v) {
            messageId = v;
            return this;
        }

        public Builder parentId(@Nullable String v) {
            parentId = v;
            return this;
        }

        public Builder reaction(@Nullable Reaction v) {
            reaction = v;
            return this;
        }

        public Builder member(@Nullable Member v) {
            member = v;
            return this;
        }

        public Builder channel(@Nullable Channel v) {
            channel = v;
            return this;
        }

        public Builder watcherCount(@Nullable Integer v) {
            watcherCount = v;
            return this;
        }

        public Builder channelMemberCount(@Nullable Integer v) {
            channelMemberCount = v;
            return this;
        }
        /** Sets the four per-recipient counters at once, as the server sends them (§6.1). */
        public Builder unreadCounters(int messages, int channels, int threads) {
            totalUnreadCount = messages;
            unreadCount = messages;
            unreadChannels = channels;
            unreadThreads = threads;
            return this;
        }

        public Builder unreadMessages(@Nullable Integer v) {
            unreadMessages = v;
            return this;
        }

        public Builder lastReadMessageId(@Nullable String v) {
            lastReadMessageId = v;
            return this;
        }

        public Builder hardDelete(@Nullable Boolean v) {
            hardDelete = v;
            return this;
        }

        public Builder clearHistory(@Nullable Boolean v) {
            clearHistory = v;
            return this;
        }

        public Builder custom(CustomFields v) {
            custom = requireNonNull(v, "custom");
            return this;
        }

        public Event build() {
            return new Event(
                    type,
                    cid,
                    channelId,
                    channelType,
                    createdAt,
                    connectionId,
                    user,
                    me,
                    message,
                    messageId,
                    parentId,
                    reaction,
                    member,
                    channel,
                    watcherCount,
                    channelMemberCount,
                    totalUnreadCount,
                    unreadCount,
                    unreadChannels,
                    unreadThreads,
                    unreadMessages,
                    lastReadMessageId,
                    hardDelete,
                    clearHistory,
                    custom);
        }
    }
}
