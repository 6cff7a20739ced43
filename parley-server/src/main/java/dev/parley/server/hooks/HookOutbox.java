package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.EventType;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.HookConfig;
import dev.parley.server.events.EventHooks;
import dev.parley.server.events.OutboundEvent;
import dev.parley.server.store.HookStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhooks' side of {@link dev.parley.server.events.EventPublisher} (PROTOCOL.md §15.2): which hooks take an
 * event, and the writes of outbox rows that no store transaction carries, committed together by one thread
 * ({@code parley-hook-writer}) as the message writer does for sends. A caller of {@link #enqueue} waits for the
 * commit, so that an event acknowledged to a client is in the outbox. The queue holds at most
 * {@value #MAX_QUEUED} writes; callers wait when it is full. Thread-safe.
 */
public final class HookOutbox implements EventHooks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HookOutbox.class);

    /** Most writes waiting for the writer thread. */
    static final int MAX_QUEUED = 8192;

    /** Most writes committed in one transaction. */
    private static final int MAX_BATCH = 512;

    private record Write(List<HookStore.NewDelivery> rows, CompletableFuture<Void> done) {}

    /** The hooks of one settings document, worked out once per change of the settings. */
    private record Snapshot(AppSettings settings, List<HookConfig.Hook> hooks) {}

    private final HookStore store;
    private final Supplier<AppSettings> settings;
    private final Clock clock;
    private final java.util.function.Consumer<List<HookStore.NewDelivery>> committed;
    private final BlockingQueue<Write> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Thread writer;
    private volatile @Nullable Snapshot snapshot;
    private volatile boolean closed;

    /**
     * @param committed called after rows were committed, by this writer or in a store transaction: the
     *     dispatcher's wake-up
     */
    public HookOutbox(
            HookStore store,
            Supplier<AppSettings> settings,
            Clock clock,
            java.util.function.Consumer<List<HookStore.NewDelivery>> committed) {
        this.store = requireNonNull(store, "store");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
        this.committed = requireNonNull(committed, "committed");
        this.writer =
                Thread.ofPlatform().name("parley-hook-writer").daemon(true).start(this::writeLoop);
    }

    /** The enabled hooks of the current settings. */
    public List<HookConfig.Hook> hooks() {
        AppSettings now = settings.get();
        Snapshot s = snapshot;
        if (s == null || s.settings() != now) {
            s = new Snapshot(now, now.hooks());
            snapshot = s;
        }
        return s.hooks();
    }

    @Override
    public List<HookStore.NewDelivery> deliveriesOf(OutboundEvent event) {
        List<HookConfig.Hook> hooks = hooks();
        if (hooks.isEmpty()) {
            return List.of();
        }
        String type = event.type();
        boolean custom = EventType.fromWireName(type).isEmpty();
        if (custom && event.cid() == null) {
            return List.of(); // custom events to a user's sockets are not the channel's custom events
        }
        List<HookStore.NewDelivery> out = new ArrayList<>(1);
        Instant at = clock.instant();
        String info = RequestInfo.current();
        for (HookConfig.Hook h : hooks) {
            if (h.takes(type, custom)) {
                out.add(new HookStore.NewDelivery(h.id(), orderKey(event), type, null, at, info));
            }
        }
        return out;
    }

    @Override
    public boolean wants(String type) {
        boolean custom = EventType.fromWireName(type).isEmpty();
        for (HookConfig.Hook h : hooks()) {
            if (h.takes(type, custom)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rows of one key are delivered in order: a channel's events by the channel, other events by the user they
     * are about.
     */
    static String orderKey(OutboundEvent event) {
        if (event.cid() != null) {
            return event.cid();
        }
        JsonNode user = event.body().path("user").path("id");
        return user.isTextual() ? "user:" + user.asText() : "app";
    }

    @Override
    public void enqueue(List<HookStore.NewDelivery> rows) {
        if (rows.isEmpty()) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("the webhook outbox is closed");
        }
        Write w = new Write(List.copyOf(rows), new CompletableFuture<>());
        try {
            queue.put(w);
            w.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the webhook outbox", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void committed(List<HookStore.NewDelivery> rows) {
        committed.accept(rows);
    }

    private void writeLoop() {
        List<Write> batch = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        List<HookStore.NewDelivery> rows = new ArrayList<>();
        batch.forEach(w -> rows.addAll(w.rows()));
        try {
            store.enqueue(rows);
            batch.forEach(w -> w.done().complete(null));
            committed.accept(rows);
        } catch (RuntimeException e) {
            // One write alone, so that only a bad one fails (none is expected: payloads are encoded JSON).
            log.warn(
                    "webhook outbox: a batch of {} writes failed, retrying one by one: {}", batch.size(), e.toString());
            for (Write w : batch) {
                try {
                    store.enqueue(w.rows());
                    w.done().complete(null);
                    committed.accept(w.rows());
                } catch (RuntimeException one) {
                    w.done().completeExceptionally(one);
                }
            }
        }
    }

    /** Commits what is queued, then stops the writer thread. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
