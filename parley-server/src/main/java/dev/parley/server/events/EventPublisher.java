package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.store.ChatRows.EventRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.HookStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one way events leave the server (PROTOCOL.md §8). Every service hands its events here with an
 * {@link Audience}; this class decides once whether {@code /sync} keeps an event (and stores it with the
 * channel's next sequence number, {@value #SEQ_FIELD}), counts it, encodes it once per distinct variant and
 * hands the frames to the {@link Broker}. No service touches a socket.
 *
 * <p>Order: events of one channel that {@code /sync} keeps are stored and handed to the broker under the
 * channel's lock, so their sequence numbers and their delivery order agree. Thread-safe; {@link #publish}
 * blocks while it stores (call it from virtual threads).
 */
public final class EventPublisher {
    /** The field that carries a stored channel event's per-channel sequence number (Stream's SDKs ignore it). */
    public static final String SEQ_FIELD = "channel_seq";

    /** The channel events {@code POST /sync} replays (§9.4). */
    private static final Set<EventType> KEPT_FOR_SYNC = EnumSet.of(
            EventType.MESSAGE_NEW,
            EventType.MESSAGE_UPDATED,
            EventType.MESSAGE_DELETED,
            EventType.MESSAGE_UNDELETED,
            EventType.THREAD_UPDATED,
            EventType.REACTION_NEW,
            EventType.REACTION_UPDATED,
            EventType.REACTION_DELETED,
            EventType.CHANNEL_UPDATED,
            EventType.CHANNEL_DELETED,
            EventType.CHANNEL_TRUNCATED,
            EventType.CHANNEL_HIDDEN,
            EventType.CHANNEL_VISIBLE,
            EventType.NOTIFICATION_ADDED_TO_CHANNEL,
            EventType.NOTIFICATION_REMOVED_FROM_CHANNEL);

    private final ChatStore store;
    private final Broker broker;
    private final ChannelLocks locks;
    private final Metrics metrics;
    private final EventHooks hooks;

    public EventPublisher(ChatStore store, Broker broker, ChannelLocks locks, Metrics metrics) {
        this(store, broker, locks, metrics, EventHooks.NONE);
    }

    public EventPublisher(ChatStore store, Broker broker, ChannelLocks locks, Metrics metrics, EventHooks hooks) {
        this.store = requireNonNull(store, "store");
        this.broker = requireNonNull(broker, "broker");
        this.locks = requireNonNull(locks, "locks");
        this.metrics = requireNonNull(metrics, "metrics");
        this.hooks = requireNonNull(hooks, "hooks");
    }

    /** Whether {@code /sync} keeps events of this type: channel events only. */
    public static boolean keptForSync(String type, @Nullable String cid) {
        return cid != null
                && EventType.fromWireName(type).map(KEPT_FOR_SYNC::contains).orElse(false);
    }

    /**
     * Publishes an event: stores it first when {@code /sync} keeps it (in its own transaction), then delivers
     * it. Blocking when it stores.
     */
    public void publish(OutboundEvent event) {
        List<HookStore.NewDelivery> hooked = hooks.deliveriesOf(event);
        String cid = event.cid();
        if (cid == null || !keptForSync(event.type(), cid)) {
            deliver(event);
            enqueue(hooked, event.body());
            return;
        }
        locks.underLock(cid, () -> {
            Instant at = Timestamps.parse(event.body().path("created_at").asText(), "created_at");
            store.appendEvent(
                    new EventRow(cid, syncTarget(event.audience()), at, event.body(), event.stored(), hooked));
            deliver(event);
            return null;
        });
        if (!hooked.isEmpty()) {
            hooks.committed(hooked);
        }
    }

    /**
     * Publishes an event that only webhooks get (channel.created, user.muted, message.flagged...): it is written
     * to the outbox, when a hook takes it, and sent to no socket. Blocking. {@code event} is built only then.
     */
    public void publishToHooks(String type, Supplier<ObjectNode> event) {
        if (!hooks.wants(type)) {
            return;
        }
        ObjectNode body = event.get();
        enqueue(hooks.deliveriesOf(OutboundEvent.of(body, Audience.users(List.of()))), body);
    }

    /** Whether a webhook takes events of {@code type}: work that only such an event needs may be skipped if not. */
    public boolean hooksWant(String type) {
        return hooks.wants(type);
    }

    /** Writes the outbox rows of an event that no store transaction carries, each with the event as its payload. */
    private void enqueue(List<HookStore.NewDelivery> hooked, ObjectNode body) {
        if (hooked.isEmpty()) {
            return;
        }
        String payload = Json.write(body);
        hooks.enqueue(hooked.stream()
                .map(h -> h.payload() == null ? h.withPayload(payload) : h)
                .toList());
    }

    /** Whether an event to {@code audience} may reach anyone (false: building it is wasted work). */
    public boolean mayReach(Audience audience) {
        return broker.mayReach(audience);
    }

    /** As {@link #publish(OutboundEvent)}, with the type and channel read from the event's own fields. */
    public void publish(ObjectNode event, Audience audience) {
        publish(OutboundEvent.of(event, audience));
    }

    /**
     * Publishes an event that is built only when the broker says someone may receive it: for events sent on
     * every connect and disconnect (presence), which most of the time nobody subscribes to. Not for events
     * that {@code /sync} keeps.
     */
    public void publishIfHeard(String type, Audience audience, Supplier<ObjectNode> event) {
        if (broker.mayReach(audience) || hooks.wants(type)) {
            ObjectNode body = event.get();
            publish(OutboundEvent.of(body, audience));
        }
    }

    /**
     * Closes the connections of an audience, on every node: each gets {@code error} (a {@code connection.error}
     * event) and then a close with {@code code}. For users who were deleted or deactivated.
     */
    public void disconnect(Audience audience, ObjectNode error, int code, String reason) {
        broker.disconnect(audience, Frames.of(frame(error)), code, reason);
    }

    /** Closes the connections of an audience, on every node, with {@code code} and no error event. */
    public void close(Audience audience, int code, String reason) {
        broker.disconnect(audience, null, code, reason);
    }

    /**
     * Delivers an event that is already stored: a {@code message.new} whose event row was written in the
     * message's own transaction (see {@link #storedWith}).
     */
    public void publishStored(OutboundEvent event, List<HookStore.NewDelivery> hooked) {
        deliver(event);
        if (!hooked.isEmpty()) {
            hooks.committed(hooked);
        }
    }

    /**
     * The event row to write in the same transaction as a change, when {@code /sync} keeps this event; null
     * when it does not. It carries the event's webhook deliveries. The store stamps the sequence number on
     * {@code body}; publish it afterwards with {@link #publishStored}, saying whether the row had deliveries.
     */
    public @Nullable EventRow storedWith(OutboundEvent event, Instant at) {
        return storedWith(event, at, true);
    }

    /** {@link #storedWith(OutboundEvent, Instant)}, without webhook deliveries unless {@code hooked}. */
    public @Nullable EventRow storedWith(OutboundEvent event, Instant at, boolean hooked) {
        String cid = event.cid();
        return cid != null && keptForSync(event.type(), cid)
                ? new EventRow(
                        cid,
                        syncTarget(event.audience()),
                        at,
                        event.body(),
                        event.stored(),
                        hooked ? hooks.deliveriesOf(event) : List.of())
                : null;
    }

    /** The one user a channel event is for, or null when it is for the channel. */
    private static @Nullable String syncTarget(Audience audience) {
        return audience instanceof Audience.Users u && u.userIds().size() == 1 && u.unlessWatching() == null
                ? u.userIds().getFirst()
                : null;
    }

    private void deliver(OutboundEvent event) {
        if (EventType.MESSAGE_NEW.wireName().equals(event.type())) {
            metrics.messageSent();
        }
        long seq = event.cid() == null ? 0 : event.body().path(SEQ_FIELD).asLong(0);
        Audience audience = Restricted.narrow(event.audience(), event.body());
        broker.publish(new Broker.Delivery(event.type(), audience, encode(event), seq));
    }

    private static Frames encode(OutboundEvent event) {
        byte[] stored = event.stored().bytes();
        if (event.variants() == null) {
            return Frames.of(Unpooled.wrappedBuffer(stored != null ? stored : Json.writeBytes(event.body())));
        }
        return encodeVariants(event.body(), stored, event.variants());
    }

    private static <K> Frames encodeVariants(ObjectNode body, byte @Nullable [] stored, OutboundEvent.Variants<K> v) {
        Function<K, ByteBuf> encode;
        Function<K, ObjectNode> appended = v.appended();
        if (appended != null) {
            // The body is encoded once (by the store when it kept the event); each variant is a copy of its bytes
            // with the variant's fields added (one array per variant: a composite buffer would be copied again
            // for every socket by the encoder).
            byte[] base = stored != null ? stored : Json.writeBytes(body);
            encode = k -> Unpooled.wrappedBuffer(appended(base, Json.writeBytes(appended.apply(k))));
        } else {
            Function<K, ObjectNode> build = requireNonNull(v.build(), "build"); // one of build and appended is set
            encode = k -> frame(build.apply(k));
        }
        Map<K, ByteBuf> byKey = new HashMap<>();
        try {
            ByteBuf common = byKey.computeIfAbsent(v.othersKey(), encode);
            for (K key : v.keyOfUser().values()) {
                if (!byKey.containsKey(key)) {
                    byKey.put(key, encode.apply(key));
                }
            }
            return Frames.keyed(common, v.keyOfUser(), byKey);
        } catch (RuntimeException e) {
            byKey.values().forEach(ByteBuf::release);
            throw e;
        }
    }

    /** The JSON object {@code base} with the members of the object {@code fields} added at its end. */
    static byte[] appended(byte[] base, byte[] fields) {
        if (fields.length <= 2) {
            return base;
        }
        boolean empty = base.length <= 2;
        byte[] out = new byte[base.length + fields.length - (empty ? 2 : 1)];
        System.arraycopy(base, 0, out, 0, base.length - 1);
        int at = base.length - 1;
        if (!empty) {
            out[at++] = ',';
        }
        System.arraycopy(fields, 1, out, at, fields.length - 1);
        return out;
    }

    private static ByteBuf frame(ObjectNode event) {
        return Unpooled.wrappedBuffer(Json.writeBytes(event));
    }

    /** Every event to the same audience, in order; for callers that publish a list at once. */
    public void publishAll(List<OutboundEvent> events) {
        events.forEach(this::publish);
    }
}
