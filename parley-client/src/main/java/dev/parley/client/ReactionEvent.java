package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code reaction.new}, {@code reaction.updated} or {@code reaction.deleted} (PROTOCOL.md §8.3), to
 * watchers of the channel.
 *
 * @param type one of the types above
 * @param cid the channel
 * @param message the message after the change, with its reaction summaries
 * @param reaction the reaction added, replaced or removed
 * @param user who reacted, if sent
 */
public record ReactionEvent(
        String type,
        String cid,
        Message message,
        Reaction reaction,
        Optional<User> user,
        Instant createdAt,
        JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
