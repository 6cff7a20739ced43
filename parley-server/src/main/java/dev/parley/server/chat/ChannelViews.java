package dev.parley.server.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of channels, members, reads and channel events (PROTOCOL.md §6.2, §6.3, §6.6, §8.2).
 * Stateless; thread-safe.
 */
public final class ChannelViews {
    private ChannelViews() {}

    /**
     * The channel without per-user fields, as events carry it; {@code createdBy} may be null.
     */
    public static ObjectNode channel(ChannelRow ch, ChannelType type, @Nullable User createdBy) {
        ObjectNode o = Json.object();
        o.put("id", ch.id());
        o.put("type", ch.type());
        o.put("cid", ch.cid());
        o.put("created_at", Timestamps.format(ch.createdAt()));
        o.put("updated_at", Timestamps.format(ch.updatedAt()));
        if (createdBy != null) {
            o.set("created_by", createdBy.toJson());
        }
        o.put("frozen", ch.frozen());
        o.put("disabled", ch.disabled());
        o.put("member_count", ch.memberCount());
        o.put("message_count", ch.messageCount());
        if (ch.lastMessageAt() != null) {
            o.put("last_message_at", Timestamps.format(ch.lastMessageAt()));
        }
        if (ch.cooldown() > 0) {
            o.put("cooldown", ch.cooldown());
        }
        if (ch.team() != null) {
            o.put("team", ch.team());
        }
        if (ch.truncatedAt() != null) {
            o.put("truncated_at", Timestamps.format(ch.truncatedAt()));
            if (ch.truncatedById() != null) {
                o.put("truncated_by_id", ch.truncatedById());
            }
        }
        o.set("config", type.configJson());
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it =
                        ch.custom().fields();
                it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            if (!o.has(e.getKey()) && !e.getKey().equals(ChannelTypes.OVERRIDES)) {
                o.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return o;
    }

    /** A member with its user (§6.3); {@code user} may be null for a user that no longer exists. */
    public static ObjectNode member(MemberRow m, @Nullable User user, ChannelRow ch) {
        ObjectNode o = Json.object();
        o.put("user_id", m.userId());
        o.set("user", user == null ? User.builder(m.userId()).build().toJson() : user.toJson());
        o.put("created_at", Timestamps.format(m.createdAt()));
        o.put("updated_at", Timestamps.format(m.updatedAt()));
        o.put("banned", user != null && user.banned());
        o.put("shadow_banned", user != null && user.shadowBanned());
        o.put("channel_role", m.channelRole());
        o.put("role", legacyRole(m, user, ch));
        o.put("status", m.inviteStatus() == null ? "member" : m.inviteStatus());
        if (m.inviteStatus() != null) {
            o.put("invited", true);
            if (m.inviteAcceptedAt() != null) {
                o.put("invite_accepted_at", Timestamps.format(m.inviteAcceptedAt()));
            }
            if (m.inviteRejectedAt() != null) {
                o.put("invite_rejected_at", Timestamps.format(m.inviteRejectedAt()));
            }
        }
        o.put("notifications_muted", false);
        putTime(o, "archived_at", m.archivedAt());
        putTime(o, "pinned_at", m.pinnedAt());
        m.custom().fields().forEachRemaining(e -> {
            if (!o.has(e.getKey())) {
                o.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return o;
    }

    private static void putTime(ObjectNode o, String key, @Nullable Instant at) {
        if (at == null) {
            o.putNull(key);
        } else {
            o.put(key, Timestamps.format(at));
        }
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

    /** A read state entry (§6.6) with the member's delivery receipt, when there is one. */
    public static ObjectNode read(
            MemberRow m, @Nullable User user, dev.parley.server.store.ChatRows.@Nullable Delivery delivery) {
        ObjectNode o = read(m, user);
        if (delivery != null) {
            o.put("last_delivered_at", Timestamps.format(delivery.at()));
            o.put("last_delivered_message_id", delivery.messageId());
        }
        return o;
    }

    /** A read state entry (§6.6). */
    public static ObjectNode read(MemberRow m, @Nullable User user) {
        ObjectNode o = Json.object();
        o.set("user", user == null ? User.builder(m.userId()).build().toJson() : user.toJson());
        o.put("last_read", Timestamps.format(m.lastRead() == null ? m.createdAt() : m.lastRead()));
        o.put("unread_messages", m.unreadMessages());
        if (m.lastReadMessageId() != null) {
            o.put("last_read_message_id", m.lastReadMessageId());
        }
        return o;
    }

    /** The common fields of a channel event (§8.2): type, cid, channel_type, channel_id, created_at. */
    public static ObjectNode event(String type, ChannelRow ch, Instant at) {
        ObjectNode e = Json.object();
        e.put("type", type);
        e.put("cid", ch.cid());
        e.put("channel_type", ch.type());
        e.put("channel_id", ch.id());
        e.put("created_at", Timestamps.format(at));
        return e;
    }
}
