package dev.parley.bench.load;

import dev.parley.protocol.Jwt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The work of one worker, in phases that the coordinator steps through: {@link #setup} connects (and
 * watches), {@link #run} is the measured phase, {@link #result} reports, {@link #close} disconnects.
 * Used in a worker process by {@code Worker} and in-process by the smoke test.
 */
public final class WorkerTask implements AutoCloseable {
    /** Open files one process may hold on this machine (sockets and HTTP connections alike). */
    static final int MAX_OPEN_FILES = 20_000;

    private final Generator gen;
    private final Plan plan;
    private final String secret;
    private final ConcurrentLinkedQueue<LoadClient> clients = new ConcurrentLinkedQueue<>();
    private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LongAdder watched = new LongAdder();
    private long runMillis;
    private long setupMillis;

    public WorkerTask(Generator gen, Plan plan, String secret) {
        this.gen = gen;
        this.plan = plan;
        this.secret = secret;
    }

    public String token(String userId) {
        return Jwt.userToken(secret, userId, null, null);
    }

    /**
     * Connects the plan's users, then (W3, W4, W1 with watch) has each watch its channel: watching comes
     * second because a channel's members must exist, and connecting is what creates users. The setup time
     * of the result is the connect phase alone.
     */
    public void setup() {
        if (plan.workload() == Workload.W2) {
            if (plan.warmupSeconds() > 0) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.warmupSeconds());
                paced(plan.from(), plan.to(), deadline, plan.inflight(), i -> {
                    String uid = "w" + plan.userId(i);
                    return gen.connect(uid, token(uid)).thenAccept(LoadClient::close);
                });
                gen.resetStats();
                errors.clear();
            }
            return;
        }
        long t0 = System.nanoTime();
        paced(plan.from(), plan.to(), Long.MAX_VALUE, plan.inflight(), i -> {
            String uid = plan.userId(i);
            return gen.connect(uid, token(uid)).thenAccept(clients::add);
        });
        setupMillis = (System.nanoTime() - t0) / 1_000_000;
        if (plan.watches()) {
            List<LoadClient> connected = new ArrayList<>(clients);
            // each watch in flight is an HTTP connection: with 19,000 sockets open, a window of 1,000 would
            // pass the process's 20,000 open files
            int window = Math.max(16, Math.min(plan.inflight(), MAX_OPEN_FILES - 500 - connected.size()));
            paced(0, connected.size(), Long.MAX_VALUE, window, k -> {
                LoadClient client = connected.get(k);
                int i = index(client.userId());
                String[] ch = plan.channelOf(i);
                return gen.watch(client, ch[0], ch[1], plan.membersOf(i)).thenRun(watched::increment);
            });
        }
    }

    /**
     * The measured phase: W2 opens and closes sockets of new users for the plan's seconds; the others hold
     * their sockets (heartbeats on) while the coordinator sends.
     */
    public void run() {
        long t0 = System.nanoTime();
        if (plan.workload() == Workload.W2) {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(plan.seconds());
            paced(plan.from(), plan.to(), deadline, plan.inflight(), i -> {
                String uid = plan.userId(i);
                return gen.connect(uid, token(uid)).thenAccept(LoadClient::close);
            });
        } else {
            if (plan.workload() == Workload.W5) {
                startFlood();
            }
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(plan.seconds()));
        }
        runMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Starts {@code work(i)} for i in {@code [from, to)} at the plan's rate, at most {@code inflight} at once,
     * until {@code deadlineNanos}; then waits for the started ones.
     */
    private void paced(
            int from,
            int to,
            long deadlineNanos,
            int inflight,
            java.util.function.IntFunction<CompletableFuture<?>> work) {
        Semaphore window = new Semaphore(inflight);
        long start = System.nanoTime();
        int i = from;
        while (i < to && System.nanoTime() < deadlineNanos) {
            if (plan.rate() > 0) {
                long due = from + (System.nanoTime() - start) * plan.rate() / 1_000_000_000L;
                if (i >= due) {
                    LockSupport.parkNanos(200_000);
                    continue;
                }
            }
            try {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int n = i++;
            work.apply(n).whenComplete((r, e) -> {
                if (e != null && errors.size() < 5) {
                    errors.add(plan.userId(n) + ": " + e);
                }
                window.release();
            });
        }
        try {
            if (!window.tryAcquire(inflight, 60, TimeUnit.SECONDS)) {
                errors.add("gave up waiting for " + (inflight - window.availablePermits()) + " calls");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** W5: the slow users stop reading and flood heartbeats. */
    public void startFlood() {
        clients.stream().filter(c -> plan.slow(index(c.userId()))).forEach(c -> c.flood(plan.floodRate()));
    }

    private static int index(String userId) {
        return Integer.parseInt(userId.substring(userId.lastIndexOf('-') + 1));
    }

    /** The sockets connected in {@link #setup} and still open. */
    public List<LoadClient> clients() {
        return clients.stream().filter(LoadClient::isOpen).toList();
    }

    public Result result() {
        Map<Integer, Integer> codes = new TreeMap<>();
        gen.closes.forEach(c -> codes.merge(c[0], 1, Integer::sum));
        long open = clients.stream().filter(LoadClient::isOpen).count();
        return new Result(
                gen.connectsOk.sum(),
                gen.connectsFailed.sum(),
                open,
                watched.sum(),
                gen.delivered.sum(),
                gen.closedByServer.sum(),
                codes,
                setupMillis,
                runMillis,
                gen.connectLatency,
                gen.deliveryLatency,
                gen.heartbeatRtt,
                gen.cutLatency,
                clients.stream().filter(c -> plan.slow(index(c.userId()))).count(),
                List.copyOf(errors));
    }

    @Override
    public void close() {
        clients.forEach(LoadClient::close);
    }
}
