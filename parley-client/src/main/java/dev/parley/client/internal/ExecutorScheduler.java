package dev.parley.client.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The production {@link Scheduler}: one daemon thread. A task that throws is logged and does not stop
 * the thread. After {@link #shutdown()} new tasks are dropped.
 */
public final class ExecutorScheduler implements Scheduler {
    private final ScheduledThreadPoolExecutor executor;
    private final Logger log;

    public ExecutorScheduler(String threadName, Logger log) {
        this.log = log;
        this.executor = new ScheduledThreadPoolExecutor(1, ClientThreads.factory(threadName));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The timer thread itself, for transports' timeouts (they run nothing but completing a future). */
    public ScheduledExecutorService timer() {
        return executor;
    }

    @Override
    public void execute(Runnable task) {
        if (!executor.isShutdown()) {
            try {
                executor.execute(guard(task));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("task dropped: the client is closed");
            }
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        if (executor.isShutdown()) {
            return Cancellable.NONE;
        }
        try {
            ScheduledFuture<?> f = executor.schedule(guard(task), delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return Cancellable.NONE;
        }
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    /** Stops the thread after the tasks already queued, waiting up to {@code timeout}. */
    public void shutdown(Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("Parley client task failed", e);
            }
        };
    }
}
