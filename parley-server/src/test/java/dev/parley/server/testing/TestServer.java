package dev.parley.server.testing;

import dev.parley.protocol.Jwt;
import dev.parley.server.ParleyServer;
import dev.parley.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real Parley server on a free port with the embedded store in a temporary folder, for integration
 * tests. Close it to stop the server and delete its data. A test class that shares one server among
 * its tests registers a {@link ServerExtension} instead of starting and closing one by hand.
 */
public class TestServer implements AutoCloseable {
    public static final String API_KEY = "parley-test-key";
    public static final String API_SECRET = "parley-test-secret-0123456789abcdef0123456789";

    /**
     * Which store servers of this test run use: {@code embedded} (SQLite in a temporary folder, the
     * default) or {@code postgresql} (system property {@code parley.test.store}): then each server gets a
     * fresh schema in the {@code test} database at 127.0.0.1:5432, dropped when the server closes. The
     * build runs the integration tests of the chat features once more that way.
     */
    public static final String STORE = System.getProperty("parley.test.store", "embedded");

    private static final String POSTGRES = System.getenv().getOrDefault(
            "PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");

    /** A started server, its data folder, and its PostgreSQL schema (null on the embedded store). */
    private record Running(ParleyServer server, Path dataDir, ServerConfig config, String schema) {}

    private volatile Running running;
    private volatile boolean closed;

    /** A server not started yet; {@link #startNow} starts it. */
    TestServer() {}

    private TestServer(Running running) {
        this.running = running;
    }

    /** Starts a server with the test defaults. */
    public static TestServer start() {
        return start(b -> {});
    }

    /** Starts a server with the test defaults, changed by {@code customizer}. */
    public static TestServer start(Consumer<ServerConfig.Builder> customizer) {
        return start(java.time.Clock.systemUTC(), customizer);
    }

    /** Starts a server whose node reads {@code clock}, with the test defaults changed by {@code customizer}. */
    public static TestServer start(java.time.Clock clock, Consumer<ServerConfig.Builder> customizer) {
        return new TestServer(run(clock, customizer));
    }

    /** Starts this server, which must not have been started before. */
    final void startNow(java.time.Clock clock, Consumer<ServerConfig.Builder> customizer) {
        if (running != null) {
            throw new IllegalStateException("already started");
        }
        running = run(clock, customizer);
    }

    private static Running run(java.time.Clock clock, Consumer<ServerConfig.Builder> customizer) {
        Path dir;
        try {
            dir = Files.createTempDirectory("parley-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerConfig.Builder b = ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(API_KEY)
                .apiSecret(API_SECRET)
                .dataDir(dir)
                // Off unless a test asks for them: most tests drive one user through more calls a minute
                // than a real client makes, to test something else.
                .rateLimitsEnabled(false)
                .maxWsFramesPerMinute(0);
        String schema = null;
        if ("postgresql".equals(STORE)) {
            schema = "parley_it_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            b.databaseUrl(postgresUrl(schema));
        }
        customizer.accept(b);
        ServerConfig config = b.build();
        return new Running(ParleyServer.start(config, clock), dir, config, schema);
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("server not started (expected: a started TestServer, or a "
                    + "ServerExtension registered with @RegisterExtension on a static field)");
        }
        return r;
    }

    public ParleyServer server() {
        return running().server();
    }

    public ServerConfig config() {
        return running().config();
    }

    public int port() {
        return server().port();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** {@code ws://127.0.0.1:<port>} */
    public String wsUrl() {
        return "ws://127.0.0.1:" + port();
    }

    public String apiKey() {
        return config().apiKey();
    }

    public String apiSecret() {
        return config().apiSecret();
    }

    /** A user token without expiry. */
    public String userToken(String userId) {
        return Jwt.userToken(apiSecret(), userId, null, null);
    }

    public String userToken(String userId, Instant expiresAt) {
        return Jwt.userToken(apiSecret(), userId, expiresAt, null);
    }

    public String serverToken() {
        return Jwt.serverToken(apiSecret());
    }

    @Override
    public void close() {
        Running r = running;
        if (r == null || closed) {
            return;
        }
        closed = true;
        r.server().close();
        if (r.schema() != null) {
            dropSchema(r.schema());
        }
        try (Stream<Path> files = Files.walk(r.dataDir())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    /** The URL of the test database with {@code schema} as the server's schema (created at start). */
    public static String postgresUrl(String schema) {
        return POSTGRES + "?schema=" + schema;
    }

    /** Drops {@code schema} of the test database with all it holds. */
    public static void dropSchema(String schema) {
        String jdbc = "jdbc:" + POSTGRES.replaceFirst("^postgresql://[^@]*@", "postgresql://");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc, "postgres", "");
                java.sql.Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
