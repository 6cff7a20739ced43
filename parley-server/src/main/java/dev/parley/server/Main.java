package dev.parley.server;

import dev.parley.protocol.Jwt;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The command line: {@code serve} runs the server in the foreground; {@code token} prints a user token. */
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
                default -> {
                    System.err.println("parley: unknown command '" + command + "' (expected: serve or token)");
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: closing sockets with 1012 so that clients reconnect");
            server.close();
            log.info("stopped");
            stopped.countDown();
        }, "parley-shutdown"));
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
        String store = server.node().store().kind() + " at " + server.node().store().location();
        log.info("Parley listening on port {} ({}), store: {}", server.port(), server.epoll() ? "epoll" : "nio", store);
        PrintStream out = System.out;
        String token = Jwt.userToken(c.apiSecret(), "alice", null, Instant.now());
        out.println();
        out.println("  Parley is ready at " + base + "   (REST and WebSocket " + base.replace("http", "ws") + "/connect)");
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
            throw new ConfigLoader.ConfigException("token needs --user ID (usage: parley token --user ID [--expires 1h])");
        }
        ServerConfig c = resolveCredentials(ConfigLoader.load(serverArgs.toArray(String[]::new), System::getenv));
        Instant now = Instant.now();
        System.out.println(Jwt.userToken(c.apiSecret(), user, expires == null ? null : now.plus(expires), now));
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
            throw new ConfigLoader.ConfigException("give both --api-key and --api-secret (PARLEY_API_KEY, PARLEY_API_SECRET),"
                    + " or neither to use the pair generated in the data dir");
        }
        return b.build();
    }
}
