package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The executor that keeps an upload's decoding in order off the event loop. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SerialExecutorTest {

    @Test
    void tasksRunOneAtATimeInSubmissionOrder() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            SerialExecutor serial = new SerialExecutor(threads);
            for (int i = 0; i < 2_000; i++) {
                int n = i;
                serial.execute(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    seen.add(n);
                    running.decrementAndGet();
                });
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2_000);
        }

        assertThat(overlaps).hasValue(0);
        assertThat(seen).isSorted();
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterIt() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            SerialExecutor serial = new SerialExecutor(threads);
            serial.execute(() -> {
                throw new IllegalStateException("boom");
            });
            serial.execute(() -> seen.add("after"));
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("after"));
        }
    }

    @Test
    void whenTheExecutorRefusesTasksRunOnTheCallersThread() {
        List<String> seen = new ArrayList<>();
        SerialExecutor serial = new SerialExecutor(r -> {
            throw new RejectedExecutionException("stopping");
        });

        serial.execute(() -> seen.add("one"));
        serial.execute(() -> seen.add("two"));

        assertThat(seen).containsExactly("one", "two");
    }
}
