package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.store.TaskStore.Task;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link TaskStore} (migration V23, PROTOCOL.md §17.6), run against every backend; a subclass
 * supplies an empty store per test.
 */
@Timeout(value = 60, unit = SECONDS)
abstract class TaskStoreContractTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00.000001Z");

    protected Store store;

    protected abstract Store createStore();

    @BeforeEach
    void open() {
        store = createStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Task task(String id, String status, Instant at) {
        return new Task(id, "export_channels", status, Json.object().put("n", 1), null, null, 0, at, at);
    }

    @Test
    void aTaskIsReadBackAsWrittenAndEndsOnceWithItsResult() {
        TaskStore t = store.tasks();
        t.insert(task("a", TaskStore.PENDING, T0));
        assertThat(t.find("a")).hasValue(task("a", TaskStore.PENDING, T0));
        assertThat(t.start("a", T0.plusSeconds(1))).isTrue();
        assertThat(t.start("a", T0.plusSeconds(1))).as("started already").isFalse();
        assertThat(t.touch("a", T0.plusSeconds(2))).isTrue();
        assertThat(t.finish("a", TaskStore.COMPLETED, Json.object().put("file", "f"), null, T0.plusSeconds(3)))
                .isTrue();
        assertThat(t.finish("a", TaskStore.FAILED, null, Json.object(), T0.plusSeconds(4)))
                .as("ended already")
                .isFalse();
        Task done = t.find("a").orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStore.COMPLETED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.result()).isEqualTo(Json.object().put("file", "f"));
        assertThat(done.updatedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(t.touch("a", T0.plusSeconds(5)))
                .as("an ended task has no heartbeat")
                .isFalse();
    }

    @Test
    void onlyTasksLeftWaitingOrRunningPastTheBoundAreStaleAndOneClaimOfTheSameReadWins() {
        TaskStore t = store.tasks();
        t.insert(task("old", TaskStore.RUNNING, T0));
        t.insert(task("fresh", TaskStore.RUNNING, T0.plus(Duration.ofMinutes(10))));
        t.insert(task("done", TaskStore.COMPLETED, T0));
        assertThat(t.stale(T0.plusSeconds(60), 10)).extracting(Task::id).containsExactly("old");

        Task seen = t.stale(T0.plusSeconds(60), 10).getFirst();
        assertThat(t.claim(seen, T0.plusSeconds(61))).isTrue();
        assertThat(t.claim(seen, T0.plusSeconds(62)))
                .as("a second node with the same read")
                .isFalse();
        assertThat(t.find("old").orElseThrow().attempts()).isEqualTo(1);
        assertThat(t.stale(T0.plusSeconds(60), 10)).isEmpty();
    }

    @Test
    void endedTasksPastTheirTimeAreListedOldestFirstAndDeleted() {
        TaskStore t = store.tasks();
        t.insert(task("b", TaskStore.FAILED, T0.plusSeconds(2)));
        t.insert(task("a", TaskStore.COMPLETED, T0.plusSeconds(1)));
        t.insert(task("c", TaskStore.COMPLETED, T0.plusSeconds(100)));
        t.insert(task("d", TaskStore.RUNNING, T0));
        assertThat(t.finishedBefore(T0.plusSeconds(50), 10))
                .extracting(Task::id)
                .containsExactly("a", "b");
        assertThat(t.delete("a")).isTrue();
        assertThat(t.delete("a")).isFalse();
        assertThat(t.find("a")).isEmpty();
    }
}
