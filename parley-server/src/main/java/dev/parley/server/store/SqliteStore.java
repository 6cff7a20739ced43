package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded default {@link Store}: one SQLite file, {@code <dataDir>/parley.db}, in WAL mode with
 * {@code synchronous=NORMAL}, so that a commit costs no fsync and readers never wait for the writer.
 *
 * <p>SQLite allows one writer at a time. All writes go through a pool of exactly one connection that
 * starts its transactions with {@code BEGIN IMMEDIATE}: writers of this process queue for that connection
 * instead of failing with {@code SQLITE_BUSY}. Reads use a small pool of their own. The constructor
 * creates the folder and the file if needed and migrates the schema. Thread-safe.
 *
 * <p>Checkpoints (copying the WAL back into the database file, with its fsync) run on a thread of their own
 * ({@code parley-sqlite-checkpoint}, a passive checkpoint every {@link #CHECKPOINT_EVERY_MILLIS} ms) rather than
 * in the commit that crosses SQLite's automatic threshold, which would make that commit, and every send waiting
 * for it, tens of milliseconds slower.
 */
public final class SqliteStore extends JdbcStore {
    /** How long a connection waits for a lock held by another process before failing. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private static final int READ_POOL_SIZE = 4;

    /** How often the WAL is checkpointed. */
    static final long CHECKPOINT_EVERY_MILLIS = 1000;

    private final Path file;
    private final HikariDataSource checkpoints;
    private final java.util.concurrent.ScheduledExecutorService checkpointer;

    /**
     * Opens (creating if needed) the database in {@code dataDir} and migrates it.
     *
     * @throws StoreException when the file cannot be opened or migrated
     */
    public SqliteStore(Path dataDir) {
        this(open(requireNonNull(dataDir, "dataDir").resolve("parley.db")));
    }

    private SqliteStore(Opened opened) {
        super(new SqliteDialect(), opened.reads(), opened.writes());
        this.file = opened.file();
        this.checkpoints = opened.reads();
        this.checkpointer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("parley-sqlite-checkpoint")
                .daemon(true)
                .factory());
        var unused = checkpointer.scheduleWithFixedDelay(
                this::checkpoint,
                CHECKPOINT_EVERY_MILLIS,
                CHECKPOINT_EVERY_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private record Opened(Path file, HikariDataSource reads, HikariDataSource writes) {}

    /** Copies what it can of the WAL into the database file without waiting for readers or the writer. */
    private void checkpoint() {
        try (java.sql.Connection c = checkpoints.getConnection();
                java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (java.sql.SQLException | RuntimeException e) {
            // the next round tries again; the WAL only grows meanwhile
            org.slf4j.LoggerFactory.getLogger(SqliteStore.class).debug("checkpoint failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        checkpointer.shutdownNow();
        try {
            checkpointer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.close();
    }

    private static Opened open(Path file) {
        createParent(file);
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        Migrations.migrate(dataSource(url, config(false)), "sqlite", null);
        // The writer never checkpoints: the checkpoint thread does (see the class comment).
        HikariDataSource writes =
                pool("parley-sqlite-write", dataSource(url, config(true)), 1, "PRAGMA wal_autocheckpoint=0");
        try {
            return new Opened(
                    file, pool("parley-sqlite-read", dataSource(url, config(false)), READ_POOL_SIZE, null), writes);
        } catch (RuntimeException e) {
            writes.close();
            throw e;
        }
    }

    private static SQLiteConfig config(boolean writer) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        // The driver otherwise asks for the new row id after every INSERT; nothing here reads it.
        config.setGetGeneratedKeys(false);
        if (writer) {
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        return config;
    }

    private static SQLiteDataSource dataSource(String url, SQLiteConfig config) {
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(url);
        return ds;
    }

    private static HikariDataSource pool(String name, SQLiteDataSource ds, int size, @Nullable String initSql) {
        HikariConfig config = new HikariConfig();
        if (initSql != null) {
            config.setConnectionInitSql(initSql);
        }
        config.setPoolName(name);
        config.setDataSource(ds);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("sqlite: cannot open " + ds.getUrl() + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data folder " + file.getParent(), e);
        }
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public String location() {
        return file.toAbsolutePath().toString();
    }
}
