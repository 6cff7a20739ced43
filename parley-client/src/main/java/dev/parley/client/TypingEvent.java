package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code typing.start} or {@code typing.stop} (PROTOCOL.md §8.3), to watchers; the sender's own
 * connections receive it too. A {@code typing.start} counts for 7 seconds unless repeated.
 *
 * @param type {@code typing.start} or {@code typing.stop}
 * @param cid the channel
 * @param user who is typing
 * @param parentId the thread, when typing a reply
 */
public record TypingEvent(
        String type, String cid, User user, Optional<String> parentId, Instant createdAt, JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
