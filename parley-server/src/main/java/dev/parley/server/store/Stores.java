package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Opens the {@link Store} that a database URL selects. */
public final class Stores {
    private Stores() {}

    /**
     * Opens and migrates a store: the embedded {@link SqliteStore} in {@code dataDir} when
     * {@code databaseUrl} is null or blank, a {@link PostgresStore} when it is a PostgreSQL URL
     * ({@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://}).
     *
     * @param dataDir the folder of the embedded database; not used by PostgreSQL
     * @throws IllegalArgumentException when the URL names no supported database; the message names the
     *     URL with its password hidden
     * @throws StoreException when the database cannot be opened or migrated
     */
    public static Store open(@Nullable String databaseUrl, Path dataDir) {
        return open(databaseUrl, dataDir, false);
    }

    /**
     * As {@link #open(String, Path)}; {@code shared} true opens a PostgreSQL store for a node of a cluster,
     * whose writes take the channels' locks and whose memory the other nodes' writes drop ({@link
     * Store#caches()}).
     */
    public static Store open(@Nullable String databaseUrl, Path dataDir, boolean shared) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return new SqliteStore(requireNonNull(dataDir, "dataDir"));
        }
        if (PostgresUrl.matches(databaseUrl)) {
            return new PostgresStore(databaseUrl, shared);
        }
        throw new IllegalArgumentException(
                "database url: '" + PostgresUrl.redact(databaseUrl)
                        + "' (expected: empty for the embedded SQLite store, or postgresql://user:password@host:port/database)");
    }
}
