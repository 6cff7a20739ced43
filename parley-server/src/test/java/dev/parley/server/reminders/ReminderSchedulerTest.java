package dev.parley.server.reminders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.store.ReminderStore;
import dev.parley.server.store.ReminderStore.Reminder;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler's passes over due reminders on the embedded store, without a server: bounds and claims. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReminderSchedulerTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dataDir;

    private Store store;
    private final MutableClock clock = new MutableClock(T0);

    @BeforeEach
    void open() {
        store = Stores.open(null, dataDir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void due(ReminderStore reminders, int count) {
        for (int i = 0; i < count; i++) {
            String id = String.format("m%05d", i);
            reminders.insert(new Reminder("ann", id, "messaging:a", T0.minusSeconds(count - i), T0, T0));
        }
    }

    @Test
    void aPassAnnouncesAtMostItsBoundAndTheNextPassTheRestEachOnce() {
        int bound = ReminderScheduler.BATCH * ReminderScheduler.BATCHES_PER_TICK;
        due(store.reminders(), bound + 50);
        store.reminders().insert(new Reminder("ann", "later", "messaging:a", T0.plusSeconds(60), T0, T0));
        store.reminders().insert(new Reminder("ann", "saved", "messaging:a", null, T0, T0));
        List<String> announced = new ArrayList<>();
        ReminderScheduler scheduler =
                new ReminderScheduler(store.reminders(), r -> announced.add(r.messageId()), clock);

        int first = scheduler.tick();
        int second = scheduler.tick();
        int third = scheduler.tick();
        clock.advance(Duration.ofMinutes(2));
        int fourth = scheduler.tick();

        assertThat(first).isEqualTo(bound);
        assertThat(announced.subList(0, 3)).containsExactly("m00000", "m00001", "m00002"); // the earliest first
        assertThat(second).isEqualTo(50);
        assertThat(third).isZero();
        assertThat(fourth).isEqualTo(1);
        assertThat(announced)
                .hasSize(bound + 51)
                .doesNotHaveDuplicates()
                .contains("later")
                .doesNotContain("saved");
    }

    @Test
    void twoSchedulersOnOneDatabaseAnnounceEachReminderOnce() throws Exception {
        due(store.reminders(), 600);
        List<String> announced = Collections.synchronizedList(new ArrayList<>());
        ReminderScheduler a = new ReminderScheduler(store.reminders(), r -> announced.add(r.messageId()), clock);
        ReminderScheduler b = new ReminderScheduler(store.reminders(), r -> announced.add(r.messageId()), clock);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> passes = List.of(a::tick, b::tick);
            int total = 0;
            for (var f : pool.invokeAll(passes)) {
                total += f.get();
            }
            assertThat(total).isEqualTo(600);
        } finally {
            pool.shutdownNow();
        }
        Set<String> distinct = new HashSet<>(announced);
        assertThat(announced).hasSize(600);
        assertThat(distinct).hasSize(600);
    }
}
