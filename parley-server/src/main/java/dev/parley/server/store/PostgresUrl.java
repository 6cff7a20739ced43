package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL database URL split into what the JDBC driver needs, with the password kept apart so that
 * {@link #location()} can be logged.
 *
 * <p>Accepts {@code postgresql://user:pass@host:port/db?schema=x}, the same with {@code postgres://}, and
 * {@code jdbc:postgresql://host:port/db?user=u&password=p&currentSchema=x}. {@code pool_size=N} (1 to
 * {@value #MAX_POOL_SIZE}, default {@value #DEFAULT_POOL_SIZE}) sets how many connections the node keeps; other
 * query parameters (for example {@code sslmode}) are passed to the driver.
 *
 * @param jdbcUrl the driver URL, without user or password
 * @param user the user name, or null for the driver's default
 * @param password the password, or null
 * @param schema the schema to use and migrate, or null for the server's default search path
 * @param poolSize the most connections the node opens to the database
 */
record PostgresUrl(
        String jdbcUrl,
        @Nullable String user,
        @Nullable String password,
        @Nullable String schema,
        int poolSize) {
    static final int DEFAULT_POOL_SIZE = 8;
    static final int MAX_POOL_SIZE = 200;

    private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&]*");

    /** Whether {@code url} names PostgreSQL in one of the accepted forms. */
    static boolean matches(String url) {
        String lower = url.trim().toLowerCase(Locale.ROOT);
        return lower.startsWith("postgresql://")
                || lower.startsWith("postgres://")
                || lower.startsWith("jdbc:postgresql://");
    }

    /**
     * Parses {@code url}.
     *
     * @throws IllegalArgumentException naming the URL, password hidden, when it cannot be used
     */
    static PostgresUrl parse(String url) {
        requireNonNull(url, "url");
        if (!matches(url)) {
            throw invalid(url, "expected: postgresql://user:password@host:port/database");
        }
        String trimmed = url.trim();
        String withoutJdbc = trimmed.regionMatches(true, 0, "jdbc:", 0, 5) ? trimmed.substring(5) : trimmed;
        URI uri;
        try {
            uri = new URI(withoutJdbc);
        } catch (URISyntaxException e) {
            throw invalid(url, "not a valid URL");
        }
        if (uri.getHost() == null) {
            throw invalid(url, "no host");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (database.isEmpty()) {
            throw invalid(url, "no database name");
        }
        Map<String, String> params = queryParams(uri.getRawQuery());
        String[] userInfo = userInfo(uri.getRawUserInfo());
        String user = firstNonNull(userInfo[0], params.remove("user"));
        String password = firstNonNull(userInfo[1], params.remove("password"));
        String schema = firstNonNull(params.remove("schema"), params.remove("currentSchema"));
        if (schema != null && !SCHEMA.matcher(schema).matches()) {
            throw invalid(url, "schema '" + schema + "' is not a plain identifier");
        }
        if (schema != null) {
            params.put("currentSchema", schema);
        }
        int poolSize = DEFAULT_POOL_SIZE;
        String pool = params.remove("pool_size");
        if (pool != null) {
            try {
                poolSize = Integer.parseInt(pool);
            } catch (NumberFormatException e) {
                poolSize = -1;
            }
            if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
                throw invalid(url, "pool_size '" + pool + "' (expected: 1 to " + MAX_POOL_SIZE + ")");
            }
        }
        params.putIfAbsent("reWriteBatchedInserts", "true");
        params.putIfAbsent("ApplicationName", "parley");
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + encode(database) + "?"
                + params.entrySet().stream()
                        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                        .collect(Collectors.joining("&"));
        return new PostgresUrl(jdbc, user, password, schema, poolSize);
    }

    /** The URL with any password replaced by {@code ***}, safe for logs and error messages. */
    static String redact(String url) {
        String s = USER_INFO_PASSWORD.matcher(url).replaceAll("$1***@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
    }

    /** The driver URL and the user, never the password. */
    String location() {
        return user == null ? jdbcUrl : jdbcUrl + " (user " + user + ")";
    }

    @Override
    public String toString() {
        return "PostgresUrl[" + location() + "]";
    }

    private static Map<String, String> queryParams(@Nullable String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            params.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return params;
    }

    private static @Nullable String[] userInfo(@Nullable String raw) {
        if (raw == null || raw.isEmpty()) {
            return new String[] {null, null};
        }
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return new String[] {decode(raw), null};
        }
        return new String[] {decode(raw.substring(0, colon)), decode(raw.substring(colon + 1))};
    }

    private static @Nullable String firstNonNull(@Nullable String a, @Nullable String b) {
        return a != null ? a : b;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("database url: '" + redact(url) + "' (" + why + ")");
    }
}
