package dev.parley.bench;

import dev.parley.bench.load.Dialect;
import dev.parley.bench.load.Generator;
import dev.parley.bench.load.Plan;
import dev.parley.bench.load.Workload;
import dev.parley.bench.load.WorkerTask;
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

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Dialect dialect = a.get("target").equals("centrifuge") ? new Dialect.Centrifuge() : new Dialect.Stream(a.get("apiKey"));
        Plan plan = new Plan(Workload.parse(a.get("workload")), a.get("prefix"), Integer.parseInt(a.get("from")),
                Integer.parseInt(a.get("to")), Integer.parseInt(a.get("rate")), Integer.parseInt(a.get("inflight")),
                Integer.parseInt(a.get("groupSize")), Double.parseDouble(a.get("slow")), Integer.parseInt(a.get("seconds")),
                Integer.parseInt(a.get("flood")), Integer.parseInt(a.get("warmup")),
                Boolean.parseBoolean(a.get("watch")));
        List<String> sources = Arrays.asList(a.get("sources").split(","));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Generator gen = new Generator(dialect, a.get("host"), Integer.parseInt(a.get("port")), sources,
                a.get("apiKey"), Integer.parseInt(a.get("heartbeat")), 1, c -> plan.slow(index(c.userId())));
                WorkerTask task = new WorkerTask(gen, plan, a.get("secret"))) {
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
