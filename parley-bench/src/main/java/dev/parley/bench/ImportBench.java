package dev.parley.bench;

import dev.parley.bench.importfile.ImportFileGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code ./parley bench import}: the throughput of {@code ./parley import} (PROTOCOL.md §17) on a generated app
 * file, run as its own process with the server's JVM flags, on the embedded store (a fresh data folder) and on
 * PostgreSQL (a fresh database {@value #DATABASE}, dropped afterwards), beside the users-only import of a file
 * with as many users. Reports records a second in all and by record type (from the checkpoint the import
 * writes after each batch), wall time, and the process's RSS and heap sampled every second.
 */
public final class ImportBench {
    static final String DATABASE = "import_bench";

    static final String HELP = """
            Usage: ./parley bench import [options]
              --stores LIST     sqlite,postgresql (default: both)
              --users N         users (default 20000)        --channels N   channels (default 10000)
              --members N       members a channel (10)       --messages N   messages (default 1000000)
              --reactions N     reactions (default 200000)   --devices N    devices (default 5000)
              --seed S          generator seed (default 1)   --batch N      records a transaction (default 1000)
              --no-users-only   skip the users-only import beside it
              --jfr             record the import with Java Flight Recorder (in the output folder)
            CPU is the import process's (user + system); PostgreSQL's is every postgres process of the machine.
            The file is generated once into parley-bench/target/import-bench and kept for later runs.
            """;

    private record Options(
            ImportFileGenerator.Sizes sizes,
            long seed,
            List<String> stores,
            int batch,
            boolean usersOnly,
            boolean jfr) {}

    /** One import process, measured. */
    record Run(
            String what,
            long records,
            double seconds,
            int exit,
            long rssStartKib,
            long rssPeakKib,
            long rssEndKib,
            long heapStartKib,
            long heapPeakKib,
            long heapEndKib,
            long cpuMillis,
            long postgresCpuMillis,
            Map<String, Double> rateByType,
            String summary) {
        double rate() {
            return records / seconds;
        }
    }

    private ImportBench() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(HELP);
            return;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("parley bench import: " + e.getMessage() + "\n" + HELP);
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("parley.root", "."));
        Path dir = root.resolve("parley-bench/target/import-bench");
        Files.createDirectories(dir);
        ImportFileGenerator.Sizes s = o.sizes();
        String name = "app-" + s.users() + "u-" + s.channels() + "c-" + s.membersPerChannel() + "m-" + s.messages()
                + "msg-" + s.reactions() + "r-" + s.devices() + "d-seed" + o.seed();
        Path file = dir.resolve(name + ".jsonl");
        Path users = dir.resolve("users-" + s.users() + ".ndjson");
        ImportFileGenerator gen = new ImportFileGenerator(s, o.seed());
        long t0 = System.nanoTime();
        ImportFileGenerator.Counts counts = gen.counts();
        if (!Files.exists(file)) { // the same sizes and seed give the same bytes: a kept file is reused
            gen.write(file.resolveSibling(name + ".tmp"));
            Files.move(file.resolveSibling(name + ".tmp"), file);
        }
        if (!Files.exists(users)) {
            gen.writeUsersOnly(users);
        }
        System.out.printf(
                Locale.ROOT,
                "# ./parley bench import %s%n# file %s: %,d records %s, %,d MB, ready in %.1f s%n",
                String.join(" ", args),
                file.getFileName(),
                counts.total(),
                counts.byType(),
                Files.size(file) >> 20,
                (System.nanoTime() - t0) / 1e9);
        List<Run> runs = new ArrayList<>();
        for (String store : o.stores()) {
            runs.add(importOnce(o, store, "app", file, counts, dir));
            print(runs.getLast());
            if (o.usersOnly()) {
                runs.add(importOnce(
                        o,
                        store,
                        "users-only",
                        users,
                        new ImportFileGenerator.Counts(Map.of("user", (long) s.users())),
                        dir));
                print(runs.getLast());
            }
        }
        if (o.stores().contains("postgresql")) {
            TargetProcess.psql("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
        System.out.println();
        System.out.println(table(runs));
        System.exit(runs.stream().allMatch(r -> r.exit() == 0) ? 0 : 1);
    }

    private static Options parse(String[] args) {
        ImportFileGenerator.Sizes d = ImportFileGenerator.Sizes.defaults();
        long[] v = {d.users(), d.channels(), d.membersPerChannel(), d.messages(), d.reactions(), d.devices()};
        List<String> keys = List.of("--users", "--channels", "--members", "--messages", "--reactions", "--devices");
        long seed = 1;
        int batch = 1000;
        List<String> stores = List.of("sqlite", "postgresql");
        boolean usersOnly = true;
        boolean jfr = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--no-users-only" -> usersOnly = false;
                case "--jfr" -> jfr = true;
                case "--stores" -> {
                    stores = Arrays.asList(value(args, ++i, a).split(","));
                    for (String st : stores) {
                        if (!st.equals("sqlite") && !st.equals("postgresql")) {
                            throw new IllegalArgumentException("--stores: '" + st + "' (expected: sqlite, postgresql)");
                        }
                    }
                }
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--batch" -> batch = Integer.parseInt(value(args, ++i, a));
                default -> {
                    int k = keys.indexOf(a);
                    if (k < 0) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    v[k] = Long.parseLong(value(args, ++i, a));
                }
            }
        }
        return new Options(
                new ImportFileGenerator.Sizes((int) v[0], (int) v[1], (int) v[2], v[3], v[4], (int) v[5]),
                seed,
                stores,
                batch,
                usersOnly,
                jfr);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Runs {@code parley import FILE} once on a fresh store and samples it until it ends. */
    private static Run importOnce(
            Options o, String store, String what, Path file, ImportFileGenerator.Counts counts, Path dir)
            throws Exception {
        Path data = dir.resolve("data-" + store);
        deleteTree(data);
        Files.createDirectories(data);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".parley-import"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("parley.jvmFlags", "");
        if (!flags.isBlank()) {
            cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
        }
        if (o.jfr()) {
            cmd.add("-XX:StartFlightRecording=filename=" + dir.resolve(what + "-" + store + ".jfr")
                    + ",settings=profile");
        }
        cmd.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                required("parley.serverJar"),
                "import",
                file.toString(),
                "--batch",
                Integer.toString(o.batch()),
                "--data-dir",
                data.toString()));
        if (store.equals("postgresql")) {
            TargetProcess.psql("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            TargetProcess.psql("CREATE DATABASE " + DATABASE);
            cmd.addAll(List.of("--database-url", "postgresql://postgres@127.0.0.1:5432/" + DATABASE));
        }
        Path log = dir.resolve(what + "-" + store + ".log");
        System.out.println("## " + what + " import on " + store + " ...");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Sampler sampler = new Sampler(p.pid(), file.resolveSibling(file.getFileName() + ".parley-import"));
        sampler.start(start);
        ProcessSetSampler postgres = store.equals("postgresql") ? ProcessSetSampler.postgres() : null;
        if (postgres != null) {
            postgres.start();
        }
        boolean ended = p.waitFor(4, TimeUnit.HOURS);
        long end = System.nanoTime();
        if (!ended) {
            p.destroyForcibly();
        }
        sampler.stop();
        long postgresCpu = postgres == null ? -1 : postgres.stop();
        double seconds = (end - start) / 1e9;
        List<String> out = Files.readAllLines(log);
        String summary = out.stream()
                .filter(l -> l.startsWith("import: "))
                .reduce((a, b) -> b)
                .orElse("(no summary; see " + log + ")");
        return new Run(
                what,
                counts.total(),
                seconds,
                ended ? p.exitValue() : -1,
                sampler.rss.first(),
                sampler.rss.peak(),
                sampler.rss.last(),
                sampler.heap.first(),
                sampler.heap.peak(),
                sampler.heap.last(),
                sampler.cpu.last(),
                postgresCpu,
                sampler.rates(counts, start, end),
                summary);
    }

    private static void print(Run r) {
        System.out.printf(
                Locale.ROOT,
                "   %s: %,d records in %.1f s = %,.0f records/s (exit %d); RSS %d/%d/%d MiB, heap used %d/%d/%d MiB"
                        + " (start/peak/end); CPU %.1f s (%.0f µs a record), PostgreSQL's %s s%n"
                        + "   by type (records/s): %s%n   %s%n",
                r.what(),
                r.records(),
                r.seconds(),
                r.rate(),
                r.exit(),
                r.rssStartKib() >> 10,
                r.rssPeakKib() >> 10,
                r.rssEndKib() >> 10,
                r.heapStartKib() >> 10,
                r.heapPeakKib() >> 10,
                r.heapEndKib() >> 10,
                r.cpuMillis() / 1e3,
                r.cpuMillis() * 1e3 / r.records(),
                r.postgresCpuMillis() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.postgresCpuMillis() / 1e3),
                rates(r.rateByType()),
                r.summary());
    }

    private static String rates(Map<String, Double> byType) {
        StringBuilder b = new StringBuilder();
        byType.forEach((t, v) ->
                b.append(b.isEmpty() ? "" : ", ").append(t).append(' ').append(String.format(Locale.ROOT, "%,.0f", v)));
        return b.toString();
    }

    static String table(List<Run> runs) {
        StringBuilder b = new StringBuilder(
                "| import | records | wall (s) | records/s | CPU s (import / PostgreSQL) | RSS MiB start/peak/end "
                        + "| heap used MiB start/peak/end |\n|---|---:|---:|---:|---|---|---|\n");
        for (Run r : runs) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %.1f | %,.0f | %.1f / %s | %d / %d / %d | %d / %d / %d |%n",
                    r.what(),
                    r.records(),
                    r.seconds(),
                    r.rate(),
                    r.cpuMillis() / 1e3,
                    r.postgresCpuMillis() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.postgresCpuMillis() / 1e3),
                    r.rssStartKib() >> 10,
                    r.rssPeakKib() >> 10,
                    r.rssEndKib() >> 10,
                    r.heapStartKib() >> 10,
                    r.heapPeakKib() >> 10,
                    r.heapEndKib() >> 10));
        }
        return b.toString();
    }

    /** First, peak and last of a series of samples (-1 until the first). */
    static final class Series {
        private long first = -1;
        private long peak = -1;
        private long last = -1;

        synchronized void add(long v) {
            if (v < 0) {
                return;
            }
            if (first < 0) {
                first = v;
            }
            peak = Math.max(peak, v);
            last = v;
        }

        synchronized long first() {
            return first;
        }

        synchronized long peak() {
            return peak;
        }

        synchronized long last() {
            return last;
        }
    }

    /**
     * Samples the import process: RSS from {@code /proc} and heap use from {@code jstat} every second, and
     * the record its checkpoint names every 100 ms, with the time each was first seen.
     */
    static final class Sampler {
        private final long pid;
        private final ProcSampler proc;
        private final Path checkpoint;
        final Series rss = new Series();
        final Series heap = new Series();
        final Series cpu = new Series();
        private final List<long[]> progress = new ArrayList<>(); // {nanos, ordinal}
        private final AtomicLong lastOrdinal = new AtomicLong();
        private volatile boolean running = true;
        private @Nullable Thread rssThread;
        private @Nullable Thread progressThread;
        private @Nullable Process jstat;

        Sampler(long pid, Path checkpoint) {
            this.pid = pid;
            this.proc = new ProcSampler(pid);
            this.checkpoint = checkpoint;
        }

        void start(long startNanos) {
            synchronized (progress) {
                progress.add(new long[] {startNanos, 0});
            }
            rssThread = Thread.ofPlatform()
                    .daemon(true)
                    .name("import-bench-rss")
                    .start(() -> {
                        while (running) {
                            rss.add(proc.rssKib());
                            cpu.add(proc.cpuMillis());
                            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                        }
                    });
            progressThread = Thread.ofPlatform()
                    .daemon(true)
                    .name("import-bench-progress")
                    .start(() -> {
                        while (running) {
                            long ordinal = checkpointOrdinal();
                            if (ordinal > lastOrdinal.get()) {
                                lastOrdinal.set(ordinal);
                                synchronized (progress) {
                                    progress.add(new long[] {System.nanoTime(), ordinal});
                                }
                            }
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        }
                    });
            Thread.ofPlatform().daemon(true).name("import-bench-heap").start(this::heapLoop);
        }

        /** Heap in use (survivors, eden and old) from {@code jstat -gc PID 1000}, once the JVM can be attached. */
        private void heapLoop() {
            String jstatBin =
                    Path.of(System.getProperty("java.home"), "bin", "jstat").toString();
            for (int attempt = 0; attempt < 50 && running; attempt++) {
                try {
                    Process j = new ProcessBuilder(jstatBin, "-gc", Long.toString(pid), "1000")
                            .redirectErrorStream(true)
                            .start();
                    synchronized (this) {
                        jstat = j;
                    }
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(j.getInputStream(), StandardCharsets.UTF_8))) {
                        String header = r.readLine();
                        if (header == null || !header.contains("EU")) {
                            j.destroy();
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                            continue;
                        }
                        List<String> cols = Arrays.asList(header.trim().split("\\s+"));
                        int[] used = Stream.of("S0U", "S1U", "EU", "OU")
                                .mapToInt(cols::indexOf)
                                .toArray();
                        String line;
                        while ((line = r.readLine()) != null) {
                            String[] f = line.trim().split("\\s+");
                            if (f.length != cols.size()) {
                                continue;
                            }
                            double kib = 0;
                            for (int u : used) {
                                kib += Double.parseDouble(f[u]);
                            }
                            heap.add((long) kib);
                        }
                    }
                    return;
                } catch (IOException | RuntimeException e) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
        }

        private long checkpointOrdinal() {
            try {
                String s = Files.readString(checkpoint);
                int i = s.indexOf("\"ordinal\":");
                if (i < 0) {
                    return -1;
                }
                int j = i + "\"ordinal\":".length();
                int k = j;
                while (k < s.length() && Character.isDigit(s.charAt(k))) {
                    k++;
                }
                return Long.parseLong(s.substring(j, k));
            } catch (IOException | RuntimeException e) {
                return -1; // not written yet, or being replaced
            }
        }

        void stop() throws InterruptedException {
            running = false;
            if (rssThread != null) {
                rssThread.join();
            }
            if (progressThread != null) {
                progressThread.join();
            }
            synchronized (this) {
                if (jstat != null) {
                    jstat.destroy();
                }
            }
        }

        /**
         * Records a second of each type: its records over the time from the first checkpoint at or past the
         * start of its section to the first at or past its end (the process's end for the last section). A
         * section shorter than one batch has no rate of its own and is left out.
         */
        Map<String, Double> rates(ImportFileGenerator.Counts counts, long startNanos, long endNanos) {
            List<long[]> seen;
            synchronized (progress) {
                seen = new ArrayList<>(progress);
            }
            seen.sort(Comparator.comparingLong(a -> a[1]));
            Map<String, Double> out = new LinkedHashMap<>();
            long from = 0;
            for (Map.Entry<String, Long> e : counts.byType().entrySet()) {
                long to = from + e.getValue();
                long t0 = timeAt(seen, from, startNanos, endNanos);
                long t1 = timeAt(seen, to, startNanos, endNanos);
                if (t1 > t0 && e.getValue() > 0) {
                    out.put(e.getKey(), e.getValue() / ((t1 - t0) / 1e9));
                }
                from = to;
            }
            return out;
        }

        private static long timeAt(List<long[]> seen, long ordinal, long startNanos, long endNanos) {
            if (ordinal == 0) {
                return startNanos;
            }
            for (long[] s : seen) {
                if (s[1] >= ordinal) {
                    return s[0];
                }
            }
            return endNanos; // the last batch: the checkpoint is deleted as the import ends
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank() || !Files.exists(Path.of(v))) {
            throw new IllegalStateException(
                    property + " is not set or missing: " + v + " (run through ./parley bench)");
        }
        return v;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
