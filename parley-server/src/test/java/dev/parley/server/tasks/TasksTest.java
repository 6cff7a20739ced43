package dev.parley.server.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.store.TaskStore;
import dev.parley.server.store.TaskStore.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Durable tasks on the embedded store (PROTOCOL.md §17.6): the bounded pool, nodes sharing a store, the purge. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TasksTest {
    @TempDir
    Path dir;

    private Store store;
    private final List<Tasks> nodes = new ArrayList<>();

    @BeforeEach
    void open() {
        store = Stores.open(null, dir);
    }

    @AfterEach
    void close() {
        nodes.forEach(Tasks::close);
        store.close();
    }

    private Tasks node(boolean shared) {
        Tasks t = new Tasks(store.tasks(), Clock.systemUTC(), dir.resolve("tasks"), shared);
        nodes.add(t);
        return t;
    }

    private static String status(Tasks t, String id) {
        return t.find(id).orElseThrow().status();
    }

    @Test
    void aFullQueueRefusesTheNextTaskWithCode9AndStoresNothingForIt() throws Exception {
        Tasks tasks = node(false);
        CountDownLatch release = new CountDownLatch(1);
        tasks.define("slow", run -> {
            release.await(30, TimeUnit.SECONDS);
            return Json.object();
        });
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < Tasks.THREADS + Tasks.QUEUE; i++) {
            ids.add(tasks.submit("slow", Json.object()));
        }
        assertThatThrownBy(() -> tasks.submit("slow", Json.object()))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(9));
        assertThat(store.tasks().stale(Instant.now().plusSeconds(1), 100)).hasSize(ids.size());
        release.countDown();
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> ids.stream().allMatch(id -> status(tasks, id).equals("completed")));
    }

    @Test
    void ofNodesSharingAStoreOnlyOneRunsAStaleTaskAndAFreshOneIsLeftToItsNode() {
        Instant old = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Instant recent = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        String stale = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();
        store.tasks().insert(new Task(stale, "count", TaskStore.RUNNING, Json.object(), null, null, 1, old, old));
        store.tasks().insert(new Task(fresh, "count", TaskStore.RUNNING, Json.object(), null, null, 1, recent, recent));
        AtomicInteger runs = new AtomicInteger();
        List<Tasks> cluster = List.of(node(true), node(true), node(true));
        for (Tasks t : cluster) {
            t.define("count", run -> Json.object().put("run", runs.incrementAndGet()));
        }
        cluster.forEach(Tasks::start);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> status(cluster.getFirst(), stale).equals("completed"));
        assertThat(runs.get()).isEqualTo(1);
        assertThat(store.tasks().find(stale).orElseThrow().attempts()).isEqualTo(2);
        assertThat(status(cluster.getFirst(), fresh))
                .as("its node may still run it")
                .isEqualTo("running");
    }

    @Test
    void aTaskThatFailsIsFailedWithItsErrorAndEndedTasksPastTheirTimeGoWithTheirFolders() throws Exception {
        Tasks tasks = node(false);
        tasks.define("bad", run -> {
            Files.writeString(run.dir().resolve("part.ndjson"), "{}");
            throw ChatException.input("nothing to do");
        });
        String id = tasks.submit("bad", Json.object());
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> status(tasks, id).equals("failed"));
        Task failed = tasks.find(id).orElseThrow();
        assertThat(failed.error())
                .isEqualTo(Json.object().put("type", "bad_failed").put("description", "nothing to do"));
        assertThat(Tasks.status(failed).path("error").path("type").asText()).isEqualTo("bad_failed");
        assertThat(tasks.dir(id)).isDirectory();

        assertThat(tasks.purge(Instant.now())).as("kept for a while").isZero();
        assertThat(tasks.purge(Instant.now().plus(Tasks.KEEP).plusSeconds(1))).isEqualTo(1);
        assertThat(tasks.find(id)).isEmpty();
        assertThat(tasks.dir(id)).doesNotExist();

        // A folder whose row another node deleted goes once it is old enough.
        String orphan = UUID.randomUUID().toString();
        Files.createDirectories(tasks.dir(orphan));
        Files.writeString(tasks.dir(orphan).resolve("channels.ndjson"), "{}");
        tasks.purge(Instant.now());
        assertThat(tasks.dir(orphan)).isDirectory();
        tasks.purge(Instant.now().plus(Tasks.KEEP).plusSeconds(1));
        assertThat(tasks.dir(orphan)).doesNotExist();
    }
}
