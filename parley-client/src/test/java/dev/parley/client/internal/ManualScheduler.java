package dev.parley.client.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/** A {@link Scheduler} on a manual clock: tasks run only inside {@link #runDue()} and {@link #advance}. */
final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private Instant now = Instant.parse("2026-03-02T09:00:00Z");
    private long seq;

    private static final class Task implements Comparable<Task> {
        final Instant at;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(Instant at, long seq, Runnable body) {
            this.at = at;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @Override
    public void execute(Runnable task) {
        schedule(task, Duration.ZERO);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        Task t = new Task(now.plus(delay), seq++, task);
        queue.add(t);
        return () -> t.cancelled = true;
    }

    @Override
    public Instant now() {
        return now;
    }

    /** Runs every task due now, including tasks they schedule for now. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward by {@code d}, running each task at its due time. */
    void advance(Duration d) {
        Instant target = now.plus(d);
        while (!queue.isEmpty() && !queue.peek().at.isAfter(target)) {
            Task t = queue.poll();
            now = t.at.isAfter(now) ? t.at : now;
            if (!t.cancelled) {
                t.body.run();
            }
        }
        now = target;
    }
}
