package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The {@link Store} on PostgreSQL, for deployments that outgrow one file or run several nodes.
 *
 * <p>One HikariCP pool serves reads and writes; PostgreSQL runs concurrent write transactions, and
 * {@link #apply} takes its row locks in id order so that concurrent batches do not deadlock. Custom data
 * is kept as {@code jsonb}, which does not keep the order of keys: a user reads back equal, but its custom
 * keys may come back in another order. The constructor migrates the schema (creating the schema named by
 * the URL's {@code schema} parameter if missing). Thread-safe.
 */
public final class PostgresStore extends JdbcStore {

    private final PostgresUrl url;

    /**
     * Connects to the database of {@code databaseUrl} and migrates it.
     *
     * @param databaseUrl {@code postgresql://user:pass@host:port/db?schema=x}, {@code postgres://...} or
     *     {@code jdbc:postgresql://...}
     * @throws IllegalArgumentException when the URL cannot be used, naming it without its password
     * @throws StoreException when the database cannot be reached or migrated
     */
    public PostgresStore(String databaseUrl) {
        this(databaseUrl, false);
    }

    /**
     * As {@link #PostgresStore(String)}; {@code shared} true for a node of a cluster, whose database other
     * nodes write too: channel writes take the channel's transaction lock, and what the store keeps in
     * memory is dropped on the other nodes' messages ({@link #caches()}).
     */
    public PostgresStore(String databaseUrl, boolean shared) {
        this(PostgresUrl.parse(requireNonNull(databaseUrl, "databaseUrl")), shared);
    }

    private PostgresStore(PostgresUrl url, boolean shared) {
        this(url, pool(url), shared);
    }

    private PostgresStore(PostgresUrl url, HikariDataSource pool, boolean shared) {
        super(new PostgresDialect(), pool, pool, shared);
        this.url = url;
        try {
            Migrations.migrate(pool, "postgresql", url.schema());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariDataSource pool(PostgresUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("parley-postgresql");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(url.poolSize());
        config.setMinimumIdle(1);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("postgresql: cannot connect to " + url.location() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String kind() {
        return "postgresql";
    }

    @Override
    public String location() {
        return url.location();
    }
}
