package dev.parley.client;

import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code member.added}, {@code member.updated} or {@code member.removed} (PROTOCOL.md §8.3), to watchers.
 *
 * @param type one of the types above
 * @param cid the channel
 * @param member the membership after the change; may be absent on {@code member.removed}
 * @param user the member's user
 */
public record MemberEvent(
        String type, String cid, Optional<Member> member, User user, Instant createdAt, JsonObject raw)
        implements Event {
    @Override
    public Optional<String> channelCid() {
        return Optional.of(cid);
    }
}
