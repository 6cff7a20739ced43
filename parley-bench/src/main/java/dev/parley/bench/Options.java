package dev.parley.bench;

import dev.parley.bench.load.Workload;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code ./parley bench}, with defaults that keep a run short. */
record Options(
        Workload workload,
        List<String> targets,
        int users,
        int rate,
        int seconds,
        double msgRate,
        int groupSize,
        double slow,
        int heartbeat,
        int inflight,
        int flood,
        int warmup,
        boolean watch,
        boolean pin,
        boolean history,
        String store,
        int nodes,
        boolean webhook) {

    static final String HELP = """
            Usage: ./parley bench <w1|w2|w3|w4|w5> [options]      ./parley bench jmh [JMH options]
                   ./parley bench import [options]   (throughput of ./parley import: ./parley bench import --help)

              --targets LIST   parley,floor,centrifuge (default: all three)
              --users N        connected users (W1, W3-W5) or new users at most (W2); at most 100000
              --rate R         connects per second (0: as fast as --inflight allows)
              --seconds S      measured phase, 1..600 (W1 hold, W2 storm, W3-W5 messages)
              --msg-rate M     messages per second over all channels (W3-W5), 0.1..1000 (decimals allowed)
              --group-size G   users per channel in W4 (default 10)
              --slow F         share of users that stop reading (W5 default 0.01; W3 with --slow: message variant)
              --flood H        heartbeats a second each slow W5 user sends without reading (default 5000)
              --heartbeat S    seconds between client heartbeats (default 25 as the JS SDK; W5: 1)
              --inflight K     connects in flight per worker (default 1000)
              --warmup S       seconds of warm-up before the server's CPU and memory baseline, for the JIT
                               (0: none). W2: a storm of other new users (default 30); W3, W4: messages at
                               --msg-rate that readers ignore, then 2 s of drain (default 10)
              --no-watch       W1: users watch no channel (default, --watch: each watches a messaging
                               channel of its own, as an idle chat user does)
              --store S        Parley's store: sqlite (default, embedded) or postgresql (a fresh database
                               parley_bench on 127.0.0.1:5432, dropped and created with psql for each run;
                               the CPU of every postgres process is reported beside the server's)
              --nodes N        Parley as a cluster of N nodes (1..5) on PostgreSQL and a Redis the bench starts on
                               a free port; the workers' users are spread over the nodes, messages are sent to
                               the first; CPU and memory are the sums over the nodes (default 1)
              --webhook        Parley with a webhook_url: a receiver in the bench process answers every event
                               200 at once (W3, W4); the run reports the requests it got
              --no-pin         do not pin the server to core 0 and the generator to the others
              --no-history     do not append the run to BENCHMARKS.md
            Every run is bounded: it stops by itself after setup + --seconds + a short drain.
            """;

    static Options parse(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a workload is required\n" + HELP);
        }
        Workload w = Workload.parse(args[0]);
        List<String> targets = List.of("parley", "floor", "centrifuge");
        int users = switch (w) {
            case W1 -> 10_000;
            case W2 -> 1_000_000;
            case W3 -> 5_000;
            case W5 -> 2_000;
            case W4 -> 10_000;
        };
        int rate = w == Workload.W2 ? 8_000 : 2_000;
        int seconds = w == Workload.W5 ? 30 : 10;
        double msgRate = 10;
        int group = 10;
        double slow = w == Workload.W5 ? 0.01 : 0;
        int heartbeat = w == Workload.W5 ? 1 : 25;
        int flood = 5_000;
        int warmup = switch (w) {
            case W2 -> 30;
            case W3, W4 -> 10;
            default -> 0;
        };
        boolean watch = true;
        int inflight = 1000;
        boolean pin = Runtime.getRuntime().availableProcessors() >= 2;
        boolean history = true;
        String store = "sqlite";
        int nodes = 1;
        boolean webhook = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--targets" -> targets = List.of(value(args, ++i, a).split(","));
                case "--users" -> users = range(value(args, ++i, a), a, 1, 1_000_000);
                case "--rate" -> rate = range(value(args, ++i, a), a, 0, 100_000);
                case "--seconds" -> seconds = range(value(args, ++i, a), a, 1, 600);
                case "--msg-rate" -> msgRate = rate(value(args, ++i, a), a);
                case "--group-size" -> group = range(value(args, ++i, a), a, 2, 1000);
                case "--slow" -> slow = Double.parseDouble(value(args, ++i, a));
                case "--heartbeat" -> heartbeat = range(value(args, ++i, a), a, 0, 300);
                case "--inflight" -> inflight = range(value(args, ++i, a), a, 1, 10_000);
                case "--warmup" -> warmup = range(value(args, ++i, a), a, 0, 120);
                case "--flood" -> flood = range(value(args, ++i, a), a, 100, 100_000);
                case "--watch" -> watch = true;
                case "--no-watch" -> watch = false;
                case "--no-pin" -> pin = false;
                case "--no-history" -> history = false;
                case "--store" -> store = value(args, ++i, a);
                case "--nodes" -> nodes = range(value(args, ++i, a), a, 1, 5);
                case "--webhook" -> webhook = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + HELP);
            }
        }
        for (String t : targets) {
            if (!List.of("parley", "floor", "centrifuge").contains(t)) {
                throw new IllegalArgumentException("--targets: " + t + " (expected: parley, floor or centrifuge)");
            }
        }
        if (!List.of("sqlite", "postgresql").contains(store)) {
            throw new IllegalArgumentException("--store: " + store + " (expected: sqlite or postgresql)");
        }
        if (nodes > 1) {
            store = "postgresql"; // the nodes of a cluster share one database
        }
        if (w != Workload.W2 && users > 100_000) {
            throw new IllegalArgumentException("--users: " + users + " (expected: at most 100000 connected users)");
        }
        return new Options(
                w,
                new ArrayList<>(targets),
                users,
                rate,
                seconds,
                msgRate,
                group,
                slow,
                heartbeat,
                inflight,
                flood,
                warmup,
                watch,
                pin,
                history,
                store,
                nodes,
                webhook);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + ": a value is required");
        }
        return args[i];
    }

    /** A message rate: 0.1 to 1,000 a second, decimals allowed (0.5: one message every two seconds). */
    private static double rate(String v, String flag) {
        double r;
        try {
            r = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": " + v + " (expected: a number)");
        }
        if (!(r >= 0.1 && r <= 1000)) {
            throw new IllegalArgumentException(flag + ": " + v + " (expected: 0.1..1000)");
        }
        return r;
    }

    private static int range(String v, String flag, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": " + v + " (expected: a number)");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + ": " + n + " (expected: " + min + ".." + max + ")");
        }
        return n;
    }
}
