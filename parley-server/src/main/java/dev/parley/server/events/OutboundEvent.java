package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.EventType;
import dev.parley.server.store.EncodedJson;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One event on its way out: its type, the channel it belongs to (null for user and presence events), its
 * payload and its audience, and optionally per-user variants of the payload.
 *
 * @param type the wire name; a {@link EventType} or a client's custom event name
 * @param body the payload every recipient gets unless a variant says otherwise; it is what {@code /sync} keeps
 * @param stored the bytes of {@code body} once the store wrote it for {@code /sync}: delivery sends those
 */
public record OutboundEvent(
        String type,
        @Nullable String cid,
        ObjectNode body,
        Audience audience,
        @Nullable Variants<?> variants,
        EncodedJson stored) {

    public OutboundEvent {
        requireNonNull(type, "type");
        requireNonNull(body, "body");
        requireNonNull(audience, "audience");
        requireNonNull(stored, "stored");
    }

    public OutboundEvent(
            String type, @Nullable String cid, ObjectNode body, Audience audience, @Nullable Variants<?> variants) {
        this(type, cid, body, audience, variants, new EncodedJson());
    }

    /** An event whose type and channel are read from its own {@code type} and {@code cid} fields. */
    public static OutboundEvent of(ObjectNode body, Audience audience) {
        String cid = body.path("cid").asText(null);
        return new OutboundEvent(body.path("type").asText(), "*".equals(cid) ? null : cid, body, audience, null);
    }

    /** The same event with per-user variants. */
    public OutboundEvent withVariants(Variants<?> v) {
        return new OutboundEvent(type, cid, body, audience, v, stored);
    }

    /**
     * Per-user variants of an event whose fields differ per recipient (unread counters, own reactions): each
     * user of {@code keyOfUser} gets the variant of its key, every other recipient the variant of
     * {@code othersKey}. A variant is made and encoded once per distinct key, whatever the number of users:
     * either {@code build} makes the whole event of a key, or {@code appended} gives the fields a key adds at
     * the end of the body (then the body is encoded once and each variant only adds its fields' bytes).
     */
    public record Variants<K>(
            Map<String, K> keyOfUser,
            K othersKey,
            @Nullable Function<K, ObjectNode> build,
            @Nullable Function<K, ObjectNode> appended) {
        public Variants {
            requireNonNull(keyOfUser, "keyOfUser");
            requireNonNull(othersKey, "othersKey");
            if ((build == null) == (appended == null)) {
                throw new IllegalArgumentException("variants: exactly one of build and appended");
            }
        }

        public Variants(Map<String, K> keyOfUser, K othersKey, @Nullable Function<K, ObjectNode> build) {
            this(keyOfUser, othersKey, build, null);
        }

        /** Variants that add {@code fields} of their key after the body's own fields, which none of them names. */
        public static <K> Variants<K> appending(Map<String, K> keyOfUser, K othersKey, Function<K, ObjectNode> fields) {
            return new Variants<>(keyOfUser, othersKey, null, fields);
        }
    }
}
