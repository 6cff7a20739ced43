package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import dev.parley.server.store.ChatRows.MessageAppend;
import dev.parley.server.store.ChatStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of message sends: appends submitted by many channels at once are committed together in
 * one {@link ChatStore#appendMessages} transaction, so that a burst of sends shares a few disk syncs.
 *
 * <p>{@link #append} blocks its (virtual) caller until the message is durable, so a sender answers only
 * after the commit and per-channel order is kept by the channel lock the caller holds. The queue is
 * bounded ({@link #QUEUE_CAPACITY}); when full, senders wait, which pushes back on the send rate. One
 * platform thread commits. When a batch fails, each of its appends is retried alone so that one bad
 * message cannot fail the others.
 */
public final class MessageWriter implements AutoCloseable {
    public static final int QUEUE_CAPACITY = 8_192;
    public static final int MAX_BATCH = 512;

    /** How long a batch waits for more sends after its first one. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);

    /** A send waiting for its batch; {@code append} is null only in {@link #STOP}. */
    private record Pending(@Nullable MessageAppend append, CompletableFuture<Boolean> done) {}

    private static final Pending STOP = new Pending(null, new CompletableFuture<>());

    private final ChatStore store;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean closed;

    public MessageWriter(ChatStore store) {
        this.store = requireNonNull(store, "store");
        this.thread =
                Thread.ofPlatform().name("parley-message-writer").daemon(true).start(this::run);
    }

    /** Appends and waits until durable; false when the message id existed. Rethrows the store's failure. */
    public boolean append(MessageAppend append) {
        if (closed) {
            throw new IllegalStateException("message writer is closed");
        }
        Pending p = new Pending(requireNonNull(append, "append"), new CompletableFuture<>());
        try {
            queue.put(p);
            return p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while appending a message", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            batch.clear();
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            try {
                gather(batch);
            } catch (InterruptedException e) {
                commit(batch.stream().filter(p -> p != STOP).toList());
                return;
            }
            boolean stop = batch.remove(STOP);
            commit(batch);
            if (stop) {
                STOP.done().complete(true);
                return;
            }
        }
    }

    /**
     * Adds to a batch what arrives within {@link #LINGER_NANOS} of its first send: a commit costs far more than
     * a message, so a short wait for company lowers the CPU of every send at moderate rates (one commit per
     * message at 500 sends/s), for at most that much latency.
     */
    private void gather(List<Pending> batch) throws InterruptedException {
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (batch.size() < MAX_BATCH && !batch.contains(STOP)) {
            queue.drainTo(batch, MAX_BATCH - batch.size());
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch.size() >= MAX_BATCH) {
                return;
            }
            Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void commit(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<Boolean> results =
                    store.appendMessages(batch.stream().map(Pending::append).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.getFirst().done().completeExceptionally(e);
                return;
            }
            log.warn("group commit of {} messages failed; retrying them one by one", batch.size(), e);
            for (Pending p : batch) {
                commit(List.of(p));
            }
        }
    }

    /** Commits what is queued, then stops the writer thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(STOP);
            STOP.done().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("message writer did not drain within 30 s", e);
            thread.interrupt();
        }
    }
}
