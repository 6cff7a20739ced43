package dev.parley.bench;

import dev.parley.bench.load.Dialect;
import dev.parley.bench.load.Generator;
import dev.parley.bench.load.LoadClient;
import dev.parley.bench.load.Result;
import dev.parley.bench.load.Workload;
import dev.parley.protocol.Jwt;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The coordinator of {@code ./parley bench}: for each target in turn starts the server, starts worker
 * processes that connect its users from 127.0.0.2, 127.0.0.3, ..., warms W3 and W4 up with messages that
 * readers ignore, samples the server's CPU time (in all and by thread group) and RSS from {@code /proc},
 * sends the messages of W3 and W4, sums the workers' results and prints one table with ratios to the floor
 * and the peer. {@code ./parley bench jmh} runs the microbenchmarks instead.
 */
public final class Bench {
    /** Sockets per worker process: one process may hold 20,000 files. */
    static final int USERS_PER_WORKER = 19_000;

    static final int SOURCES_PER_WORKER = 8;

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("import")) {
            ImportBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("parley bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path logDir = Path.of(System.getProperty("parley.root", ".")).resolve("parley-bench/target/bench-logs");
        Files.createDirectories(logDir);
        String command = "./parley bench " + String.join(" ", args);
        System.out.println("# " + command + "   (" + Machine.describe() + ")");
        Map<String, Measure> measures = new LinkedHashMap<>();
        for (String target : o.targets()) {
            System.out.println("## " + target + " ...");
            try {
                Measure m = runTarget(o, target, logDir);
                measures.put(target, m);
                System.out.println(m.line(o.workload()));
            } catch (Exception e) {
                System.out.println("   " + target + " failed: " + e.getMessage() + " (logs in " + logDir + ")");
            }
        }
        String table = Report.table(o.workload(), measures);
        System.out.println();
        System.out.println(table);
        if (o.history()) {
            Report.appendHistory(
                    Path.of(System.getProperty("parley.root", ".")).resolve("BENCHMARKS.md"),
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                    command,
                    o.workload(),
                    measures);
        }
        System.exit(0);
    }

    private static Measure runTarget(Options o, String target, Path logDir) throws Exception {
        String prefix = "b" + Long.toString(System.currentTimeMillis() % 10_000_000, 36);
        int workers = o.workload() == Workload.W2 ? 1 : (o.users() + USERS_PER_WORKER - 1) / USERS_PER_WORKER;
        if (o.nodes() > 1 && target.equals("parley") && o.workload() != Workload.W2) {
            workers = Math.max(workers, o.nodes()); // at least one worker per node
        }
        try (ServerSet server = ServerSet.start(o, target, logDir);
                WebhookSink webhook = o.webhook() && target.equals("parley") ? WebhookSink.start() : null) {
            if (webhook != null) {
                webhook.configure(server.port(), TargetProcess.API_KEY, TargetProcess.SECRET);
            }
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            Sampler sampler = new Sampler(server::rssKib);
            sampler.start();
            long heap0 = server.collect();
            long cpu0 = server.cpuMillis();
            long rss0 = settledRss(server::rssKib);
            List<WorkerProcess> procs = new ArrayList<>();
            ProcessSetSampler database = measuresDatabase(o, target) ? ProcessSetSampler.postgres() : null;
            try {
                for (int w = 0; w < workers; w++) {
                    // W4: whole groups per worker, so that each channel's members are created by one worker
                    int unit = o.workload() == Workload.W4 ? o.groupSize() : 1;
                    int units = o.users() / unit;
                    int from = (int) ((long) units * w / workers) * unit;
                    int to = (int) ((long) units * (w + 1) / workers) * unit;
                    procs.add(WorkerProcess.start(o, target, server.portOf(w), prefix, from, to, w, workers, logDir));
                }
                Result ready = Result.empty();
                for (WorkerProcess p : procs) {
                    ready = ready.plus(p.await("READY", 600));
                }
                Dialect dialect = dialect(target);
                if (o.workload().needsChannels() && o.warmup() > 0) {
                    long n = sendMessages(
                            o,
                            dialect,
                            server.port(),
                            TargetProcess.API_KEY,
                            TargetProcess.SECRET,
                            prefix,
                            TimeUnit.SECONDS.toNanos(o.warmup()),
                            true);
                    System.out.println("   warm-up: " + n + " messages in " + o.warmup() + " s");
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // their deliveries drain
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                long rssReady = server.rssKib();
                long heapReady = server.collect();
                long rssReadyGc = settledRss(server::rssKib);
                Map<Long, ProcSampler.ThreadTime> threadsReady = server.threads();
                long cpuReady = server.cpuMillis();
                if (database != null) {
                    database.start();
                }
                procs.forEach(WorkerProcess::go);
                long sent = 0;
                long t0 = System.nanoTime();
                if (o.workload().needsChannels()) {
                    sent = sendMessages(
                            o,
                            dialect,
                            server.port(),
                            TargetProcess.API_KEY,
                            TargetProcess.SECRET,
                            prefix,
                            measuredSendNanos(o),
                            false);
                }
                Result total = Result.empty();
                for (WorkerProcess p : procs) {
                    total = total.plus(p.await("RESULT", o.seconds() + 120));
                }
                long runNanos = System.nanoTime() - t0;
                long cpuEnd = server.cpuMillis();
                if (webhook != null) {
                    System.out.println("   webhook: " + webhook.requests() + " requests received, "
                            + webhook.messageNew() + " of them message.new (warm-up included)");
                }
                long dbCpu = database == null ? 0 : database.stop();
                if (dbCpu < 0) {
                    System.out.println("   no PostgreSQL process seen in /proc: its CPU is not counted");
                }
                Map<String, Long> cpuByGroup = ProcSampler.cpuByGroup(threadsReady, server.threads());
                long rssEnd = server.rssKib();
                // W5: what the server keeps once the flood is over, with the garbage of the backlogs collected
                long rssEndGc = o.workload() == Workload.W5 && server.collect() >= 0 ? settledRss(server::rssKib) : -1;
                sampler.stop();
                return new Measure(
                        ready,
                        total,
                        sent,
                        rss0,
                        rssReady,
                        rssReadyGc,
                        heap0,
                        heapReady,
                        rssEnd,
                        rssEndGc,
                        sampler.maxRss(),
                        cpu0,
                        cpuReady,
                        cpuEnd,
                        cpuByGroup,
                        dbCpu,
                        runNanos / 1_000_000,
                        o);
            } finally {
                procs.forEach(WorkerProcess::close);
                sampler.stop();
                if (database != null) {
                    database.stop(); // ends its thread when the run failed
                }
            }
        }
    }

    /**
     * Whether the run samples PostgreSQL's CPU beside the server's: Parley on {@code --store postgresql}.
     * The floor and Centrifuge keep nothing in a database, so theirs is 0.
     */
    static boolean measuresDatabase(Options o, String target) {
        return o.store().equals("postgresql") && target.equals("parley");
    }

    static Dialect dialect(String target) {
        return target.equals("centrifuge") ? new Dialect.Centrifuge() : new Dialect.Stream(TargetProcess.API_KEY);
    }

    /** How long the measured phase sends: all of it less a third (at least 2 s) of drain, at least 1 s. */
    static long measuredSendNanos(Options o) {
        return TimeUnit.SECONDS.toNanos(Math.max(1, o.seconds() - Math.max(2, o.seconds() / 3)));
    }

    /**
     * RSS once it stops falling after a full GC: G1 gives memory back to the system concurrently, after
     * {@code GC.run} has returned. Reads every 200 ms until two readings are within 1 MiB, at most 5 s.
     */
    static long settledRss(java.util.function.LongSupplier rss) {
        long last = rss.getAsLong();
        for (int i = 0; i < 25; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            long now = rss.getAsLong();
            if (Math.abs(last - now) < 1024) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /**
     * Sends {@code msgRate} messages a second for {@code nanos} to the workload's channels as a new sender
     * socket; returns how many were answered. Stamped with their send time, or, for a warm-up, with {@link
     * Dialect#WARMUP_TEXT}, which readers ignore.
     */
    static long sendMessages(
            Options o, Dialect d, int port, String apiKey, String secret, String prefix, long nanos, boolean warmup)
            throws Exception {
        try (Generator gen = new Generator(d, "127.0.0.1", port, List.of("127.0.0.254"), apiKey, 0, 1, c -> false)) {
            String sender = prefix + "-sender";
            LoadClient client = gen.connect(sender, Jwt.userToken(secret, sender, null, null))
                    .get(30, TimeUnit.SECONDS);
            int groups = o.workload() == Workload.W4 ? Math.max(1, o.users() / o.groupSize()) : 1;
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + nanos;
            List<java.util.concurrent.CompletableFuture<Void>> pending = new ArrayList<>();
            Map<String, String> tokens = new java.util.HashMap<>();
            while (System.nanoTime() < end) {
                long due = (long) ((System.nanoTime() - t0) * o.msgRate() / 1e9);
                if (n >= due) {
                    LockSupport.parkNanos(500_000);
                    continue;
                }
                String user = sender;
                String type = "livestream";
                String id = prefix + "-big";
                if (o.workload() == Workload.W4) {
                    // sent as the group's first member: members alone may write to a messaging channel
                    int g = (int) (n % groups);
                    user = prefix + "-" + (g * o.groupSize());
                    type = "messaging";
                    id = prefix + "-g" + g;
                }
                String token = tokens.computeIfAbsent(user, u -> Jwt.userToken(secret, u, null, null));
                pending.add(
                        warmup
                                ? gen.send(client, user, token, type, id, Dialect.WARMUP_TEXT)
                                : gen.send(client, user, token, type, id));
                n++;
            }
            long ok = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int failures = 0;
            for (var f : pending) {
                try {
                    f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    ok++;
                } catch (Exception e) {
                    if (failures++ < 3) {
                        System.out.println("   send failed: " + e);
                    }
                }
            }
            if (failures > 0) {
                System.out.println("   " + failures + " sends failed or unanswered within 30 s");
            }
            client.close();
            return ok;
        }
    }

    /** A worker JVM, pinned away from the server's core. */
    static final class WorkerProcess implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final BufferedWriter in;

        private WorkerProcess(Process p) {
            this.process = p;
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        }

        static WorkerProcess start(
                Options o,
                String target,
                int port,
                String prefix,
                int from,
                int to,
                int index,
                int workers,
                Path logDir)
                throws IOException {
            List<String> cmd = new ArrayList<>();
            int cores = Runtime.getRuntime().availableProcessors();
            if (o.pin() && cores >= 2) {
                cmd.addAll(List.of("taskset", "-c", "1-" + (cores - 1)));
            }
            StringBuilder sources = new StringBuilder();
            for (int s = 0; s < SOURCES_PER_WORKER; s++) {
                sources.append(s == 0 ? "" : ",")
                        .append("127.0.")
                        .append(index)
                        .append('.')
                        .append(2 + s);
            }
            cmd.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xss256k",
                    "-Xmx2g",
                    "-XX:+UseParallelGC",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("parley.benchJar", System.getProperty("java.class.path")),
                    "dev.parley.bench.Worker",
                    "target=" + target,
                    "host=127.0.0.1",
                    "port=" + port,
                    "sources=" + sources,
                    "apiKey=" + TargetProcess.API_KEY,
                    "secret=" + TargetProcess.SECRET,
                    "workload=" + o.workload(),
                    "prefix=" + prefix,
                    "from=" + from,
                    "to=" + to,
                    "rate=" + (o.rate() / workers),
                    "inflight=" + o.inflight(),
                    "groupSize=" + o.groupSize(),
                    "slow=" + o.slow(),
                    "seconds=" + o.seconds(),
                    "heartbeat=" + o.heartbeat(),
                    "flood=" + o.flood(),
                    "warmup=" + o.warmup(),
                    "watch=" + o.watch()));
            Process p = new ProcessBuilder(cmd)
                    .redirectError(logDir.resolve("worker-" + target + "-" + index + ".log")
                            .toFile())
                    .start();
            return new WorkerProcess(p);
        }

        Result await(String tag, int timeoutSeconds) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(tag + " ")) {
                    return Result.fromJson(line.substring(tag.length() + 1));
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            throw new IllegalStateException("worker ended without " + tag + " (see parley-bench/target/bench-logs)");
        }

        void go() {
            try {
                in.write("GO\n");
                in.flush();
            } catch (IOException e) {
                throw new IllegalStateException("worker went away", e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    /** Samples the server's RSS every 250 ms and keeps the highest. */
    static final class Sampler {
        private final java.util.function.LongSupplier proc;
        private volatile long max;
        private volatile boolean running = true;
        private @Nullable Thread thread;

        Sampler(java.util.function.LongSupplier proc) {
            this.proc = proc;
        }

        void start() {
            thread = Thread.ofPlatform().daemon(true).name("bench-sampler").start(() -> {
                while (running) {
                    max = Math.max(max, proc.getAsLong());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }
            });
        }

        void stop() {
            running = false;
        }

        long maxRss() {
            return max;
        }
    }

    /** nproc, memory, kernel and JDK of this machine, for the table. */
    static final class Machine {
        static String describe() {
            long memKib = 0;
            try {
                for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (l.startsWith("MemTotal:")) {
                        memKib = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException ignored) {
                // reported as 0 GiB
            }
            return "nproc " + Runtime.getRuntime().availableProcessors() + ", " + (memKib / 1024 / 1024)
                    + " GiB, Linux " + System.getProperty("os.version") + ", JDK "
                    + System.getProperty("java.runtime.version");
        }
    }

    static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
