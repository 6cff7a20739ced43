package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * A change of a channel itself (PROTOCOL.md §7.4–§7.6, §8.3): {@code channel.updated},
 * {@code channel.deleted}, {@code channel.truncated} (to watchers); {@code channel.hidden},
 * {@code channel.visible} (to the user's own connections); {@code notification.added_to_channel},
 * {@code notification.removed_from_channel}, {@code notification.channel_deleted},
 * {@code notification.channel_truncated} (to the affected members).
 *
 * @param type one of the types above
 * @param cid the channel
 * @param channel the channel's fields after the change, if sent
 * @param user the actor, if sent
 * @param member the affected membership ({@code notification.added_to_channel}...), if sent
 * @param message the system message posted with the change, if any
 * @param clearHistory for {@code channel.hidden}: the user's history was cleared too
 */
public record ChannelEvent(
        String type,
        String cid,
        Optional<ChannelData> channel,
        Optional<User> user,
        Optional<Member> member,
        Optional<Message> message,
        boolean clearHistory,
        Instant createdAt,
        JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
