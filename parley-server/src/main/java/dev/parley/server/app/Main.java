package dev.parley.server.app;

import dev.parley.protocol.Jwt;
import dev.parley.server.cli.ConnectionsCommand;
import dev.parley.server.cli.UserImport;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.migration.AppImport;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code serve} runs the server in the foreground; {@code token} prints a user token;
 * {@code import} upserts users from a file into the store; {@code connections} prints a running server's
 * open connections.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        String command = args.length > 0 && !args[0].startsWith("-") ? args[0] : "serve";
        String[] rest = args.length > 0 && !args[0].startsWith("-") ? Arrays.copyOfRange(args, 1, args.length) : args;
        try {
            switch (command) {
                case "serve" -> serve(rest);
                case "token" -> token(rest);
                case "import" -> System.exit(importUsers(rest, System::getenv, System.out, System.err));
                case "connections" -> System.exit(connections(rest, System::getenv, System.out));
                default -> {
                    System.err.println("parley: unknown command '" + command
                            + "' (expected: serve, token, import or connections)");
                    System.exit(2);
                }
            }
        } catch (ConfigLoader.ConfigException | IllegalArgumentException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void serve(String[] args) {
        if (ConfigLoader.wantsHelp(args)) {
            System.out.print(ConfigLoader.help());
            return;
        }
        ServerConfig.Builder b = ConfigLoader.load(args, System::getenv);
        ServerConfig partial = resolveCredentials(b);
        ParleyServer server;
        try {
            server = ParleyServer.start(partial);
        } catch (RuntimeException e) {
            System.err.println("parley: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("shutting down: closing sockets with 1012 so that clients reconnect");
                            server.close();
                            log.info("stopped");
                            stopped.countDown();
                        },
                        "parley-shutdown"));
        announce(server, partial);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void announce(ParleyServer server, ServerConfig config) {
        ServerConfig c = server.node().config();
        String base = "http://localhost:" + server.port();
        String store =
                server.node().store().kind() + " at " + server.node().store().location();
        log.info("Parley listening on port {} ({}), store: {}", server.port(), server.epoll() ? "epoll" : "nio", store);
        PrintStream out = System.out;
        String token = Jwt.userToken(c.apiSecret(), "alice", null, Instant.now());
        out.println();
        out.println(
                "  Parley is ready at " + base + "   (REST and WebSocket " + base.replace("http", "ws") + "/connect)");
        out.println("  API key:    " + c.apiKey());
        out.println("  API secret: " + c.apiSecret() + "   (keep it on your servers)");
        out.println("  A token for user 'alice': " + token);
        out.println();
        out.println("  import { StreamChat } from 'stream-chat';");
        out.println("  const client = new StreamChat('" + c.apiKey() + "', { baseURL: '" + base + "' });");
        out.println("  const { me } = await client.connectUser({ id: 'alice', name: 'Alice' }, '" + token + "');");
        out.println();
    }

    private static void token(String[] args) {
        System.out.println(token(args, System::getenv, Instant.now()));
    }

    /** The user token {@code parley token} prints. */
    static String token(String[] args, Function<String, String> env, Instant now) {
        List<String> serverArgs = new ArrayList<>();
        String user = null;
        Duration expires = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--user" -> user = value(args, ++i, "--user");
                case "--expires" -> expires = ConfigLoader.duration(value(args, ++i, "--expires"), "--expires");
                default -> serverArgs.add(args[i]);
            }
        }
        if (user == null) {
            throw new ConfigLoader.ConfigException(
                    "token needs --user ID (usage: parley token --user ID [--expires 1h])");
        }
        ServerConfig c = resolveCredentials(ConfigLoader.load(serverArgs.toArray(String[]::new), env));
        return Jwt.userToken(c.apiSecret(), user, expires == null ? null : now.plus(expires), now);
    }

    /**
     * {@code parley import FILE [--batch N] [--format json|ndjson|csv] [--restart] [--max-rows N]
     * [--mode insert|upsert] [--validate-only]} plus the store flags ({@code --data-dir}, {@code --database-url}).
     * A file of {@code {"type": ..., "item": ...}} records is a whole app (PROTOCOL.md §17, {@link AppImport});
     * any other file holds users ({@link UserImport}).
     *
     * @return the exit code: 0 when every row was imported, 1 when some rows were bad, 2 on a usage error
     */
    static int importUsers(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
        List<String> serverArgs = new ArrayList<>();
        String file = null;
        int batch = UserImport.Options.defaults().batchSize();
        String format = null;
        boolean restart = false;
        long maxRows = 0;
        String mode = null;
        boolean validateOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> batch = integer(value(args, ++i, "--batch"), "--batch");
                case "--mode" -> mode = value(args, ++i, "--mode");
                case "--validate-only" -> validateOnly = true;
                case "--format" -> format = value(args, ++i, "--format");
                case "--restart" -> restart = true;
                case "--max-rows" -> maxRows = integer(value(args, ++i, "--max-rows"), "--max-rows");
                default -> {
                    if (!args[i].startsWith("-") && file == null) {
                        file = args[i];
                    } else {
                        serverArgs.add(args[i]);
                    }
                }
            }
        }
        if (file == null) {
            throw new ConfigLoader.ConfigException(
                    "import needs a file (usage: parley import FILE [--mode upsert|insert] [--validate-only]"
                            + " [--batch 1000] [--restart] [--data-dir DIR | --database-url URL])");
        }
        Path input = Path.of(file);
        if (!Files.isRegularFile(input)) {
            throw new ConfigLoader.ConfigException("import: no file at " + input.toAbsolutePath());
        }
        if (format != null && !List.of("json", "ndjson", "csv").contains(format)) {
            throw new ConfigLoader.ConfigException("--format: '" + format + "' (expected: json, ndjson or csv)");
        }
        if (mode != null && !List.of("insert", "upsert").contains(mode)) {
            throw new ConfigLoader.ConfigException("--mode: '" + mode + "' (expected: insert or upsert)");
        }
        ServerConfig.Builder b = ConfigLoader.load(serverArgs.toArray(String[]::new), env);
        if (format == null && AppImport.isAppFile(input)) {
            return importApp(input, b, mode, batch, restart, validateOnly, maxRows, out, err);
        }
        if (mode != null || validateOnly) {
            throw new ConfigLoader.ConfigException(
                    "--mode and --validate-only are for files of {\"type\", \"item\"} records (PROTOCOL.md §17)");
        }
        UserImport.Options options = new UserImport.Options(batch, format, restart, maxRows);
        long start = System.nanoTime();
        try (Store store = Stores.open(b.databaseUrl(), b.dataDir())) {
            UserImport.Result r = new UserImport(
                            store, java.time.Clock.systemUTC(), out, err, UserImport.stdoutIsTerminal())
                    .run(input, options);
            out.printf(
                    java.util.Locale.ROOT,
                    "import: %,d users imported, %,d bad rows, in %.1f s%s%n",
                    r.imported(),
                    r.bad(),
                    (System.nanoTime() - start) / 1e9,
                    r.complete() ? "" : " (stopped early; run again to resume)");
            return r.bad() > 0 ? 1 : 0;
        }
    }

    private static int importApp(
            Path input,
            ServerConfig.Builder b,
            @org.jspecify.annotations.Nullable String mode,
            int batch,
            boolean restart,
            boolean validateOnly,
            long maxRows,
            PrintStream out,
            PrintStream err) {
        AppImport.Options options = new AppImport.Options(
                "insert".equals(mode) ? AppImport.Mode.INSERT : AppImport.Mode.UPSERT,
                batch,
                restart,
                validateOnly,
                maxRows);
        long start = System.nanoTime();
        try (Store store = Stores.open(b.databaseUrl(), b.dataDir())) {
            AppImport.Result r = new AppImport(store, out, err, UserImport.stdoutIsTerminal()).run(input, options);
            out.printf(
                    java.util.Locale.ROOT,
                    "import: %,d records, %,d rows written, %,d left as stored, %,d bad records, in %.1f s%s%n",
                    r.records(),
                    r.written(),
                    r.skipped(),
                    r.bad(),
                    (System.nanoTime() - start) / 1e9,
                    validateOnly
                            ? " (validate only: nothing written)"
                            : r.complete() ? "" : " (stopped early; run again to resume)");
            return r.bad() > 0 ? 1 : 0;
        }
    }

    /**
     * {@code parley connections [--min N] [--user ID] [--url http://host:port]} plus the server's flags,
     * from which key, secret and port are taken.
     */
    static int connections(String[] args, Function<String, String> env, PrintStream out) {
        List<String> serverArgs = new ArrayList<>();
        Integer min = null;
        String user = null;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--min" -> min = integer(value(args, ++i, "--min"), "--min");
                case "--user" -> user = value(args, ++i, "--user");
                case "--url" -> url = value(args, ++i, "--url");
                default -> serverArgs.add(args[i]);
            }
        }
        ServerConfig c = resolveCredentials(ConfigLoader.load(serverArgs.toArray(String[]::new), env));
        String base = url != null ? url : "http://127.0.0.1:" + c.port();
        return new ConnectionsCommand(base, c.apiKey(), c.apiSecret(), out).run(min, user);
    }

    private static int integer(String v, String flag) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new ConfigLoader.ConfigException(flag + ": " + v + " (expected: >= 1)");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigLoader.ConfigException(flag + ": '" + v + "' is not a number");
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new ConfigLoader.ConfigException(flag + " needs a value");
        }
        return args[i];
    }

    /** Fills key and secret: both given, or neither (then from the data dir, generated on first use). */
    static ServerConfig resolveCredentials(ServerConfig.Builder b) {
        String key = b.apiKey();
        String secret = b.apiSecret();
        if (key == null && secret == null) {
            Credentials.KeyPair kp = Credentials.loadOrGenerate(b.dataDir());
            if (kp.generated()) {
                log.info("generated an API key and secret in {}", b.dataDir().resolve(Credentials.FILE));
            }
            return b.apiKey(kp.apiKey()).apiSecret(kp.apiSecret()).build();
        }
        if (key == null || secret == null) {
            throw new ConfigLoader.ConfigException(
                    "give both --api-key and --api-secret (PARLEY_API_KEY, PARLEY_API_SECRET),"
                            + " or neither to use the pair generated in the data dir");
        }
        return b.build();
    }
}
