package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.internal.Wire;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The connected user's unread counters, {@code GET /unread} (PROTOCOL.md §7.17). Immutable.
 *
 * @param totalUnreadCount unread messages over all channels
 * @param totalUnreadThreadsCount threads with unread replies
 * @param channels per channel, up to 100 by last message time
 */
public record UnreadCounts(int totalUnreadCount, int totalUnreadThreadsCount, List<ChannelUnread> channels) {
    public UnreadCounts {
        channels = List.copyOf(channels);
    }

    /**
     * One channel's unread counter.
     *
     * @param cid the channel
     * @param unreadCount unread messages in it
     * @param lastRead when the user last read it, or null
     */
    public record ChannelUnread(
            String cid, int unreadCount, @Nullable Instant lastRead) {}

    /** Reads the answer of {@code GET /unread}. */
    static UnreadCounts fromJson(JsonNode node) {
        Wire.requireObject(node, "unread");
        List<ChannelUnread> channels = Wire.list(
                node,
                "unread",
                "channels",
                c -> new ChannelUnread(
                        Wire.requiredText(c, "unread.channels", "channel_id"),
                        Wire.integer(c, "unread.channels", "unread_count", 0),
                        Wire.time(c, "unread.channels", "last_read")));
        return new UnreadCounts(
                Wire.integer(node, "unread", "total_unread_count", 0),
                Wire.integer(node, "unread", "total_unread_threads_count", 0),
                channels);
    }

    /** The unread messages of {@code cid}, 0 when not listed. */
    public int unreadCount(String cid) {
        return channels.stream()
                .filter(c -> c.cid().equals(cid))
                .mapToInt(ChannelUnread::unreadCount)
                .findFirst()
                .orElse(0);
    }
}
