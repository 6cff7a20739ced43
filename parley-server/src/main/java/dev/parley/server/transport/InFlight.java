package dev.parley.server.transport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * REST requests accepted and not yet answered, so that a stopping node answers them before its event loops
 * stop (docs/PROTOCOL.md §8.5). Thread-safe.
 */
final class InFlight {
    private int count;

    /** A request was accepted. */
    synchronized void enter() {
        count++;
    }

    /** A request's answer was written (or could not be). */
    synchronized void leave() {
        if (--count <= 0) {
            count = 0;
            notifyAll();
        }
    }

    synchronized int count() {
        return count;
    }

    /** Waits until no request is in flight or {@code limit} has passed; returns how many are still in flight. */
    synchronized int awaitNone(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        boolean interrupted = false;
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return count;
    }
}
