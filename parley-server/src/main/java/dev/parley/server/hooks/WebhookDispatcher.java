package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import dev.parley.server.config.HookConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.store.HookStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the outbox's rows to their hooks (PROTOCOL.md §15.2): at least once, one order key at a time in id order,
 * {@value #MAX_KEYS_IN_FLIGHT} keys at once. A row is deleted when its hook answered 2xx. A timeout, a refused
 * connection, 408, 429 or 5xx is tried again after a growing wait (the key waits with it, so that its order
 * holds), up to the configured attempts; then, or at once for any other status, the row becomes a dead letter
 * and its key goes on. Nothing here runs on a send's thread: a slow receiver delays only its own deliveries.
 *
 * <p>One loop thread ({@code parley-webhooks}) reads the outbox; each key's deliveries run on a virtual thread.
 * In a cluster only the node holding the lease delivers ({@code mayDeliver}), so each row has one sender.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Most order keys being delivered at once. */
    static final int MAX_KEYS_IN_FLIGHT = 64;

    /** Most outbox rows read per round (without their payloads). */
    static final int WINDOW = 1000;

    /** Most rows of one key posted by one task; the rest wait for a later round. */
    static final int MAX_ROWS_PER_KEY_TASK = 100;

    /** Longest wait of the loop without a wake-up (other nodes' rows, due retries). */
    private static final long IDLE_POLL_MILLIS = 500;

    /**
     * Shortest times between the starts of two rounds: after a round that started deliveries, and after one that
     * started nothing (all keys busy or waiting), so that wake-ups cannot spin the loop.
     */
    private static final long BUSY_ROUND_MILLIS = 20;

    private static final long IDLE_ROUND_MILLIS = 50;

    /** Most bytes of an error answer's status line kept as the row's last error. */
    private static final int MAX_ERROR_CHARS = 300;

    private final HookStore store;
    private final Supplier<List<HookConfig.Hook>> hooks;
    private final String apiKey;
    private final SecretKeySpec key;
    private final ServerConfig.WebhookDelivery policy;
    private final Clock clock;
    private final BooleanSupplier mayDeliver;
    private final Metrics metrics;
    private final Supplier<HookHttp> http;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-webhook-", 0).factory());
    private final Semaphore inFlight = new Semaphore(MAX_KEYS_IN_FLIGHT);
    private final Set<Key> busy = ConcurrentHashMap.newKeySet();
    /**
     * The rows this dispatcher knows, by id, with their payloads: those this node committed
     * ({@link #offer}) and those a scan of the outbox found. At most {@value #MAX_KNOWN}; past it a commit's
     * rows are left to the next scan.
     */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, HookStore.Delivery> known =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Most rows kept in memory, with their payloads. */
    static final int MAX_KNOWN = 10_000;

    private final long scanEveryNanos;

    /**
     * Whether this node writes every row (no cluster): its commits' rows go to {@link #known} at once. In a
     * cluster they do not, or one node's rows could overtake another's earlier rows of the same channel.
     */
    private final boolean alone;

    private volatile long lastScan = System.nanoTime() - Long.MAX_VALUE / 2;

    /** Rows answered 2xx whose delete is not committed yet: never sent again meanwhile. */
    private final Set<Long> delivered = ConcurrentHashMap.newKeySet();

    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running = true;
    private final Thread loop;

    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<@Nullable LastFailure> lastFailure = new AtomicReference<>();
    /** The body posted for a row: its payload with what is added at delivery (members). */
    private final java.util.function.Function<HookStore.Delivery, String> payloadOf;

    /** The latest failed attempt, for the operator view. */
    public record LastFailure(String hookId, String eventType, String error, Instant at) {}

    public WebhookDispatcher(
            HookStore store,
            Supplier<List<HookConfig.Hook>> hooks,
            String apiKey,
            String apiSecret,
            ServerConfig.WebhookDelivery policy,
            Clock clock,
            BooleanSupplier mayDeliver,
            Metrics metrics,
            Supplier<HookHttp> http,
            boolean alone,
            java.util.function.Function<HookStore.Delivery, String> payloadOf) {
        this.store = requireNonNull(store, "store");
        this.payloadOf = requireNonNull(payloadOf, "payloadOf");
        this.hooks = requireNonNull(hooks, "hooks");
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.key = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.policy = requireNonNull(policy, "policy");
        this.clock = requireNonNull(clock, "clock");
        this.mayDeliver = requireNonNull(mayDeliver, "mayDeliver");
        this.metrics = requireNonNull(metrics, "metrics");
        this.http = requireNonNull(http, "http");
        this.alone = alone;
        this.scanEveryNanos = alone ? TimeUnit.SECONDS.toNanos(1) : 0;
        this.loop = Thread.ofPlatform().name("parley-webhooks").daemon(true).unstarted(this::run);
    }

    /** Starts delivering. */
    public void start() {
        loop.start();
    }

    /** Rows this node committed, with their ids and payloads: posted without reading them back. */
    public void offer(List<HookStore.NewDelivery> rows) {
        for (HookStore.NewDelivery r : rows) {
            long id = r.written().id();
            String payload = r.written().payload();
            if (alone && id > 0 && payload != null && known.size() < MAX_KNOWN && !delivered.contains(id)) {
                known.putIfAbsent(
                        id,
                        new HookStore.Delivery(
                                id, r.hookId(), r.orderKey(), r.eventType(), payload, r.at(), 0, r.at(), null, false));
            }
        }
        wake();
    }

    /** Reads the outbox at the next round (dead letters were made pending again). */
    public void rescan() {
        lastScan = System.nanoTime() - scanEveryNanos;
        wake();
    }

    /** Rows were committed: look at the outbox soon. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Deliveries answered 2xx since the start. */
    public long deliveredCount() {
        return ok.get();
    }

    /** Attempts that failed since the start. */
    public long failedAttempts() {
        return failures.get();
    }

    public @Nullable LastFailure lastFailure() {
        return lastFailure.get();
    }

    /** The HMAC-SHA256 of {@code body} with the API secret, in lower-case hex: the {@code X-Signature} header. */
    public String signature(byte[] body) {
        Mac mac = macs.poll();
        if (mac == null) {
            mac = mac(key);
        }
        try {
            return HexFormat.of().formatHex(mac.doFinal(body)); // doFinal leaves it ready for the next body
        } finally {
            if (macs.size() < MAX_MACS) {
                macs.offer(mac);
            }
        }
    }

    /** Most keyed MACs kept for reuse: about one per delivery in flight. */
    private static final int MAX_MACS = MAX_KEYS_IN_FLIGHT;

    /** Keyed MACs free for the next signature: keying one costs more than signing a small body. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Mac> macs =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The hex HMAC-SHA256 of {@code body} with {@code key}: an {@code X-Signature} (push webhooks sign so too). */
    public static String sign(SecretKeySpec key, byte[] body) {
        return HexFormat.of().formatHex(mac(key).doFinal(body));
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * The {@code X-Webhook-Id} of a row: the same on every attempt and after a restart, so that a receiver can
     * drop a second delivery of one event. A version 8 UUID (RFC 9562) made of the row's creation time, its hook
     * and its id, which no other row of the outbox shares.
     */
    static String webhookId(HookStore.Delivery row) {
        long millis = row.createdAt().toEpochMilli();
        long msb = (millis << 16) | 0x8000L | (row.hookId().hashCode() & 0x0fffL);
        long lsb = 0x8000_0000_0000_0000L | (row.id() & 0x3fff_ffff_ffff_ffffL);
        return new UUID(msb, lsb).toString();
    }

    private void run() {
        while (running) {
            long start = System.nanoTime();
            boolean started = false;
            try {
                if (mayDeliver.getAsBoolean()) {
                    started = round();
                } else {
                    known.clear(); // another node delivers; it reads these rows from the outbox
                }
            } catch (RuntimeException e) {
                log.warn("webhooks: reading the outbox failed: {}", e.toString());
            }
            if (!started) {
                waitForSignal(nextDueMillis);
            }
            long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long least = started ? BUSY_ROUND_MILLIS : IDLE_ROUND_MILLIS;
            if (spent < least) {
                sleep(least - spent);
            }
        }
    }

    /** Milliseconds to the next due retry seen by the last round (at most the idle poll). */
    private volatile long nextDueMillis = IDLE_POLL_MILLIS;

    /** The rows delivered one after another: one hook's rows of one order key. */
    private record Key(String hookId, String orderKey) {}

    /**
     * One look at the outbox; true when it started a delivery. One pass over the known rows in id order: the first
     * row of a key that is neither being delivered nor waiting for a retry starts a task with the key's next rows
     * (at most {@value #MAX_ROWS_PER_KEY_TASK}); the pass ends when {@value #MAX_KEYS_IN_FLIGHT} keys are under way.
     */
    private boolean round() {
        flushDelivered();
        if (System.nanoTime() - lastScan >= scanEveryNanos) {
            scan();
        }
        Map<String, HookConfig.Hook> current = new LinkedHashMap<>();
        hooks.get().forEach(h -> current.put(h.id(), h));
        Instant now = clock.instant();
        long nextDue = IDLE_POLL_MILLIS;
        Map<Key, List<HookStore.Delivery>> starting = new LinkedHashMap<>();
        Set<Key> passed = new java.util.HashSet<>();
        for (HookStore.Delivery r : known.values()) { // in id order
            Key k = new Key(r.hookId(), r.orderKey());
            List<HookStore.Delivery> list = starting.get(k);
            if (list != null) {
                if (list.size() < MAX_ROWS_PER_KEY_TASK) {
                    list.add(r);
                }
                continue;
            }
            if (!passed.add(k) || busy.contains(k)) {
                continue; // not this key's first row, or the key is under way
            }
            if (r.nextAttemptAt().isAfter(now)) {
                nextDue = Math.min(
                        nextDue, Duration.between(now, r.nextAttemptAt()).toMillis() + 1);
                continue;
            }
            if (!inFlight.tryAcquire()) {
                break;
            }
            busy.add(k);
            list = new ArrayList<>();
            list.add(r);
            starting.put(k, list);
        }
        nextDueMillis = Math.max(1, nextDue);
        if (starting.isEmpty()) {
            return false;
        }
        for (Map.Entry<Key, List<HookStore.Delivery>> e : starting.entrySet()) {
            Key k = e.getKey();
            HookConfig.Hook hook = current.get(k.hookId());
            List<HookStore.Delivery> list = e.getValue();
            try {
                workers.execute(() -> {
                    try {
                        deliverKey(hook, list);
                    } catch (RuntimeException x) {
                        log.warn("webhooks: delivering to {} failed: {}", k.hookId(), x.toString());
                    } finally {
                        busy.remove(k);
                        inFlight.release();
                        wake();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                busy.remove(k);
                inFlight.release();
            }
        }
        return true;
    }

    /**
     * Reads the outbox for rows this dispatcher does not know: other nodes' rows, retries made pending again,
     * rows a previous run left, and commits whose rows did not fit in memory.
     */
    private void scan() {
        lastScan = System.nanoTime();
        List<Long> missing = new ArrayList<>();
        Map<Long, HookStore.Delivery> heads = new java.util.HashMap<>();
        for (HookStore.Delivery r : store.pending(WINDOW)) {
            if (!known.containsKey(r.id())
                    && !delivered.contains(r.id())
                    && known.size() + missing.size() < MAX_KNOWN) {
                missing.add(r.id());
                heads.put(r.id(), r);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        store.payloads(missing).forEach((id, payload) -> {
            HookStore.Delivery h = heads.get(id);
            if (h != null) {
                known.putIfAbsent(id, withPayload(h, payload));
            }
        });
    }

    /** Deletes the rows answered 2xx; they stay in {@link #delivered} until the delete committed. */
    private void flushDelivered() {
        if (delivered.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>(delivered);
        store.delivered(ids);
        ids.forEach(delivered::remove);
    }

    /** One key's rows in order, until one must wait for a retry. */
    private void deliverKey(HookConfig.@Nullable Hook hook, List<HookStore.Delivery> rows) {
        if (hook == null) {
            // The hook was removed or disabled since the rows were written: nobody is there to deliver to.
            rows.forEach(r -> {
                delivered.add(r.id());
                known.remove(r.id());
                metrics.webhookAttempt("dropped");
            });
            return;
        }
        for (HookStore.Delivery row : rows) {
            if (!running) {
                return;
            }
            Outcome o = post(hook.url(), row);
            if (o.ok()) {
                ok.incrementAndGet();
                delivered.add(row.id());
                known.remove(row.id());
                metrics.webhookAttempt("ok");
                continue;
            }
            failures.incrementAndGet();
            int attempts = row.attempts() + 1;
            boolean dead = !o.retryable() || attempts >= policy.maxAttempts();
            Instant now = clock.instant();
            lastFailure.set(new LastFailure(hook.id(), row.eventType(), o.error(), now));
            Instant next = dead ? now : now.plus(policy.retryAfter(attempts));
            store.failed(row.id(), attempts, next, o.error(), dead);
            if (dead) {
                known.remove(row.id());
            } else {
                known.put(
                        row.id(),
                        new HookStore.Delivery(
                                row.id(),
                                row.hookId(),
                                row.orderKey(),
                                row.eventType(),
                                row.payload(),
                                row.createdAt(),
                                attempts,
                                next,
                                o.error(),
                                false));
            }
            metrics.webhookAttempt(dead ? "dead" : "retry");
            if (dead) {
                log.warn(
                        "webhooks: {} to hook {} is a dead letter after {} attempts: {}",
                        row.eventType(),
                        hook.id(),
                        attempts,
                        o.error());
                continue; // the key goes on without it
            }
            return; // the key waits for this row's retry
        }
    }

    private static HookStore.Delivery withPayload(HookStore.Delivery d, String payload) {
        return new HookStore.Delivery(
                d.id(),
                d.hookId(),
                d.orderKey(),
                d.eventType(),
                payload,
                d.createdAt(),
                d.attempts(),
                d.nextAttemptAt(),
                d.lastError(),
                d.dead());
    }

    private record Outcome(boolean ok, boolean retryable, String error) {}

    /** Most bytes of a receiver's answer read; the rest is not wanted. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private Outcome post(URI url, HookStore.Delivery row) {
        byte[] body = payloadOf.apply(row).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "parley-webhooks");
        headers.put("X-Api-Key", apiKey);
        headers.put("X-Signature", signature(body));
        headers.put("X-Webhook-Id", webhookId(row));
        headers.put("X-Webhook-Attempt", Integer.toString(row.attempts() + 1));
        String timedOut = "no answer within " + policy.timeout().toMillis() + " ms";
        try {
            int status = http.get()
                    .post(url, headers, body, policy.timeout(), MAX_ANSWER_BYTES)
                    .get(policy.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                    .status();
            if (status >= 200 && status < 300) {
                return new Outcome(true, false, "");
            }
            boolean retryable = status == 408 || status == 429 || status >= 500;
            return new Outcome(false, retryable, "HTTP " + status + (retryable ? "" : " (not retried)"));
        } catch (TimeoutException e) {
            return new Outcome(false, true, timedOut);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HookHttp.TimedOut) {
                return new Outcome(false, true, timedOut);
            }
            String what = String.valueOf(cause);
            return new Outcome(
                    false, true, what.length() > MAX_ERROR_CHARS ? what.substring(0, MAX_ERROR_CHARS) : what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, true, "interrupted: the node is stopping");
        }
    }

    private void waitForSignal(long millis) {
        if (millis <= 0) {
            return;
        }
        synchronized (signal) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!woken && running) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    signal.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops delivering: deliveries under way get up to the request timeout, then the loop ends. */
    @Override
    public void close() {
        running = false;
        wake();
        try {
            loop.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(policy.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flushDelivered();
        } catch (RuntimeException e) {
            log.warn(
                    "webhooks: could not delete {} delivered rows at stop (they will be sent again)", delivered.size());
        }
    }
}
