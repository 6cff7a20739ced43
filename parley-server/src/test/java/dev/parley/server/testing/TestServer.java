package dev.parley.server.testing;

import dev.parley.protocol.Jwt;
import dev.parley.server.app.ParleyServer;
import dev.parley.server.config.ServerConfig;
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
     * build runs every test class once more that way (the {@code on-postgresql} execution of
     * parley-server/pom.xml), but those of {@link #STORE_TESTS}.
     */
    public static final String STORE = System.getProperty("parley.test.store", "embedded");

    /**
     * The package of the store's own tests, which pick their backend themselves, so the PostgreSQL run of
     * the build skips it. No test there may start a server: it would run on the embedded store only.
     */
    public static final String STORE_TESTS = "dev.parley.server.store";

    private static final String POSTGRES =
            System.getenv().getOrDefault("PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");

    /** A started server, its data folder, and its PostgreSQL schema (null on the embedded store). */
    private record Running(ParleyServer server, Path dataDir, ServerConfig config, String schema) {}

    private volatile Running running;
    private volatile boolean closed;

    /** A server not started yet; {@link #startNow} starts it. */
    TestServer() {
        refuseStoreTests();
    }

    private TestServer(Running running) {
        this.running = running;
    }

    /**
     * Fails when a class of {@link #STORE_TESTS} is creating this server: the static initializer that
     * registers a {@link ServerExtension}, or a test calling {@link #start}, is then on the stack.
     */
    private static void refuseStoreTests() {
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> c.getPackageName().equals(STORE_TESTS)
                                || c.getPackageName().startsWith(STORE_TESTS + "."))
                        .findFirst())
                .ifPresent(c -> {
                    throw new IllegalStateException(c.getName() + " starts a server, but the tests of " + STORE_TESTS
                            + " do not run on PostgreSQL (they pick their store themselves): move it to the package "
                            + "of the feature it tests");
                });
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
        refuseStoreTests();
        return new TestServer(run(clock, customizer));
    }

    /**
     * Starts a server on the data of {@code previous}, as a restart would: its data folder, and on
     * PostgreSQL its schema. Stop {@code previous} first ({@code previous.server().close()}); the data
     * stays {@code previous}'s, deleted when it closes.
     */
    public static TestServer restartOnDataOf(TestServer previous, Consumer<ServerConfig.Builder> customizer) {
        return restartOnDataOf(previous, java.time.Clock.systemUTC(), customizer);
    }

    /** As {@link #restartOnDataOf(TestServer, Consumer)}, with a node that reads {@code clock}. */
    public static TestServer restartOnDataOf(
            TestServer previous, java.time.Clock clock, Consumer<ServerConfig.Builder> customizer) {
        refuseStoreTests();
        ServerConfig data = previous.config();
        return new TestServer(run(clock, b -> {
            b.dataDir(data.dataDir()).databaseUrl(data.databaseUrl());
            customizer.accept(b);
        }));
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
            schema = "parley_it_"
                    + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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

    /** The PostgreSQL URL of this server's schema, or null on the embedded store. */
    public String databaseUrl() {
        return config().databaseUrl();
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
