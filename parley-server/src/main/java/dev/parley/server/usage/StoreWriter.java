package dev.parley.server.usage;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: writes submitted by many threads are gathered and committed together in one
 * {@link Store#apply} transaction, so that thousands of connects per second share a few disk syncs.
 *
 * <p>Each submit returns a future completed once its write is durable (or failed with the store's
 * error). The queue is bounded ({@link #QUEUE_CAPACITY}); when it is full, submitters block until there
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

    private record UserOp(User user, YearMonth activeMonth, CompletableFuture<Void> done) implements Op {}

    private record PeakOp(LocalDate day, int peak, CompletableFuture<Void> done) implements Op {}

    private record Stop(CompletableFuture<Void> done) implements Op {}

    private final Store store;
    private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean closed;

    public StoreWriter(Store store) {
        this.store = requireNonNull(store, "store");
        this.thread = Thread.ofPlatform().name("parley-store-writer").daemon(true).start(this::run);
    }

    /** Writes the user whole; with {@code activeMonth}, also records the user as active in that month. */
    public CompletableFuture<Void> saveUser(User user, YearMonth activeMonth) {
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

    private Stop commit(List<Op> ops) {
        Map<String, User> users = new LinkedHashMap<>();
        Map<YearMonth, Set<String>> active = new HashMap<>();
        Map<LocalDate, Integer> peaks = new HashMap<>();
        Stop stop = null;
        for (Op op : ops) {
            switch (op) {
                case UserOp u -> {
                    users.put(u.user().id(), u.user());
                    if (u.activeMonth() != null) {
                        active.computeIfAbsent(u.activeMonth(), m -> new HashSet<>()).add(u.user().id());
                    }
                }
                case PeakOp p -> peaks.merge(p.day(), p.peak(), Math::max);
                case Stop s -> stop = s;
            }
        }
        WriteBatch batch = new WriteBatch(new ArrayList<>(users.values()), active, peaks);
        Throwable failure = null;
        if (!batch.isEmpty()) {
            try {
                store.apply(batch);
            } catch (RuntimeException e) {
                log.error("store write of {} operations failed", ops.size(), e);
                failure = e;
            }
        }
        for (Op op : ops) {
            if (op instanceof Stop) {
                continue;
            }
            if (failure == null) {
                op.done().complete(null);
            } else {
                op.done().completeExceptionally(failure);
            }
        }
        return stop;
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
