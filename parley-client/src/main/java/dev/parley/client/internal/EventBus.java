package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import dev.parley.client.Event;
import dev.parley.client.Subscription;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The listeners of one client. {@link #publish} hands each event to the callback executor, so the
 * socket's read loop never waits for a listener; a listener that throws is logged and the others still
 * run. With a single-threaded executor (the default) listeners see events in arrival order.
 */
public final class EventBus {
    private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final Logger log;

    public EventBus(Executor executor, Logger log) {
        this.executor = requireNonNull(executor, "executor");
        this.log = requireNonNull(log, "log");
    }

    /** Adds a listener for the events {@code filter} accepts. */
    public Subscription subscribe(Predicate<Event> filter, Consumer<? super Event> listener) {
        Registration r = new Registration(requireNonNull(filter, "filter"), requireNonNull(listener, "listener"));
        registrations.add(r);
        return () -> registrations.remove(r);
    }

    /** Delivers {@code event} to every matching listener, asynchronously. */
    public void publish(Event event) {
        if (registrations.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            log.debug("event {} dropped: the callback executor is shut down", event.type());
        }
    }

    /** Drops every listener. */
    public void clear() {
        registrations.clear();
    }

    /** The number of listeners. */
    public int size() {
        return registrations.size();
    }

    void deliver(Event event) {
        for (Registration r : registrations) {
            if (!r.filter.test(event)) {
                continue;
            }
            try {
                r.listener.accept(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                log.warn("A listener for {} threw; the connection is unaffected", event.type(), e);
            }
        }
    }

    private record Registration(Predicate<Event> filter, Consumer<? super Event> listener) {}
}
