package dev.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One server under test in its own process: Parley, the floor or the Centrifuge peer, on loopback. */
final class TargetProcess implements AutoCloseable {
    static final String API_KEY = "bench-key";
    static final String SECRET = "bench-secret-0123456789abcdef0123456789abcdef";

    final String name;
    final int port;
    private final Process process;
    private final Path dataDir;
    final ProcSampler sampler;

    private TargetProcess(String name, int port, Process process, Path dataDir) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.dataDir = dataDir;
        this.sampler = new ProcSampler(process.pid());
    }

    /** The database a PostgreSQL run of Parley uses, dropped and created again for each run. */
    static final String BENCH_DATABASE = "parley_bench";

    /**
     * Starts a target and waits until it listens.
     *
     * @param store Parley's store: {@code sqlite} (a fresh folder) or {@code postgresql} (a fresh
     *     {@link #BENCH_DATABASE} on 127.0.0.1:5432, trust auth)
     */
    static TargetProcess start(String name, boolean pin, String store, Path logDir)
            throws IOException, InterruptedException {
        return start(name, pin, store, logDir, List.of(), true, name);
    }

    /**
     * Starts node {@code index} (from 1) of a Parley cluster on the bench database and {@code redisUrl}; the first
     * node creates the database afresh.
     */
    static TargetProcess startNode(boolean pin, Path logDir, String redisUrl, int index)
            throws IOException, InterruptedException {
        return start(
                "parley",
                pin,
                "postgresql",
                logDir,
                List.of("--redis-url", redisUrl, "--node-id", "bench-" + index, "--drain-window", "0s"),
                index == 1,
                "parley-node-" + index);
    }

    private static TargetProcess start(
            String name,
            boolean pin,
            String store,
            Path logDir,
            List<String> extra,
            boolean freshDatabase,
            String logName)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dataDir = Files.createTempDirectory("parley-bench-");
        List<String> cmd = new ArrayList<>();
        if (pin) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(System.getProperty("parley.jvmFlags", "-XX:+UseG1GC -Xss512k")
                .trim()
                .split("\\s+"));
        switch (name) {
            case "parley" -> {
                cmd.add(java);
                cmd.addAll(jvm);
                cmd.addAll(List.of(
                        "--enable-native-access=ALL-UNNAMED",
                        "-jar",
                        required("parley.serverJar"),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port),
                        "--api-key",
                        API_KEY,
                        "--api-secret",
                        SECRET,
                        "--data-dir",
                        dataDir.toString(),
                        // The workloads send and connect far faster than a user does, every simulated client
                        // from one address; they measure throughput, which per-user limits and the per-address
                        // cap would bound. W5's slow users flood heartbeats to reach the outbound bound, which
                        // the frame budget would otherwise cut first.
                        "--disable-rate-limits",
                        "--max-ws-frames-per-minute",
                        "0",
                        "--max-connections-per-address",
                        "0"));
                if (store.equals("postgresql")) {
                    if (freshDatabase) {
                        freshDatabase();
                    }
                    cmd.addAll(List.of("--database-url", "postgresql://postgres@127.0.0.1:5432/" + BENCH_DATABASE));
                }
                cmd.addAll(extra);
            }
            case "floor" -> {
                cmd.add(java);
                cmd.addAll(jvm);
                cmd.addAll(List.of(
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        required("parley.benchJar"),
                        "dev.parley.bench.floor.FloorServer",
                        "127.0.0.1",
                        String.valueOf(port)));
            }
            case "centrifuge" -> cmd.addAll(List.of(required("parley.centrifuge"), "127.0.0.1:" + port, SECRET));
            default -> throw new IllegalArgumentException("target: " + name);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve(logName + ".log").toFile());
        pb.environment().put("PARLEY_LOG_LEVEL", "WARN");
        TargetProcess t = new TargetProcess(name, port, pb.start(), dataDir);
        t.awaitListening();
        return t;
    }

    private static void freshDatabase() throws IOException, InterruptedException {
        psql("DROP DATABASE IF EXISTS " + BENCH_DATABASE + " WITH (FORCE)");
        psql("CREATE DATABASE " + BENCH_DATABASE);
    }

    /** Runs one statement with {@code psql} as {@code postgres} on the local server, database {@code postgres}. */
    static void psql(String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "psql",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-q",
                        "-c",
                        sql)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("psql could not run '" + sql + "': " + out.strip());
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

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within 60 s");
    }

    /** Whether the target is a JVM, whose heap {@link #collect} can shrink before a memory reading. */
    boolean jvm() {
        return !name.equals("centrifuge");
    }

    /**
     * Runs a full GC in a JVM target ({@code jcmd GC.run}) and returns the heap in use after it, in KiB;
     * -1 for the Go peer, whose collector runs by itself.
     */
    long collect() {
        if (!jvm()) {
            return -1;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd.toString(), String.valueOf(process.pid()), "GC.run");
            String info = run(jcmd.toString(), String.valueOf(process.pid()), "GC.heap_info");
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("used (\\d+)([KMG])").matcher(info);
            if (!m.find()) {
                return -1;
            }
            long v = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "M" -> v * 1024;
                case "G" -> v * 1024 * 1024;
                default -> v;
            };
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
