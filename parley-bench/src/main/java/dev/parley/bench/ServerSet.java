package dev.parley.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The server side of one run: one target process, or for {@code --nodes N} the N Parley nodes of a cluster
 * and the Redis the bench starts for them. CPU, threads, RSS and heap are the sums over the nodes (thread ids
 * are unique across processes); messages go to the first node, users are spread over all of them.
 */
final class ServerSet implements AutoCloseable {
    final List<TargetProcess> nodes;
    private final @Nullable Process redis;

    private ServerSet(List<TargetProcess> nodes, @Nullable Process redis) {
        this.nodes = List.copyOf(nodes);
        this.redis = redis;
    }

    static ServerSet start(Options o, String target, Path logDir) throws IOException, InterruptedException {
        if (o.nodes() <= 1 || !target.equals("parley")) {
            return new ServerSet(List.of(TargetProcess.start(target, o.pin(), o.store(), logDir)), null);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("parley-bench-redis-");
        Process redis = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve("redis.log").toFile())
                .start();
        List<TargetProcess> nodes = new ArrayList<>();
        try {
            for (int i = 1; i <= o.nodes(); i++) {
                // The first node creates the database; the others wait for it to be listening (started) first.
                nodes.add(TargetProcess.startNode(o.pin(), logDir, "redis://127.0.0.1:" + port, i));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            nodes.forEach(TargetProcess::close);
            redis.destroy();
            throw e;
        }
        return new ServerSet(nodes, redis);
    }

    /** The port messages are sent to: the first node's. */
    int port() {
        return nodes.getFirst().port;
    }

    /** The port of worker {@code index}'s users: the workers are spread over the nodes in turn. */
    int portOf(int index) {
        return nodes.get(index % nodes.size()).port;
    }

    long cpuMillis() {
        return nodes.stream().mapToLong(n -> n.sampler.cpuMillis()).sum();
    }

    long rssKib() {
        return nodes.stream().mapToLong(n -> n.sampler.rssKib()).sum();
    }

    Map<Long, ProcSampler.ThreadTime> threads() {
        Map<Long, ProcSampler.ThreadTime> all = new HashMap<>();
        nodes.forEach(n -> all.putAll(n.sampler.threads()));
        return all;
    }

    /** A full GC in every node; the heaps in use after it, summed (-1 when one cannot tell). */
    long collect() {
        long sum = 0;
        for (TargetProcess n : nodes) {
            long h = n.collect();
            if (h < 0) {
                return -1;
            }
            sum += h;
        }
        return sum;
    }

    @Override
    public void close() {
        nodes.forEach(TargetProcess::close);
        if (redis != null) {
            redis.destroy();
            try {
                redis.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
