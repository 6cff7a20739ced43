package dev.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The CPU time (user plus system, from {@code /proc/<pid>/stat}) that a set of processes spends over a
 * window, when its members come and go: PostgreSQL's postmaster and its backends, which it forks per
 * connection. {@link #start} reads every matching process, a daemon thread reads them again every
 * {@value #PERIOD_MILLIS} ms, {@link #stop} reads them a last time and sums, per process, its last reading
 * less its first: a process that started inside the window counts from 0, one that ended inside it counts
 * up to its last reading (up to one period of its CPU time is lost).
 *
 * <p>A process is known by its pid and its start time, so a pid that the kernel hands to a new process is
 * a new process. Not thread-safe: one thread calls {@link #start} and {@link #stop}.
 */
final class ProcessSetSampler {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64
    static final long PERIOD_MILLIS = 250;

    /** One process: its pid and its start time in ticks since boot (field 22 of {@code stat}). */
    record Key(long pid, long startTicks) {}

    private final BiPredicate<String, String> matches;
    private final Path proc;
    private final Map<Key, Boolean> byCmdline = new HashMap<>();
    private final Window window = new Window();
    private volatile boolean running;
    private @Nullable Thread thread;

    /**
     * @param matches whether a process belongs to the set, given its {@code comm} and its {@code cmdline}
     *     (arguments separated by NUL); the command line of a process is read once
     */
    ProcessSetSampler(BiPredicate<String, String> matches, Path proc) {
        this.matches = matches;
        this.proc = proc;
    }

    /**
     * Every PostgreSQL process of this machine, whichever database or client it serves: on a quiet machine
     * that is the server under test's database load.
     */
    static ProcessSetSampler postgres() {
        return new ProcessSetSampler(ProcessSetSampler::isPostgres, Path.of("/proc"));
    }

    /**
     * Whether a process is PostgreSQL's: its {@code comm} is {@code postgres} (backends inherit it from the
     * postmaster) or {@code postmaster}, or its command line runs a {@code postgres} binary or carries a
     * PostgreSQL process title ({@code postgres: 15/main: walwriter}).
     */
    static boolean isPostgres(String comm, String cmdline) {
        if (comm.equals("postgres") || comm.equals("postmaster")) {
            return true;
        }
        String argv0 = cmdline.split("\0", 2)[0];
        return argv0.startsWith("postgres:") || argv0.equals("postgres") || argv0.endsWith("/postgres");
    }

    /** Reads the set for the first time and samples it every {@value #PERIOD_MILLIS} ms until {@link #stop}. */
    void start() {
        window.begin(snapshot());
        running = true;
        thread = Thread.ofPlatform().daemon(true).name("bench-process-set").start(() -> {
            while (running) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS));
                if (running) {
                    window.observe(snapshot());
                }
            }
        });
    }

    /**
     * Reads the set a last time and returns the CPU milliseconds of its processes since {@link #start}, or
     * -1 when no matching process was seen.
     */
    long stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        window.observe(snapshot());
        return window.processes() == 0 ? -1 : window.ticks() * 1000 / TICKS_PER_SECOND;
    }

    /** Utime plus stime in ticks of every matching process now. */
    Map<Key, Long> snapshot() {
        Map<Key, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> pids =
                Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path dir : pids) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    Key key = new Key(Long.parseLong(dir.getFileName().toString()), Long.parseLong(f[19]));
                    if (matches.test(comm, "")
                            || byCmdline.computeIfAbsent(key, k -> matches.test(comm, cmdline(dir)))) {
                        ticks.put(key, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    private static String cmdline(Path dir) {
        try {
            return new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /**
     * The arithmetic of a window: per process, the first reading (0 for a process not there at the
     * start) and the last; the total is the sum of their differences.
     */
    static final class Window {
        private final Map<Key, Long> first = new HashMap<>();
        private final Map<Key, Long> last = new HashMap<>();

        synchronized void begin(Map<Key, Long> snapshot) {
            first.clear();
            last.clear();
            first.putAll(snapshot);
            last.putAll(snapshot);
        }

        synchronized void observe(Map<Key, Long> snapshot) {
            snapshot.forEach((key, ticks) -> {
                first.putIfAbsent(key, 0L);
                last.put(key, ticks);
            });
        }

        /** The ticks of every process seen, each its last reading less its first. */
        synchronized long ticks() {
            long sum = 0;
            for (Map.Entry<Key, Long> e : last.entrySet()) {
                sum += Math.max(0, e.getValue() - first.getOrDefault(e.getKey(), 0L));
            }
            return sum;
        }

        synchronized int processes() {
            return last.size();
        }
    }
}
