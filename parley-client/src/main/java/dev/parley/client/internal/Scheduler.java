package dev.parley.client.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * The single thread that owns a client's connection state: every socket callback and timer runs on it,
 * one at a time, so the state needs no locks. Tests substitute a manual clock.
 */
public interface Scheduler {
    /** Runs {@code task} on the scheduler thread, after the tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the scheduler thread after {@code delay}. */
    Cancellable schedule(Runnable task, Duration delay);

    /** The scheduler's clock. */
    Instant now();

    /** A scheduled task that can be cancelled; cancelling a task that ran or was cancelled is harmless. */
    @FunctionalInterface
    interface Cancellable {
        Cancellable NONE = () -> {};

        void cancel();
    }
}
