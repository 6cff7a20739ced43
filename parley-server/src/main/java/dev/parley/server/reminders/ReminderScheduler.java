package dev.parley.server.reminders;

import static java.util.Objects.requireNonNull;

import dev.parley.server.store.ReminderStore;
import dev.parley.server.store.ReminderStore.Reminder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sends {@code notification.reminder_due} when a reminder's time passes (PROTOCOL.md §7.23). Every {@code period}
 * it reads the due reminders from the store, at most {@link #BATCH} at a time and {@link #BATCHES_PER_TICK} batches
 * a tick (the rest wait for the next tick), and claims each in the store before it announces it: a reminder is
 * announced at most once, whichever node of a cluster claims it, and one that came due while no node ran is
 * announced after the next start. One daemon thread; the store's work runs on it, never on a network thread.
 */
public final class ReminderScheduler implements AutoCloseable {
    /** Due reminders read from the store at once. */
    static final int BATCH = 100;

    /** Batches announced in one tick at most. */
    static final int BATCHES_PER_TICK = 10;

    /** How often the store is asked by default. */
    public static final Duration PERIOD = Duration.ofSeconds(1);

    private final ReminderStore store;
    private final Consumer<Reminder> announce;
    private final Clock clock;
    private final Periodic thread = new Periodic("parley-reminders", "due reminders");

    public ReminderScheduler(ReminderStore store, Reminders reminders, Clock clock) {
        this(store, requireNonNull(reminders, "reminders")::due, clock);
    }

    /** A scheduler that hands each reminder it claimed to {@code announce}. */
    ReminderScheduler(ReminderStore store, Consumer<Reminder> announce, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.announce = requireNonNull(announce, "announce");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Starts asking the store every {@code period}. */
    public void start(Duration period) {
        thread.start(this::tick, Duration.ZERO, period);
    }

    /** One pass over the reminders due now; returns how many were announced by this node. */
    int tick() {
        int announced = 0;
        for (int batch = 0; batch < BATCHES_PER_TICK; batch++) {
            Instant now = clock.instant();
            List<Reminder> due = store.due(now, BATCH);
            for (Reminder r : due) {
                if (r.remindAt() != null && store.claim(r.userId(), r.messageId(), r.remindAt(), now)) {
                    announce.accept(r);
                    announced++;
                }
            }
            if (due.size() < BATCH) {
                break;
            }
        }
        return announced;
    }

    /** Stops the thread, waiting briefly for a pass under way. */
    @Override
    public void close() {
        thread.close();
    }
}
