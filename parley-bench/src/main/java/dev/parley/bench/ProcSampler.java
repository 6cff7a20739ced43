package dev.parley.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory of one process, from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status};
 * CPU time of its threads by group, from {@code /proc/<pid>/task/<tid>/stat}.
 */
record ProcSampler(long pid) {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64

    /** The thread groups of {@link #cpuByGroup}, in display order; threads of the Go peer are all "other". */
    static final List<String> GROUPS =
            List.of("JIT", "event loops", "virtual-thread carriers", "store writers", "webhooks", "GC", "other");

    /** One thread at one instant: its name (at most 15 characters, as Linux keeps it) and its CPU time. */
    record ThreadTime(String name, long cpuMillis) {}

    /** User plus system CPU time in milliseconds, or -1 when the process is gone. */
    long cpuMillis() {
        try {
            return cpuMillis(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Utime plus stime of a {@code stat} line (fields 14 and 15), in milliseconds. */
    private static long cpuMillis(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
    }

    /** Every thread of the process now, by thread id; empty when the process is gone. */
    Map<Long, ThreadTime> threads() {
        Map<Long, ThreadTime> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    threads.put(Long.parseLong(task.getFileName().toString()), new ThreadTime(name, cpuMillis(stat)));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return threads;
    }

    /**
     * The CPU milliseconds each group of threads used from {@code before} to {@code after}, every group of
     * {@link #GROUPS} present. A thread only in {@code after} counts from 0; one only in {@code before}
     * (ended) is left out, as is its time.
     */
    static Map<String, Long> cpuByGroup(Map<Long, ThreadTime> before, Map<Long, ThreadTime> after) {
        Map<String, Long> groups = new LinkedHashMap<>();
        GROUPS.forEach(g -> groups.put(g, 0L));
        after.forEach((tid, t) -> {
            ThreadTime b = before.get(tid);
            // a thread id reused by a newer thread shows less time than before: that thread counts from 0
            long from = b == null || b.cpuMillis() > t.cpuMillis() ? 0 : b.cpuMillis();
            groups.merge(group(t.name()), t.cpuMillis() - from, Long::sum);
        });
        return groups;
    }

    /** The group of a thread by its (truncated) name: HotSpot's and Netty's defaults, and Parley's writers. */
    static String group(String name) {
        if (name.contains("Compiler")) {
            return "JIT"; // C1 CompilerThre, C2 CompilerThre
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "GC";
        }
        if (name.startsWith("multiThreadIoEv") || name.contains("EventLoop")) {
            return "event loops";
        }
        if (name.startsWith("ForkJoinPool")) {
            return "virtual-thread carriers";
        }
        if (name.startsWith("parley-store") || name.startsWith("parley-messag")) {
            return "store writers";
        }
        if (name.startsWith("parley-webhook") || name.startsWith("parley-hook") || name.startsWith("HttpClient-")) {
            return "webhooks"; // the outbox's loop and writer, the HTTP client's selector (virtual threads: carriers)
        }
        return "other";
    }

    /** Resident set size in KiB, or -1 when the process is gone. */
    long rssKib() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            for (String l : lines) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
