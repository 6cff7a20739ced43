package dev.parley.bench;

import dev.parley.bench.load.Dialect;
import dev.parley.bench.load.Generator;
import dev.parley.bench.load.Plan;
import dev.parley.bench.load.WorkerTask;
import dev.parley.bench.load.Workload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A load-generator process started by {@link Bench}. Arguments are {@code key=value}. It prints
 * {@code READY} once its users are connected, runs the measured phase on the line {@code GO} from its
 * standard input, prints {@code RESULT <json>}, and exits after disconnecting. A worker whose coordinator
 * goes away (end of input) exits too: runs never outlive their coordinator.
 */
public final class Worker {
    private Worker() {}

    /** The value of the {@code name=value} argument {@code name}. */
    private static String arg(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing argument: " + name + "=...");
        }
        return v;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Dialect dialect =
                arg(a, "target").equals("centrifuge") ? new Dialect.Centrifuge() : new Dialect.Stream(arg(a, "apiKey"));
        Plan plan = new Plan(
                Workload.parse(arg(a, "workload")),
                arg(a, "prefix"),
                Integer.parseInt(arg(a, "from")),
                Integer.parseInt(arg(a, "to")),
                Integer.parseInt(arg(a, "rate")),
                Integer.parseInt(arg(a, "inflight")),
                Integer.parseInt(arg(a, "groupSize")),
                Double.parseDouble(arg(a, "slow")),
                Integer.parseInt(arg(a, "seconds")),
                Integer.parseInt(arg(a, "flood")),
                Integer.parseInt(arg(a, "warmup")),
                Boolean.parseBoolean(arg(a, "watch")));
        List<String> sources = Arrays.asList(arg(a, "sources").split(","));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Generator gen = new Generator(
                        dialect,
                        arg(a, "host"),
                        Integer.parseInt(arg(a, "port")),
                        sources,
                        arg(a, "apiKey"),
                        Integer.parseInt(arg(a, "heartbeat")),
                        1,
                        c -> plan.slow(index(c.userId())));
                WorkerTask task = new WorkerTask(gen, plan, arg(a, "secret"))) {
            task.setup();
            System.out.println("READY " + task.result().toJson());
            System.out.flush();
            String line = in.readLine();
            if (!"GO".equals(line)) {
                return;
            }
            task.run();
            System.out.println("RESULT " + task.result().toJson());
            System.out.flush();
        }
        System.exit(0);
    }

    private static int index(String userId) {
        return Integer.parseInt(userId.substring(userId.lastIndexOf('-') + 1));
    }
}
