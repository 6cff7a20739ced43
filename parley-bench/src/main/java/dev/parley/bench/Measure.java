package dev.parley.bench;

import dev.parley.bench.load.Result;
import dev.parley.bench.load.Workload;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one target did in one run, and the figures derived from it.
 *
 * @param rssEndGcKib W5: the RSS at the end after a full GC; -1 when not taken or not a JVM
 * @param cpuByGroup the server's CPU milliseconds of the measured phase by thread group ({@link
 *     ProcSampler#GROUPS})
 * @param dbCpuMillis with {@code --store postgresql}: the CPU milliseconds of every PostgreSQL process of the
 *     machine over the same phase ({@link ProcessSetSampler#postgres}), whichever client they served, so the
 *     figure holds on a quiet machine only; 0 for a target without a database (the floor, Centrifuge) and
 *     for SQLite runs, whose store works inside the server; -1 when no PostgreSQL process was seen
 */
record Measure(
        Result ready,
        Result total,
        long sent,
        long rss0Kib,
        long rssReadyKib,
        long rssReadyGcKib,
        long heap0Kib,
        long heapReadyKib,
        long rssEndKib,
        long rssEndGcKib,
        long rssMaxKib,
        long cpu0,
        long cpuReady,
        long cpuEnd,
        Map<String, Long> cpuByGroup,
        long dbCpuMillis,
        long runMillis,
        Options o) {

    long connected() {
        return ready.connectsOk();
    }

    /** Deliveries expected: each message times the readers of its channel (slow readers excluded). */
    long expected() {
        long readers = switch (o.workload()) {
            case W3 -> Math.round(connected() * (1 - o.slow()));
            case W4 -> o.groupSize();
            default -> 0;
        };
        return sent * readers;
    }

    /**
     * The figures of this workload, by name, in display order. The names go into the history rows of
     * BENCHMARKS.md: keep them short and stable.
     */
    Map<String, Double> figures() {
        Map<String, Double> f = new LinkedHashMap<>();
        double runS = Math.max(1, total.runMillis()) / 1000.0;
        switch (o.workload()) {
            case W1 -> {
                f.put("users connected", (double) connected());
                f.put("connect failures", (double) ready.connectsFailed());
                f.put("channels watched per user", ready.watched() / (double) Math.max(1, connected()));
                f.put("connects/s (setup)", connected() * 1000.0 / Math.max(1, ready.setupMillis()));
                f.put("connect p99 ms", ready.connectLatency().quantile(0.99) / 1000.0);
                f.put("server RSS MiB (all connected)", rssReadyKib / 1024.0);
                putMemoryPer(f, "user");
                f.put("server CPU ms/s while idle", (cpuEnd - cpuReady) / runS);
                if (onPostgres()) {
                    f.put("PostgreSQL CPU ms/s while idle", dbCpuMillis < 0 ? Double.NaN : dbCpuMillis / runS);
                }
                f.put("heartbeat RTT p99 ms", total.heartbeatRtt().quantile(0.99) / 1000.0);
                f.put("sockets still open at end", (double) total.open());
            }
            case W2 -> {
                f.put("connects answered", (double) total.connectsOk());
                f.put("connect failures", (double) total.connectsFailed());
                f.put("connects/s", total.connectsOk() / runS);
                f.put("connect p50 ms", total.connectLatency().quantile(0.50) / 1000.0);
                f.put("connect p99 ms", total.connectLatency().quantile(0.99) / 1000.0);
                double cpuPerConnect = (cpuEnd - cpuReady) * 1000.0 / Math.max(1, total.connectsOk());
                f.put("server CPU µs per connect", cpuPerConnect);
                putCpuByGroup(f, "server CPU µs per connect", total.connectsOk());
                // the rate one saturated server core would sustain: independent of how fast the generator is
                f.put(
                        "connects/s per server core (1e6 / CPU µs)",
                        cpuPerConnect == 0 ? Double.NaN : 1e6 / cpuPerConnect);
                if (onPostgres()) {
                    double db = dbMicrosPer(total.connectsOk());
                    f.put("PostgreSQL CPU µs per connect", db);
                    f.put(
                            "connects per CPU-second of server plus PostgreSQL (floor, centrifuge: server only)",
                            perCpuSecond(cpuPerConnect + db));
                }
                f.put("server RSS max MiB", rssMaxKib / 1024.0);
            }
            case W5 -> {
                f.put("users connected", (double) connected());
                f.put("slow users (stop reading, flood heartbeats)", (double) total.slowUsers());
                f.put("slow users cut by the server", (double)
                        total.cutLatency().count());
                f.put("time to cut p50 s", total.cutLatency().quantile(0.50) / 1e6);
                f.put("time to cut max s", total.cutLatency().quantile(1.0) / 1e6);
                f.put("others' heartbeat RTT p50 ms", total.heartbeatRtt().quantile(0.50) / 1000.0);
                f.put("others' heartbeat RTT p99 ms", total.heartbeatRtt().quantile(0.99) / 1000.0);
                if (onPostgres()) {
                    f.put("PostgreSQL CPU ms/s", dbCpuMillis < 0 ? Double.NaN : dbCpuMillis / runS);
                }
                f.put("others closed", (double)
                        (total.closedByServer() - total.cutLatency().count()));
                f.put("server RSS MiB before the flood", rssReadyGcKib / 1024.0);
                f.put("server RSS max MiB", rssMaxKib / 1024.0);
                f.put("server RSS at end MiB", rssEndKib / 1024.0);
                f.put("server RSS at end MiB, after full GC", rssEndGcKib < 0 ? Double.NaN : rssEndGcKib / 1024.0);
            }
            case W3, W4 -> {
                f.put("watchers connected", (double) connected());
                f.put("connect failures", (double) ready.connectsFailed());
                f.put("messages sent", (double) sent);
                f.put("deliveries expected", (double) expected());
                f.put("deliveries", (double) total.delivered());
                f.put("deliveries/s", total.delivered() / runS);
                f.put("delivery p50 ms", total.deliveryLatency().quantile(0.50) / 1000.0);
                f.put("delivery p99 ms", total.deliveryLatency().quantile(0.99) / 1000.0);
                f.put("server CPU µs per delivery", (cpuEnd - cpuReady) * 1000.0 / Math.max(1, total.delivered()));
                putCpuByGroup(f, "server CPU µs per delivery", total.delivered());
                if (onPostgres() && o.workload() == Workload.W3) {
                    f.put("PostgreSQL CPU µs per delivery", dbMicrosPer(total.delivered()));
                }
                if (o.workload() == Workload.W4) {
                    // W4's target is persisted messages: what one server core would sustain at this mix
                    double perMessage =
                            (cpuEnd - cpuReady - cpuByGroup.getOrDefault("JIT", 0L)) * 1000.0 / Math.max(1, sent);
                    f.put("server CPU µs per message without JIT", perMessage);
                    f.put("messages/s per server core (1e6 / CPU µs)", perMessage == 0 ? Double.NaN : 1e6 / perMessage);
                    if (onPostgres()) {
                        // the whole cost of a persisted message: Parley and the database it waits on
                        double db = dbMicrosPer(sent);
                        f.put("PostgreSQL CPU µs per message", db);
                        f.put(
                                "messages per CPU-second of server without JIT plus PostgreSQL (floor, centrifuge: "
                                        + "server only)",
                                perCpuSecond(perMessage + db));
                    }
                }
                f.put("server RSS max MiB", rssMaxKib / 1024.0);
                putMemoryPer(f, "watcher");
                if (o.slow() > 0) {
                    f.put("sockets closed by server", (double) total.closedByServer());
                }
            }
        }
        return f;
    }

    /**
     * The server's memory per connected socket: RSS as it is once all are connected, which counts the garbage
     * of the setup and warm-up too as far as the heap grew to hold it; RSS after a full GC; the live heap.
     */
    private void putMemoryPer(Map<String, Double> f, String unit) {
        double n = Math.max(1, connected());
        f.put("server RSS per " + unit + " KiB", (rssReadyKib - rss0Kib) / n);
        f.put(
                "server RSS per " + unit + " KiB, after full GC",
                heap0Kib < 0 ? Double.NaN : (rssReadyGcKib - rss0Kib) / n);
        f.put("live heap per " + unit + " KiB", heap0Kib < 0 ? Double.NaN : (heapReadyKib - heap0Kib) / n);
    }

    /**
     * Whether the run was on {@code --store postgresql}: then every target reports the PostgreSQL figures,
     * 0 for one without a database, so that their rows line up in the table.
     */
    private boolean onPostgres() {
        return o.store().equals("postgresql");
    }

    /** PostgreSQL's CPU microseconds per unit of the measured phase; NaN when not measured. */
    private double dbMicrosPer(long units) {
        return dbCpuMillis < 0 ? Double.NaN : dbCpuMillis * 1000.0 / Math.max(1, units);
    }

    /** Operations per CPU-second at a cost of {@code micros} each; NaN for an unknown or zero cost. */
    private static double perCpuSecond(double micros) {
        return Double.isNaN(micros) || micros <= 0 ? Double.NaN : 1e6 / micros;
    }

    /**
     * The server's CPU time of the measured phase per unit ({@code per}): without the JIT's compiler threads
     * (all threads less them), then by thread group.
     */
    private void putCpuByGroup(Map<String, Double> f, String figure, long per) {
        double n = Math.max(1, per);
        f.put(figure + " without JIT", (cpuEnd - cpuReady - cpuByGroup.getOrDefault("JIT", 0L)) * 1000.0 / n);
        cpuByGroup.forEach((group, ms) -> f.put(figure + ": " + group, ms * 1000.0 / n));
    }

    String line(Workload w) {
        StringBuilder b = new StringBuilder("  ");
        figures()
                .forEach((k, v) -> b.append(k).append('=').append(Report.fmt(v)).append("  "));
        if (!total.closeCodes().isEmpty()) {
            b.append("close codes=").append(total.closeCodes());
        }
        if (!total.errors().isEmpty()) {
            b.append("\n  first errors: ")
                    .append(total.errors().subList(0, Math.min(3, total.errors().size())));
        }
        return b.toString();
    }
}
