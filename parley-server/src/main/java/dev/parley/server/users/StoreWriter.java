package dev.parley.server.users;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.User;
import dev.parley.server.store.Store;
import dev.parley.server.store.WriteBatch;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: writes submitted by many threads are gathered and committed together in one
 * {@link Store#apply} transaction, so that thousands of connects per second share a few disk syncs.
 *
 * <p>Each submit returns a future completed once its write is durable (or failed with the store's
 * error). When a batch fails, each of its writes is retried in a transaction of its own, so that one bad
 * write fails alone; callers check values first ({@code StorableValues}), so that this is rare. The queue
 * is bounded ({@link #QUEUE_CAPACITY}); when it is full, submitters block until there
 * is room, which pushes back on the connect rate instead of growing memory. One thread commits.
 */
public final class StoreWriter implements AutoCloseable {
    /** Pending writes at most; beyond it {@code submit} blocks. */
    public static final int QUEUE_CAPACITY = 32_768;

    /** Most writes in one transaction. */
    public static final int MAX_BATCH = 4_096;

    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);

    private sealed interface Op {
        CompletableFuture<Void> done();
    }

    private record UserOp(User user, @Nullable YearMonth activeMonth, CompletableFuture<Void> done) implements Op {}

    private record PeakOp(LocalDate day, int peak, CompletableFuture<Void> done) implements Op {}

    private record Stop(CompletableFuture<Void> done) implements Op {}

    private final Store store;
    private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean closed;

    public StoreWriter(Store store) {
        this.store = requireNonNull(store, "store");
        this.thread =
                Thread.ofPlatform().name("parley-store-writer").daemon(true).start(this::run);
    }

    /** Writes the user whole; with {@code activeMonth}, also records the user as active in that month. */
    public CompletableFuture<Void> saveUser(User user, @Nullable YearMonth activeMonth) {
        return submit(new UserOp(requireNonNull(user, "user"), activeMonth, new CompletableFuture<>()));
    }

    /** Raises the stored peak of concurrent connections for {@code day}. */
    public CompletableFuture<Void> recordPeak(LocalDate day, int peak) {
        return submit(new PeakOp(requireNonNull(day, "day"), peak, new CompletableFuture<>()));
    }

    private CompletableFuture<Void> submit(Op op) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("store writer is closed"));
        }
        try {
            queue.put(op);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        return op.done();
    }

    private void run() {
        List<Op> ops = new ArrayList<>();
        while (true) {
            ops.clear();
            try {
                Op first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                ops.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(ops, MAX_BATCH - 1);
            Stop stop = commit(ops);
            if (stop != null) {
                stop.done().complete(null);
                return;
            }
        }
    }

    private @Nullable Stop commit(List<Op> ops) {
        Stop stop = null;
        List<Op> writes = new ArrayList<>(ops.size());
        for (Op op : ops) {
            if (op instanceof Stop s) {
                stop = s;
            } else {
                writes.add(op);
            }
        }
        RuntimeException failure = write(writes);
        if (failure == null) {
            writes.forEach(op -> op.done().complete(null));
        } else if (writes.size() == 1) {
            log.warn("store write failed: {}", failure.getMessage());
            writes.getFirst().done().completeExceptionally(failure);
        } else {
            // One bad write must not fail the others committed with it: each is tried alone.
            log.warn(
                    "group commit of {} writes failed; retrying them one by one: {}",
                    writes.size(),
                    failure.getMessage());
            for (Op op : writes) {
                commit(List.of(op));
            }
        }
        return stop;
    }

    /** Applies {@code writes} in one transaction; the store's failure, or null. */
    private @Nullable RuntimeException write(List<Op> writes) {
        Map<String, User> users = new LinkedHashMap<>();
        Map<YearMonth, Set<String>> active = new HashMap<>();
        Map<LocalDate, Integer> peaks = new HashMap<>();
        for (Op op : writes) {
            switch (op) {
                case UserOp u -> {
                    users.put(u.user().id(), u.user());
                    if (u.activeMonth() != null) {
                        active.computeIfAbsent(u.activeMonth(), m -> new HashSet<>())
                                .add(u.user().id());
                    }
                }
                case PeakOp p -> peaks.merge(p.day(), p.peak(), Math::max);
                case Stop s -> throw new IllegalArgumentException("stop is not a write");
            }
        }
        WriteBatch batch = new WriteBatch(new ArrayList<>(users.values()), active, peaks);
        if (batch.isEmpty()) {
            return null;
        }
        try {
            store.apply(batch);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Commits everything queued, then stops the writer thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Stop stop = new Stop(new CompletableFuture<>());
        try {
            queue.put(stop);
            stop.done().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("store writer did not drain within 30 s", e);
            thread.interrupt();
        }
    }
}
