package dev.parley.server.app;

import dev.parley.server.config.ServerConfig;
import dev.parley.server.usage.ConnectionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link ServerConfig} from command-line flags and {@code PARLEY_*} environment variables; a
 * flag wins over its variable. Every bad value is refused with a message that names the flag.
 */
public final class ConfigLoader {

    /** One option: its flag, its variable, whether it takes a value, and its help text. */
    record Option(String flag, @Nullable String env, boolean takesValue, String help) {}

    static final List<Option> OPTIONS = List.of(
            new Option("--port", "PARLEY_PORT", true, "TCP port to listen on (default 8080; never 3030)"),
            new Option("--host", "PARLEY_HOST", true, "address to bind (default 0.0.0.0)"),
            new Option(
                    "--api-key",
                    "PARLEY_API_KEY",
                    true,
                    "the app's API key; with neither key nor secret, the first start generates both"),
            new Option("--api-secret", "PARLEY_API_SECRET", true, "the app's API secret, at least 32 bytes"),
            new Option(
                    "--data-dir",
                    "PARLEY_DATA_DIR",
                    true,
                    "folder of the embedded database and generated credentials (default ./parley-data)"),
            new Option(
                    "--database-url",
                    "PARLEY_DATABASE_URL",
                    true,
                    "postgresql://user:pass@host:5432/db selects PostgreSQL; absent means embedded SQLite"),
            new Option(
                    "--disable-auth-checks",
                    "PARLEY_DISABLE_AUTH_CHECKS",
                    false,
                    "accept development tokens and skip signature checks (never in production)"),
            new Option(
                    "--idle-timeout",
                    "PARLEY_IDLE_TIMEOUT",
                    true,
                    "close sockets silent for this long, e.g. 90s (default 90s)"),
            new Option(
                    "--max-connections-per-user",
                    "PARLEY_MAX_CONNECTIONS_PER_USER",
                    true,
                    "most open sockets per user, 0 for no limit (default 0; PATCH /app max_connections_per_user wins)"),
            new Option(
                    "--connection-policy",
                    "PARLEY_CONNECTION_POLICY",
                    true,
                    "past the limit: warn, reject_new or close_oldest (default warn; PATCH /app connection_policy wins)"),
            new Option(
                    "--disable-metrics",
                    "PARLEY_DISABLE_METRICS",
                    false,
                    "do not serve the Prometheus /metrics endpoint (it needs no API key)"),
            new Option(
                    "--upload-stall-timeout",
                    "PARLEY_UPLOAD_STALL_TIMEOUT",
                    true,
                    "answer 408 and close an upload whose body sends nothing for this long, e.g. 30s (default 30s)"),
            new Option(
                    "--disable-rate-limits",
                    "PARLEY_DISABLE_RATE_LIMITS",
                    false,
                    "do not limit REST calls and connects per user and endpoint (429 code 9 otherwise)"),
            new Option(
                    "--rate-limit-scale",
                    "PARLEY_RATE_LIMIT_SCALE",
                    true,
                    "factor on every per-user and per-endpoint limit, e.g. 10 (default 1: Stream's defaults)"),
            new Option(
                    "--rate-limit-per-user",
                    "PARLEY_RATE_LIMIT_PER_USER",
                    true,
                    "calls a minute per user, endpoint and platform, before scaling (default 60)"),
            new Option(
                    "--rate-limit-max-keys",
                    "PARLEY_RATE_LIMIT_MAX_KEYS",
                    true,
                    "most rate-limit counters kept in memory; past it the oldest goes (default 100000)"),
            new Option(
                    "--max-ws-frames-per-minute",
                    "PARLEY_MAX_WS_FRAMES_PER_MINUTE",
                    true,
                    "frames one socket may send a minute, then it is closed with 1008; 0 for no limit (default 600)"),
            new Option(
                    "--max-admin-secret-tries",
                    "PARLEY_MAX_ADMIN_SECRET_TRIES",
                    true,
                    "API secret tries per address a minute, then 429 code 9; 0 for no limit (default 10)"),
            new Option(
                    "--app-rate-limits",
                    "PARLEY_APP_RATE_LIMITS",
                    false,
                    "also apply the app-wide quotas per endpoint and platform (Stream's table; default off)"),
            new Option(
                    "--request-head-timeout",
                    "PARLEY_REQUEST_HEAD_TIMEOUT",
                    true,
                    "time to send a complete request head, from connecting or from its first byte (default 10s)"),
            new Option(
                    "--request-body-timeout",
                    "PARLEY_REQUEST_BODY_TIMEOUT",
                    true,
                    "time to send a complete request body, extended by --request-body-min-rate (default 30s)"),
            new Option(
                    "--request-body-min-rate",
                    "PARLEY_REQUEST_BODY_MIN_RATE",
                    true,
                    "bytes/s at which a body may take longer than --request-body-timeout, 0 for never (default 16384)"),
            new Option(
                    "--keep-alive-timeout",
                    "PARLEY_KEEP_ALIVE_TIMEOUT",
                    true,
                    "close kept-alive HTTP connections idle for this long (default 60s)"),
            new Option(
                    "--max-connections-per-address",
                    "PARLEY_MAX_CONNECTIONS_PER_ADDRESS",
                    true,
                    "most open connections from one source address, 0 for no limit (default 1000)"),
            new Option(
                    "--redis-url",
                    "PARLEY_REDIS_URL",
                    true,
                    "redis://host:6379 joins the cluster of the nodes with the same database and Redis (needs --database-url)"),
            new Option(
                    "--node-id", "PARLEY_NODE_ID", true, "this node's name in a cluster (default: host name and port)"),
            new Option(
                    "--drain-window",
                    "PARLEY_DRAIN_WINDOW",
                    true,
                    "on stop, close sockets (1012) spread over this long, e.g. 10s (default 0s; 10s with --redis-url)"),
            new Option(
                    "--webhook-timeout",
                    "PARLEY_WEBHOOK_TIMEOUT",
                    true,
                    "limit of one webhook request, at most 1m (default 6s)"),
            new Option(
                    "--webhook-max-attempts",
                    "PARLEY_WEBHOOK_MAX_ATTEMPTS",
                    true,
                    "attempts of one webhook event before it becomes a dead letter, 1 to 100 (default 8)"),
            new Option(
                    "--webhook-retry-base",
                    "PARLEY_WEBHOOK_RETRY_BASE",
                    true,
                    "wait after a webhook's first failure, doubled after each further one up to 5m (default 1s)"),
            new Option(
                    "--push-ca-file",
                    "PARLEY_PUSH_CA_FILE",
                    true,
                    "PEM certificates trusted for push endpoints besides the JDK's, e.g. a private stand-in"),
            new Option(
                    "--link-preview-private-hosts",
                    "PARLEY_LINK_PREVIEW_PRIVATE_HOSTS",
                    false,
                    "let link previews fetch loopback and private addresses (tests only; default off)"),
            new Option("--help", null, false, "print this help"));

