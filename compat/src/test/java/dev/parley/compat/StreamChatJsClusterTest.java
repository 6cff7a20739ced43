package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.ServerProcess;
import dev.parley.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's JS SDK against a cluster of real processes: three Parley nodes on one PostgreSQL schema and a Redis
 * of the test's own, behind Debian's nginx with the repository's configuration ({@code deploy/nginx/parley.conf}).
 * The scenarios under {@code compat/js/cluster/} must pass: one kills a node with SIGKILL, one stops Redis for
 * 10 s and starts it again, one restarts every node in turn (SIGTERM, then the same command on the same port).
 * The scenarios ask for the last two through a small HTTP server of this test's own ({@code
 * PARLEY_CONTROL_URL}: {@code POST /redis/stop}, {@code /redis/start}, {@code /nodes/<i>/restart}).
 *
 * <p>Needs {@code node}, {@code nginx} and {@code redis-server}; {@code .ci/run} installs them. Without one of
 * them the test is skipped, never passed. Output: {@code target/js-cluster.log}, nginx's and the nodes' logs
 * under {@code target/cluster/}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamChatJsClusterTest {
    private static final int EXPECTED_SCENARIOS = 6;
    private static final Path MODULE_DIR =
            Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path JS_DIR = MODULE_DIR.resolve("js");
    private static final Path WORK = MODULE_DIR.resolve("target").resolve("cluster");
    private static final Path LOG_FILE = MODULE_DIR.resolve("target").resolve("js-cluster.log");
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    static LocalRedis redis;
    static String schema;
    static final List<ServerProcess> nodes = new ArrayList<>();
    static Process nginx;
    static int port;
    static com.sun.net.httpserver.HttpServer control;
    static final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void startCluster() throws IOException {
        assumeTrue(NodeRunner.onPath("node").isPresent(), "node is not on the PATH: the cluster suite is skipped");
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed: the cluster suite is skipped");
        assumeTrue(NodeRunner.onPath("redis-server").isPresent(), "redis-server is not on the PATH: skipped");
        Files.createDirectories(WORK);
        redis = LocalRedis.start();
        startControl();
        schema = "parley_jscluster_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String db = TestServer.postgresUrl(schema);
        for (int i = 1; i <= 3; i++) {
            Path dir = WORK.resolve("node-" + i);
            nodes.add(ServerProcess.start(
                    dir,
                    db,
                    WORK.resolve("node-" + i + ".log"),
                    "--redis-url",
                    redis.url(),
                    "--node-id",
                    "js-node-" + i,
                    "--drain-window",
                    "0s",
                    "--disable-rate-limits",
                    "--max-connections-per-address",
                    "0"));
        }
        port = freePort();
        String upstreams = nodes.stream()
                .map(n -> "        server 127.0.0.1:" + n.port() + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n"));
        String conf = Files.readString(MODULE_DIR.getParent().resolve("deploy/nginx/parley.conf"))
                .replace("{{LISTEN}}", "127.0.0.1:" + port)
                .replace("{{PREFIX}}", WORK.toString())
                .replace("{{UPSTREAMS}}", upstreams);
        Path confFile = WORK.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        nginx = new ProcessBuilder(
                        NGINX.toString(), "-p", WORK.toString(), "-c", confFile.toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(WORK.resolve("nginx.out").toFile())
                .start();
        await("nginx passes /healthz to a node")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!nginx.isAlive()) {
                        throw new IllegalStateException("nginx exited: " + Files.readString(WORK.resolve("nginx.out")));
                    }
                    return healthzThroughNginx().contains("\"status\":\"ok\"");
                });
    }

    /** The body of {@code /healthz} as nginx answers it; empty when nginx cannot be reached. */
    static String healthzThroughNginx() throws InterruptedException {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base() + "/healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The scenarios' handle on the processes: Redis stopped (as a crash) and started again empty on its port,
     * a node restarted. One request at a time; each answers once done, 200 or 500 with the error.
     */
    static void startControl() throws IOException {
        control = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        control.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int status = 200;
            String body = "ok";
            try {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    status = 405;
                } else if (path.equals("/redis/stop")) {
                    redis.stop();
                } else if (path.equals("/redis/start")) {
                    redis.restart();
                } else if (path.matches("/nodes/[0-2]/restart")) {
                    int i = path.charAt("/nodes/".length()) - '0';
                    synchronized (nodes) {
                        nodes.set(i, nodes.get(i).restart());
                    }
                    restarts.incrementAndGet();
                    throughNginx("js-node-" + (i + 1));
                } else {
                    status = 404;
                }
            } catch (RuntimeException e) {
                status = 500;
                body = e.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        control.start();
    }

    /**
     * Waits until nginx passes requests to the node again (it skips a node for {@code fail_timeout} after a
     * failed attempt), as an operator waits before restarting the next node.
     */
    static void throughNginx(String nodeId) {
        await(nodeId + " answers through nginx")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> healthzThroughNginx().contains("\"node\":\"" + nodeId + "\""));
    }

    static String base() {
        return "http://127.0.0.1:" + port;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (control != null) {
            control.stop(0);
        }
        if (nginx != null) {
            nginx.destroy();
        }
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
        if (schema != null) {
            TestServer.dropSchema(schema);
        }
    }

    @Test
    void everyClusterScenarioPassesThroughNginxAcrossThreeNodes() throws Exception {
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOG_FILE, StandardCharsets.UTF_8), true)) {
            NodeRunner node = new NodeRunner(JS_DIR, "[js-cluster]", log, LOG_FILE);
            node.installIfStale(Duration.ofMinutes(3));
            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_BASE_URL", base());
            env.put("PARLEY_API_KEY", TestServer.API_KEY);
            env.put("PARLEY_API_SECRET", TestServer.API_SECRET);
            env.put(
                    "PARLEY_NODE_URLS",
                    nodes.stream().map(ServerProcess::baseUrl).collect(Collectors.joining(",")));
            env.put("PARLEY_KILL_PID", String.valueOf(nodes.get(2).pid()));
            env.put(
                    "PARLEY_CONTROL_URL",
                    "http://127.0.0.1:" + control.getAddress().getPort());
            NodeRunner.Run run = node.run(
                    List.of("node", "--test", "--test-force-exit", "--test-reporter=spec", "cluster/"),
                    env,
                    Duration.ofMinutes(3));

            assertThat(run.exitCode())
                    .as("exit code of node --test cluster/ (output in %s)", LOG_FILE)
                    .isZero();
            NodeRunner.Summary summary = NodeRunner.Summary.parse(run.lines());
            assertThat(summary.failed()).as("failed scenarios").isZero();
            assertThat(summary.passed()).as("passed scenarios").isGreaterThanOrEqualTo(EXPECTED_SCENARIOS);
            assertThat(restarts.get())
                    .as("node restarts of the rolling restart")
                    .isEqualTo(3);
            assertThat(nodes)
                    .as("every node runs again after the rolling restart")
                    .allMatch(ServerProcess::alive);
        }
    }
}
