package dev.parley.server.channels;

import dev.parley.protocol.Channel;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.Json;
import dev.parley.protocol.Member;
import dev.parley.protocol.Read;
import dev.parley.protocol.User;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Delivery;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ModerationStore.Ban;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The typed wire records of a channel, its members and their read states (PROTOCOL.md §6.2, §6.3, §6.6), built
 * from the store's rows. Their {@code toJson()} is, key for key and null for null, the tree that
 * {@link dev.parley.server.chat.ChannelViews} writes for the same rows: a custom key that collides with a typed
 * one is kept exactly where that tree keeps it (a typed field the record writes replaces it, one it leaves out
 * lets it through). Stateless; thread-safe.
 */
final class ChannelRecords {
    private static final Set<String> HIDDEN_CUSTOM = Set.of(ChannelTypes.OVERRIDES);

    private ChannelRecords() {}

    /** The channel without per-reader fields, as events carry it; {@code createdBy} may be null. */
    static Channel channel(ChannelRow ch, ChannelType type, @Nullable User createdBy) {
        return channel(ch, type, createdBy, null, null, null);
    }

    /**
     * The channel with the per-reader fields given ({@code ownCapabilities} and {@code hidden}; null leaves them
     * out) and {@code deletedAt} (null for a channel that exists).
     */
    static Channel channel(
            ChannelRow ch,
            ChannelType type,
            @Nullable User createdBy,
            @Nullable List<String> ownCapabilities,
            @Nullable Boolean hidden,
            @Nullable Instant deletedAt) {
        return new Channel(
                ch.id(),
                ch.type(),
                ch.cid(),
                createdBy,
                ch.frozen(),
                ch.disabled(),
                ch.memberCount(),
                ch.messageCount(),
                Json.objectValue(type.configJson(), "config"),
                ownCapabilities,
                hidden,
                null,
                ch.team(),
                ch.cooldown(),
                ch.createdAt(),
                ch.updatedAt(),
                ch.lastMessageAt(),
                ch.truncatedAt(),
                ch.truncatedAt() == null ? null : ch.truncatedById(),
                deletedAt,
                Json.custom(ch.custom(), HIDDEN_CUSTOM));
    }

    /**
     * A member with its user; {@code user} may be null for a user that no longer exists, {@code channelBan} is the
     * member's active ban in this channel or null.
     */
    static Member member(MemberRow m, @Nullable User user, ChannelRow ch, @Nullable Ban channelBan) {
        boolean invited = m.inviteStatus() != null;
        return new Member(
                m.userId(),
                user == null ? User.builder(m.userId()).build() : user,
                m.channelRole(),
                legacyRole(m, user, ch),
                invited ? m.inviteStatus() : "member",
                (user != null && user.banned()) || (channelBan != null && !channelBan.shadow()),
                (user != null && user.shadowBanned()) || (channelBan != null && channelBan.shadow()),
                invited,
                invited ? m.inviteAcceptedAt() : null,
                invited ? m.inviteRejectedAt() : null,
                false,
                m.archivedAt(),
                m.pinnedAt(),
                m.createdAt(),
                m.updatedAt(),
                Json.custom(m.custom(), Set.of()));
    }

    /** A read state entry with the member's delivery receipt, when there is one ({@code delivery} may be null). */
    static Read read(MemberRow m, @Nullable User user, @Nullable Delivery delivery) {
        return new Read(
                user == null ? User.builder(m.userId()).build() : user,
                m.lastRead() == null ? m.createdAt() : m.lastRead(),
                m.unreadMessages(),
                m.lastReadMessageId(),
                delivery == null ? null : delivery.at(),
                delivery == null ? null : delivery.messageId(),
                CustomFields.EMPTY);
    }

    private static String legacyRole(MemberRow m, @Nullable User user, ChannelRow ch) {
        if (user != null && "admin".equals(user.role())) {
            return "admin";
        }
        if (m.userId().equals(ch.createdById())) {
            return "owner";
        }
        return "channel_moderator".equals(m.channelRole()) ? "moderator" : "member";
    }
}
