package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * An event about one message (PROTOCOL.md §8.3): {@code message.new}, {@code message.updated},
 * {@code message.deleted}, {@code message.undeleted} (to watchers) and {@code notification.message_new}
 * (to members not watching). Per-recipient unread counters are in {@link #raw()}.
 *
 * @param type one of the types above
 * @param cid the channel
 * @param message the message as the server sent it
 * @param user the actor (author, or who deleted it), if sent
 * @param hardDelete for {@code message.deleted}: removed for good rather than marked deleted
 */
public record MessageEvent(
        String type,
        String cid,
        Message message,
        Optional<User> user,
        boolean hardDelete,
        Instant createdAt,
        JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
