package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Durable tasks (PROTOCOL.md §17.6): one row a task, from its request to its result. A task that a node was running
 * when it stopped is found again by its stale {@code updatedAt} (the heartbeat) and taken by one node only, through a
 * conditional update. Blocking and thread-safe; every write is one statement.
 */
public interface TaskStore {
    /** The statuses of a task, as the protocol names them. */
    String WAITING = "waiting";

    String PENDING = "pending";
    String RUNNING = "running";
    String COMPLETED = "completed";
    String FAILED = "failed";

    /** One task: {@code params} is its request, {@code result} and {@code error} are set once it ends. */
    record Task(
            String id,
            String kind,
            String status,
            ObjectNode params,
            @Nullable ObjectNode result,
            @Nullable ObjectNode error,
            int attempts,
            Instant createdAt,
            Instant updatedAt) {
        public Task {
            requireNonNull(id, "id");
            requireNonNull(kind, "kind");
            requireNonNull(status, "status");
            requireNonNull(params, "params");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
        }

        /** Whether the task has ended, well or not. */
        public boolean finished() {
            return COMPLETED.equals(status) || FAILED.equals(status);
        }
    }

    void insert(Task task);

    Optional<Task> find(String id);

    /**
     * Ends a task that is not ended yet: {@code status} (completed or failed) with its result or error, at
     * {@code at}. False when the task is gone or has ended already.
     */
    boolean finish(String id, String status, @Nullable ObjectNode result, @Nullable ObjectNode error, Instant at);

    /** Marks a waiting task running at {@code at}, as its node starts it; false when it is not waiting. */
    boolean start(String id, Instant at);

    /** The heartbeat of a running task: its {@code updatedAt} becomes {@code at}; false when it is not running. */
    boolean touch(String id, Instant at);

    /** At most {@code limit} tasks waiting or running whose last heartbeat is before {@code before}, oldest first. */
    List<Task> stale(Instant before, int limit);

    /**
     * Takes a stale task for this node: it becomes running at {@code at} with one more attempt, provided its
     * status and heartbeat are still those read ({@code seen}), so that of several nodes only one takes it.
     */
    boolean claim(Task seen, Instant at);

    /** At most {@code limit} ended tasks whose last change is before {@code before}, oldest first. */
    List<Task> finishedBefore(Instant before, int limit);

    /** Deletes a task; false when there was none. */
    boolean delete(String id);
}
