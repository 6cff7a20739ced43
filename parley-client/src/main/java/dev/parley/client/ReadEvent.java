package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A read-state change (PROTOCOL.md §7.8, §8.3): {@code message.read} (to watchers),
 * {@code notification.mark_read} and {@code notification.mark_unread} (to the reader's own
 * connections, with fresh counters). Counters the server did not send are 0.
 *
 * @param type one of the types above
 * @param cid the channel; null only for a {@code notification.mark_read} of every channel
 * @param user the reader, if sent
 * @param lastReadMessageId the newest message read, if sent
 * @param unreadMessages for {@code notification.mark_unread}: the reader's unread messages in the channel
 * @param unreadCount the reader's unread messages over all channels
 * @param totalUnreadCount the same counter under its older name
 * @param unreadChannels channels with unread messages
 */
public record ReadEvent(
        String type,
        @Nullable String cid,
        Optional<User> user,
        Optional<String> lastReadMessageId,
        int unreadMessages,
        int unreadCount,
        int totalUnreadCount,
        int unreadChannels,
        Instant createdAt,
        JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.ofNullable(cid);
    }
}
