package dev.parley.server.events;

import dev.parley.server.store.HookStore;
import java.util.List;

/**
 * What the webhooks take of the events that leave the server (PROTOCOL.md §15.2). {@link EventPublisher} asks
 * for every event it publishes and writes what it gets to the outbox: in the transaction that stores the event
 * when {@code /sync} keeps it (or the message's own), else with {@link #enqueue} before the publisher returns,
 * so that a change a client saw acknowledged is never missing from the outbox.
 */
public interface EventHooks {
    /** No hooks: nothing is ever written. */
    EventHooks NONE = new EventHooks() {
        @Override
        public List<HookStore.NewDelivery> deliveriesOf(OutboundEvent event) {
            return List.of();
        }

        @Override
        public boolean wants(String type) {
            return false;
        }

        @Override
        public void enqueue(List<HookStore.NewDelivery> deliveries) {}

        @Override
        public void committed(List<HookStore.NewDelivery> rows) {}
    };

    /**
     * The outbox rows of an event, one per hook that takes it; empty when none does. A row without a payload
     * carries the event's own bytes, as the store writes them.
     */
    List<HookStore.NewDelivery> deliveriesOf(OutboundEvent event);

    /** Whether any hook takes events of this type (an event nobody hears is then still built). */
    boolean wants(String type);

    /** Writes rows that no store transaction carried, in one commit shared with other callers; blocks until then. */
    void enqueue(List<HookStore.NewDelivery> deliveries);

    /**
     * Rows were committed in a store transaction: delivery may start. Those the store wrote carry their ids and
     * payloads ({@link HookStore.Written}); the others were not written (the change they rode with was not).
     */
    void committed(List<HookStore.NewDelivery> rows);
}
