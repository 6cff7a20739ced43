package dev.parley.server.events;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The encoded bytes of one event: one frame for every recipient, or one per variant when fields differ per user
 * (unread counters). Users in {@link #byUser} get their own variant; everyone else gets {@link #common}.
 * Variants are shared: users with equal fields map to the same buffer.
 *
 * <p>Owns one reference of each distinct buffer; {@link #release} drops them. Recipients get
 * {@code retainedDuplicate()}s.
 */
public record Frames(ByteBuf common, Map<String, ByteBuf> byUser, List<ByteBuf> distinct) {

    public Frames {
        byUser = Map.copyOf(byUser);
    }

    public Frames(ByteBuf common, Map<String, ByteBuf> byUser) {
        this(common, byUser, distinct(common, byUser));
    }

    static Frames of(ByteBuf frame) {
        return new Frames(frame, Map.of());
    }

    /** The frame that user {@code userId} gets. */
    public ByteBuf frameOf(String userId) {
        ByteBuf mine = byUser.isEmpty() ? null : byUser.get(userId);
        return mine != null ? mine : common;
    }

    /** Takes one more reference of every distinct buffer, for a holder that will {@link #release} it. */
    public void retain() {
        distinct.forEach(ByteBuf::retain);
    }

    /** Releases one reference of every distinct buffer. */
    public void release() {
        distinct.forEach(ByteBuf::release);
    }

    private static List<ByteBuf> distinct(ByteBuf common, Map<String, ByteBuf> byUser) {
        if (byUser.isEmpty()) {
            return List.of(common);
        }
        Set<ByteBuf> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.add(common);
        distinct.addAll(byUser.values());
        return List.copyOf(distinct);
    }
}
