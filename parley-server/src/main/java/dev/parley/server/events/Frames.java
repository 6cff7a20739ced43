package dev.parley.server.events;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The encoded bytes of one event: one frame for every recipient, or one per variant when fields differ per user
 * (unread counters). A user with a variant gets it; everyone else gets the common frame. Variants are shared:
 * users with equal fields map to the same buffer, and a fan-out to thousands of users builds no per-user
 * table (each user's frame is found through the variant key the publisher was given).
 *
 * <p>Owns one reference of each distinct buffer; {@link #release} drops them. Recipients get
 * {@code retainedDuplicate()}s. The maps given are kept, not copied: callers hand them over.
 */
public final class Frames {
    private final ByteBuf common;
    /** User id to its variant key, or to its buffer when {@link #byKey} is null. */
    private final Map<String, ?> keyOfUser;

    private final @Nullable Map<?, ByteBuf> byKey;
    private final List<ByteBuf> distinct;

    private Frames(ByteBuf common, Map<String, ?> keyOfUser, @Nullable Map<?, ByteBuf> byKey, List<ByteBuf> distinct) {
        this.common = common;
        this.keyOfUser = keyOfUser;
        this.byKey = byKey;
        this.distinct = distinct;
    }

    /** Users in {@code byUser} get their buffer, everyone else {@code common}. */
    public Frames(ByteBuf common, Map<String, ByteBuf> byUser) {
        this(common, byUser, null, distinct(common, byUser.values()));
    }

    /**
     * Users in {@code keyOfUser} get the buffer of their key in {@code byKey}, everyone else (and users whose
     * key has no buffer) {@code common}, which must be one of {@code byKey}'s buffers.
     */
    static <K> Frames keyed(ByteBuf common, Map<String, K> keyOfUser, Map<K, ByteBuf> byKey) {
        return new Frames(common, keyOfUser, byKey, distinct(common, byKey.values()));
    }

    static Frames of(ByteBuf frame) {
        return new Frames(frame, Map.of(), null, List.of(frame));
    }

    /** The frame that user {@code userId} gets. */
    public ByteBuf frameOf(String userId) {
        if (keyOfUser.isEmpty()) {
            return common;
        }
        Object mine = keyOfUser.get(userId);
        if (mine == null) {
            return common;
        }
        if (byKey == null) {
            return (ByteBuf) mine;
        }
        ByteBuf variant = byKey.get(mine);
        return variant != null ? variant : common;
    }

    /** The frame of every recipient without a variant of its own. */
    public ByteBuf common() {
        return common;
    }

    /** Each distinct buffer, {@link #common()} among them; not retained for the caller. */
    public List<ByteBuf> distinct() {
        return distinct;
    }

    /** The users who get another frame than {@link #common()}, with their frame; not retained for the caller. */
    public Map<String, ByteBuf> variantsByUser() {
        Map<String, ByteBuf> out = new HashMap<>();
        for (String user : keyOfUser.keySet()) {
            ByteBuf mine = frameOf(user);
            if (mine != common) {
                out.put(user, mine);
            }
        }
        return out;
    }

    /** Takes one more reference of every distinct buffer, for a holder that will {@link #release} it. */
    public void retain() {
        distinct.forEach(ByteBuf::retain);
    }

    /** Releases one reference of every distinct buffer. */
    public void release() {
        distinct.forEach(ByteBuf::release);
    }

    private static List<ByteBuf> distinct(ByteBuf common, java.util.Collection<ByteBuf> others) {
        if (others.isEmpty()) {
            return List.of(common);
        }
        Set<ByteBuf> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.add(common);
        distinct.addAll(others);
        return List.copyOf(distinct);
    }
}
