package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code user.watching.start} or {@code user.watching.stop} (PROTOCOL.md §4.5, §8.3): a connection
 * started or stopped watching the channel.
 *
 * @param type one of the types above
 * @param cid the channel
 * @param user whose connection it is
 * @param watcherCount watching connections after the change
 */
public record WatchingEvent(String type, String cid, User user, int watcherCount, Instant createdAt, JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
