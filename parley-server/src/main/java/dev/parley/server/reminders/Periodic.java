package dev.parley.server.reminders;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs a pass every period: a pass that fails is logged, and the next one tries again. The
 * schedulers of this package run their store work on it, never on a network thread.
 */
final class Periodic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final String what;
    private final ScheduledExecutorService thread;

    /** A thread named {@code name}; {@code what} names the pass in the log. */
    Periodic(String name, String what) {
        this.what = requireNonNull(what, "what");
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name).daemon(true).factory());
    }

    /** Runs {@code pass} after {@code initialDelay}, then every {@code period} after each pass ends. */
    void start(Runnable pass, Duration initialDelay, Duration period) {
        long ms = Math.max(1, period.toMillis());
        thread.scheduleWithFixedDelay(
                () -> {
                    try {
                        pass.run();
                    } catch (RuntimeException e) {
                        log.warn("{}: this pass failed; the next one retries", what, e);
                    }
                },
                initialDelay.toMillis(),
                ms,
                TimeUnit.MILLISECONDS);
    }

    /** Stops the thread, waiting briefly for a pass under way. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
