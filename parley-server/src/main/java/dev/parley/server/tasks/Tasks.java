package dev.parley.server.tasks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.TaskStore;
import dev.parley.server.store.TaskStore.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable tasks (PROTOCOL.md §17.6): a task is a row of the store from its request to its result, so that its status
 * outlives the node that ran it. Tasks run on a bounded pool ({@value #THREADS} threads, {@value #QUEUE} waiting);
 * past that a submit is refused with code 9. A running task's row is touched every {@link #HEARTBEAT}; a task whose
 * row a stopped node left waiting or running is taken again by a starting node (all of them on a node alone, only
 * those whose heartbeat is older than {@link #STALE} when nodes share the store), claimed with a conditional update so
 * that one node runs it, and run again from its request at most {@value #MAX_ATTEMPTS} times in all. An ended task
 * is kept {@link #KEEP}, then deleted with its folder. Thread-safe.
 */
public final class Tasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tasks.class);

    /** Threads that run tasks: exports read the database and write a file; two keep the node responsive. */
    public static final int THREADS = 2;

    /** Tasks that may wait for a thread; one more is refused with code 9. */
    public static final int QUEUE = 16;

    /** How long an ended task, and its files, are kept. */
    public static final Duration KEEP = Duration.ofDays(7);

    /** How often a running task's row is touched. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(30);

    /** A waiting or running task untouched for this long belongs to a node that stopped. */
    public static final Duration STALE = Duration.ofMinutes(2);

    /** How often the node looks for stale tasks and for ended tasks past {@link #KEEP}. */
    public static final Duration SWEEP = Duration.ofMinutes(1);

    /** How many times a task is started in all, counting the runs that a stopped node interrupted. */
    public static final int MAX_ATTEMPTS = 3;

    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** The work of one kind of task: its result, or an exception that fails the task. */
    @FunctionalInterface
    public interface Work {
        ObjectNode run(Run run) throws Exception;
    }

    /** What a running task is given: its id, its request, and its own folder (created) for the files it writes. */
    public record Run(String id, ObjectNode params, Path dir) {}

    private final TaskStore store;
    private final Clock clock;
    private final Path root;
    private final boolean shared;
    private final Map<String, Work> kinds = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;
    private volatile boolean closing;

    /**
     * @param root the folder under which each task gets its own ({@code <root>/<task id>})
     * @param shared whether other nodes use the same store: then only stale tasks are taken at start
     */
    public Tasks(TaskStore store, Clock clock, Path root, boolean shared) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.root = requireNonNull(root, "root");
        this.shared = shared;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "parley-task-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-task-sweep");
            t.setDaemon(true);
            return t;
        });
    }

    /** Names the work of a kind of task; to be called before {@link #start}. */
    public void define(String kind, Work work) {
        kinds.put(requireNonNull(kind, "kind"), requireNonNull(work, "work"));
    }

    /** Takes the tasks a stopped node left, then sweeps and beats on a timer. */
    public void start() {
        recover(shared ? now().minus(STALE) : now().plusNanos(1_000));
        timer.scheduleAtFixedRate(this::sweep, SWEEP.toSeconds(), SWEEP.toSeconds(), TimeUnit.SECONDS);
        timer.scheduleAtFixedRate(this::beat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Stores a pending task of {@code kind} and queues it; code 9 when the queue is full (nothing is stored then).
     *
     * @return the task's id
     */
    public String submit(String kind, ObjectNode params) {
        Work work = kinds.get(kind);
        if (work == null) {
            throw new IllegalArgumentException("kind: " + kind + " (expected: one defined)");
        }
        Instant now = now();
        String id = UUID.randomUUID().toString();
        store.insert(new Task(id, kind, TaskStore.PENDING, params, null, null, 0, now, now));
        try {
            pool.execute(() -> {
                if (store.start(id, now())) {
                    run(id, kind, params, work);
                }
            });
        } catch (RejectedExecutionException e) {
            store.delete(id);
            throw new ChatException(
                    ErrorCode.RATE_LIMIT,
                    "too many tasks: " + (THREADS + QUEUE) + " run or wait already; try again when one has ended");
        }
        return id;
    }

    /** Stores a task that ended as it was asked for (a batch done at once), so that its status can be read. */
    public String completed(String kind, ObjectNode result) {
        Instant now = now();
        String id = UUID.randomUUID().toString();
        store.insert(new Task(id, kind, TaskStore.COMPLETED, Json.object(), result, null, 1, now, now));
        return id;
    }

    public Optional<Task> find(String id) {
        return ID.matcher(id).matches() ? store.find(id) : Optional.empty();
    }

    /** A task as the protocol shows it: {@code task_id, status, created_at, updated_at, result?, error?}. */
    public static ObjectNode status(Task t) {
        ObjectNode out = Json.object();
        out.put("task_id", t.id());
        out.put("status", t.status());
        out.put("created_at", Timestamps.format(t.createdAt()));
        out.put("updated_at", Timestamps.format(t.updatedAt()));
        if (t.result() != null) {
            out.set("result", t.result().deepCopy());
        }
        if (t.error() != null) {
            out.set("error", t.error().deepCopy());
        }
        return out;
    }

    /** The folder of a task's files (which may not exist). */
    public Path dir(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id: " + id + " (expected: a task id)");
        }
        return root.resolve(id);
    }

    private void run(String id, String kind, ObjectNode params, Work work) {
        running.add(id);
        try {
            Path dir = dir(id);
            Files.createDirectories(dir);
            ObjectNode result = work.run(new Run(id, params, dir));
            store.finish(id, TaskStore.COMPLETED, result, null, now());
        } catch (Exception | StackOverflowError e) {
            if (closing) {
                return; // stopped by the node's end: the row stays running, and the next start runs it again
            }
            fail(id, kind, e);
        } finally {
            running.remove(id);
        }
    }

    private void fail(String id, String kind, Throwable e) {
        if (e instanceof ChatException) {
            store.finish(id, TaskStore.FAILED, null, error(kind + "_failed", String.valueOf(e.getMessage())), now());
        } else {
            log.warn("task {} ({}) failed", id, kind, e);
            store.finish(id, TaskStore.FAILED, null, error("internal", "the task failed on the server"), now());
        }
    }

    private static ObjectNode error(String type, String description) {
        return Json.object().put("type", type).put("description", description);
    }

    /** Takes and runs again (or fails) the tasks whose heartbeat is before {@code before}; how many it took. */
    int recover(Instant before) {
        int taken = 0;
        for (Task t : store.stale(before, QUEUE)) {
            if (running.contains(t.id()) || pool.getQueue().remainingCapacity() == 0) {
                continue;
            }
            Work work = kinds.get(t.kind());
            if (work == null || t.attempts() >= MAX_ATTEMPTS) {
                String why = work == null
                        ? "the server stopped while the task ran; it cannot be run again"
                        : "the server stopped while the task ran, " + t.attempts() + " times; it is not run again";
                if (store.finish(t.id(), TaskStore.FAILED, null, error("interrupted", why), now())) {
                    log.info("task {} ({}) failed: {}", t.id(), t.kind(), why);
                }
                continue;
            }
            if (!store.claim(t, now())) {
                continue; // another node took it
            }
            taken++;
            log.info("task {} ({}) left {} by a stopped node: run again", t.id(), t.kind(), t.status());
            try {
                pool.execute(() -> run(t.id(), t.kind(), t.params(), work));
            } catch (RejectedExecutionException e) {
                return taken; // stopping, or full: the row goes stale again and is taken later
            }
        }
        return taken;
    }

    /** Deletes ended tasks older than {@link #KEEP}, with their folders; how many. */
    int purge(Instant now) {
        int deleted = 0;
        for (int page = 0; page < 100; page++) {
            List<Task> old = store.finishedBefore(now.minus(KEEP), 100);
            for (Task t : old) {
                deleteFolder(t.id());
                if (store.delete(t.id())) {
                    deleted++;
                }
            }
            if (old.size() < 100) {
                break;
            }
        }
        deleteOldFolders(now);
        return deleted;
    }

    /**
     * Deletes this node's task folders untouched for longer than {@link #KEEP}: in a cluster another node may have
     * deleted the task's row, and only this node has its files.
     */
    private void deleteOldFolders(Instant now) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.limit(10_000).toList()) {
                String name = d.getFileName().toString();
                if (ID.matcher(name).matches()
                        && Files.getLastModifiedTime(d).toInstant().isBefore(now.minus(KEEP))) {
                    deleteFolder(name);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the task folders in {}", root, e);
        }
    }

    private void deleteFolder(String id) {
        Path dir = dir(id);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot delete the files of task {}", id, e);
        }
    }

    private void sweep() {
        try {
            recover(now().minus(STALE));
            purge(now());
        } catch (RuntimeException e) {
            log.warn("task sweep failed", e);
        }
    }

    private void beat() {
        try {
            Instant now = now();
            running.forEach(id -> store.touch(id, now));
        } catch (RuntimeException e) {
            log.warn("task heartbeat failed", e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    @Override
    public void close() {
        closing = true;
        timer.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