    /** Thrown for a bad flag or value; the message names it. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigException(@Nullable String message) {
            super(message);
        }
    }

    private ConfigLoader() {}

    /** The raw values given, by flag name, after merging variables and flags. */
    static Map<String, String> values(String[] args, Function<String, String> env) {
        Map<String, String> v = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            if (o.env() != null) {
                String e = env.apply(o.env());
                if (e != null && !e.isEmpty()) {
                    v.put(o.flag(), e);
                }
            }
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Option o = find(name);
            if (o.takesValue() && value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException(name + " needs a value");
                }
                value = args[++i];
            } else if (!o.takesValue()) {
                value = value == null ? "true" : value;
            }
            v.put(o.flag(), value);
        }
        return v;
    }

    /** Whether {@code --help} was asked for. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds the config. Key and secret may still be missing here: {@link Credentials} fills them.
     *
     * @throws ConfigException naming the bad flag
     */
    public static ServerConfig.Builder load(String[] args, Function<String, String> env) {
        Map<String, String> v = values(args, env);
        ServerConfig.Builder b = ServerConfig.builder();
        if (v.containsKey("--port")) {
            b.port(port(v.get("--port")));
        }
        if (v.containsKey("--host")) {
            b.host(v.get("--host"));
        }
        b.apiKey(v.get("--api-key"));
        b.apiSecret(v.get("--api-secret"));
        if (v.containsKey("--data-dir")) {
            b.dataDir(Path.of(v.get("--data-dir")));
        }
        String db = v.get("--database-url");
        if (db != null
                && !db.startsWith("postgresql://")
                && !db.startsWith("postgres://")
                && !db.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("--database-url: '" + db.replaceAll("//[^@/]*@", "//***@")
                    + "' (expected: postgresql://user:password@host:port/database)");
        }
        b.databaseUrl(db);
        if (v.containsKey("--disable-auth-checks")) {
            b.disableAuthChecks(bool(v.get("--disable-auth-checks"), "--disable-auth-checks"));
        }
        if (v.containsKey("--idle-timeout")) {
            b.idleTimeout(duration(v.get("--idle-timeout"), "--idle-timeout"));
        }
        if (v.containsKey("--max-connections-per-user")) {
            b.maxConnectionsPerUser(nonNegative(v.get("--max-connections-per-user"), "--max-connections-per-user"));
        }
        if (v.containsKey("--connection-policy")) {
            try {
                b.connectionPolicy(
                        ConnectionPolicy.Mode.parse(v.get("--connection-policy").trim(), "--connection-policy"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
        if (v.containsKey("--disable-metrics")) {
            b.metricsEnabled(!bool(v.get("--disable-metrics"), "--disable-metrics"));
        }
        if (v.containsKey("--upload-stall-timeout")) {
            b.uploadStallTimeout(duration(v.get("--upload-stall-timeout"), "--upload-stall-timeout"));
        }
        if (v.containsKey("--disable-rate-limits")) {
            b.rateLimitsEnabled(!bool(v.get("--disable-rate-limits"), "--disable-rate-limits"));
        }
        if (v.containsKey("--rate-limit-scale")) {
            b.rateLimitScale(scale(v.get("--rate-limit-scale"), "--rate-limit-scale"));
        }
        if (v.containsKey("--rate-limit-per-user")) {
            b.rateLimitPerUser(atLeast(v.get("--rate-limit-per-user"), "--rate-limit-per-user", 1));
        }
        if (v.containsKey("--rate-limit-max-keys")) {
            b.rateLimitMaxKeys(atLeast(v.get("--rate-limit-max-keys"), "--rate-limit-max-keys", 1024));
        }
        if (v.containsKey("--max-ws-frames-per-minute")) {
            b.maxWsFramesPerMinute(nonNegative(v.get("--max-ws-frames-per-minute"), "--max-ws-frames-per-minute"));
        }
        if (v.containsKey("--max-admin-secret-tries")) {
            b.maxAdminSecretTries(nonNegative(v.get("--max-admin-secret-tries"), "--max-admin-secret-tries"));
        }
        if (v.containsKey("--app-rate-limits")) {
            b.appRateLimitsEnabled(bool(v.get("--app-rate-limits"), "--app-rate-limits"));
        }
        if (v.containsKey("--request-head-timeout")) {
            b.requestHeadTimeout(duration(v.get("--request-head-timeout"), "--request-head-timeout"));
        }
        if (v.containsKey("--request-body-timeout")) {
            b.requestBodyTimeout(duration(v.get("--request-body-timeout"), "--request-body-timeout"));
        }
        if (v.containsKey("--request-body-min-rate")) {
            b.requestBodyMinRate(nonNegative(v.get("--request-body-min-rate"), "--request-body-min-rate"));
        }
        if (v.containsKey("--keep-alive-timeout")) {
            b.keepAliveTimeout(duration(v.get("--keep-alive-timeout"), "--keep-alive-timeout"));
        }
        if (v.containsKey("--max-connections-per-address")) {
            b.maxConnectionsPerAddress(
                    nonNegative(v.get("--max-connections-per-address"), "--max-connections-per-address"));
        }
        String redis = v.get("--redis-url");
        if (redis != null) {
            if (!redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
                throw new ConfigException("--redis-url: '" + redis.replaceAll("//[^@/]*@", "//***@")
                        + "' (expected: redis://host:port or rediss://user:password@host:port)");
            }
            if (db == null) {
                throw new ConfigException("--redis-url needs --database-url: the nodes of a cluster share one"
                        + " PostgreSQL database (the embedded store belongs to one process)");
            }
            b.redisUrl(redis);
            b.drainWindow(Duration.ofSeconds(10));
        }
        if (v.containsKey("--drain-window")) {
            String w = v.get("--drain-window").trim();
            Duration window = w.matches("0+(ms|s|m|h)?") ? Duration.ZERO : duration(w, "--drain-window");
            if (window.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new ConfigException("--drain-window: '" + w + "' (expected: at most 10m)");
            }
            b.drainWindow(window);
        }
        webhookDelivery(v, b);
        String ca = v.get("--push-ca-file");
        if (ca != null) {
            Path file = Path.of(ca);
            if (!Files.isReadable(file)) {
                throw new ConfigException("--push-ca-file: '" + ca + "' is not a readable file");
            }
            b.pushCaFile(file);
        }
        if (v.containsKey("--link-preview-private-hosts")) {
            b.linkPreviewPrivateHosts(bool(v.get("--link-preview-private-hosts"), "--link-preview-private-hosts"));
        }
        String node = v.get("--node-id");
        if (node != null) {
            if (!ServerConfig.NODE_ID.matcher(node).matches()) {
                throw new ConfigException(
                        "--node-id: '" + node + "' (expected: 1 to 64 letters, digits, '.', '_', ':' or '-')");
            }
            b.nodeId(node);
        }
        return b;
    }

    private static void webhookDelivery(Map<String, String> v, ServerConfig.Builder b) {
        ServerConfig.WebhookDelivery d = b.webhookDelivery();
        Duration timeout = v.containsKey("--webhook-timeout")
                ? duration(v.get("--webhook-timeout"), "--webhook-timeout")
                : d.timeout();
        int attempts = v.containsKey("--webhook-max-attempts")
                ? atLeast(v.get("--webhook-max-attempts"), "--webhook-max-attempts", 1)
                : d.maxAttempts();
        Duration base = v.containsKey("--webhook-retry-base")
                ? duration(v.get("--webhook-retry-base"), "--webhook-retry-base")
                : d.retryBase();
        try {
            b.webhookDelivery(new ServerConfig.WebhookDelivery(timeout, attempts, base));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static int nonNegative(String s, String flag) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n < 0) {
                throw new ConfigException(flag + ": " + s + " (expected: >= 0)");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(flag + ": '" + s + "' is not a number");
        }
    }

    private static int atLeast(String s, String flag, int min) {
        int n = nonNegative(s, flag);
        if (n < min) {
            throw new ConfigException(flag + ": " + s + " (expected: >= " + min + ")");
        }
        return n;
    }

    private static double scale(String s, String flag) {
        try {
            double d = Double.parseDouble(s.trim());
            if (!(d > 0 && d <= 1_000_000)) {
                throw new ConfigException(flag + ": " + s + " (expected: > 0 and <= 1000000)");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException(flag + ": '" + s + "' is not a number");
        }
    }

    /** The help text of every flag. */
    public static String help() {
        StringBuilder s =
                new StringBuilder("Usage: parley serve [flags]\n\nFlags (each also read from its variable):\n");
        for (Option o : OPTIONS) {
            String left = o.flag() + (o.takesValue() ? " VALUE" : "");
            s.append(String.format("  %-26s %-28s %s%n", left, o.env() == null ? "" : o.env(), o.help()));
        }
        return s.toString();
    }

    private static Option find(String name) {
        for (Option o : OPTIONS) {
            if (o.flag().equals(name)) {
                return o;
            }
        }
        throw new ConfigException("unknown flag '" + name + "' (see --help)");
    }

    private static int port(String s) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p < 0 || p > 65535) {
                throw new ConfigException("--port: " + s + " (expected: 0..65535)");
            }
            if (p == 3030) {
                throw new ConfigException(
                        "--port: 3030 (the JS SDK would open its WebSocket on 8800; pick another port)");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigException("--port: '" + s + "' is not a number");
        }
    }

    private static boolean bool(String s, String flag) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(flag + ": '" + s + "' (expected: true or false)");
        };
    }

    static Duration duration(String s, String flag) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), flag, s);
            }
            if (t.endsWith("s")) {
                return positive(Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))), flag, s);
            }
            if (t.endsWith("m")) {
                return positive(Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))), flag, s);
            }
            if (t.endsWith("h")) {
                return positive(Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1))), flag, s);
            }
            return positive(Duration.ofSeconds(Long.parseLong(t)), flag, s);
        } catch (NumberFormatException e) {
            throw new ConfigException(flag + ": '" + s + "' (expected: a duration such as 90s, 5m or 1h)");
        }
    }

    private static Duration positive(Duration d, String flag, String s) {
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(flag + ": '" + s + "' (expected: > 0)");
        }
        return d;
    }
}
