package dev.parley.server.events;

import org.jspecify.annotations.Nullable;

/**
 * Where encoded events leave the publisher for delivery. On one node the only implementation is
 * {@link LocalBroker}, which hands frames to this node's connections; a cluster implementation sends the same
 * {@link Delivery} to every node, each of which delivers it locally.
 *
 * <p>Contract: a delivery reaches every connection of its audience that is open at that moment, at most once.
 * Deliveries published one after the other from one thread reach each connection in that order. The broker
 * takes ownership of the delivery's frames and releases them.
 */
public interface Broker extends AutoCloseable {

    /**
     * One event, encoded, with its audience. {@code type} is the event's wire name (for metrics and logs);
     * {@code seq} the channel's sequence number of an event {@code /sync} keeps ({@code channel_seq}), 0 for any
     * other event.
     */
    record Delivery(String type, Audience audience, Frames frames, long seq) {
        public Delivery(String type, Audience audience, Frames frames) {
            this(type, audience, frames, 0);
        }
    }

    void publish(Delivery delivery);

    /**
     * Closes the connections of an audience: each gets {@code frames} (an error event; null: none), then a
     * close with {@code code}. The broker takes ownership of the frames.
     */
    void disconnect(Audience audience, @Nullable Frames frames, int code, String reason);

    /**
     * Whether a delivery to {@code audience} may reach anyone; false lets the publisher skip building and
     * encoding an event nobody would get (most users have no presence subscribers). A broker that cannot tell
     * answers true.
     */
    default boolean mayReach(Audience audience) {
        return true;
    }

    @Override
    default void close() {}
}
