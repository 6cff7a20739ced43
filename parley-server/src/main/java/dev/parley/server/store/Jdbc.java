package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Timestamps;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JDBC plumbing the stores share: a read pool and a write pool, work run on one of them with every
 * write in one transaction, and {@link SqlBuilder} helpers for queries, updates and the value
 * conversions (timestamps as epoch microseconds, {@code NULL} for absent values). Failures become a
 * {@link StoreException} naming the store's kind and what failed. Thread-safe.
 */
final class Jdbc {
    /** Most values in one {@code IN} list. */
    static final int IDS_PER_QUERY = 500;

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface SqlAction {
        void run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    interface RowVisitor {
        void visit(ResultSet rs) throws SQLException;
    }

    private final String kind;
    private final HikariDataSource reads;
    private final HikariDataSource writes;
    private final boolean withNextException;
    private final @Nullable StatementCache statements;

    /**
     * @param withNextException whether a failure's message also carries the message of the
     *     {@link SQLException#getNextException() next exception}, if any
     * @param statements keeps prepared statements per connection, or null to prepare each time (the
     *     stores share one cache, as they share the pools)
     */
    Jdbc(
            String kind,
            HikariDataSource reads,
            HikariDataSource writes,
            boolean withNextException,
            @Nullable StatementCache statements) {
        this.kind = requireNonNull(kind, "kind");
        this.reads = requireNonNull(reads, "reads");
        this.writes = requireNonNull(writes, "writes");
        this.withNextException = withNextException;
        this.statements = statements;
    }

    /** Runs {@code work} on a pooled read connection in auto-commit mode. */
    <T> T read(String what, SqlWork<T> work) {
        try (Connection c = reads.getConnection()) {
            return work.run(statements == null ? c : statements.wrap(c));
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction on a write connection: all of it commits, or none. */
    <T> T write(String what, SqlWork<T> work) {
        try (Connection c = writes.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(statements == null ? c : statements.wrap(c));
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** As {@link #write}, for work without a result. */
    void execute(String what, SqlAction work) {
        write(what, c -> {
            work.run(c);
            return Boolean.TRUE;
        });
    }

    private StoreException failure(String what, SQLException e) {
        String message = e.getMessage();
        if (withNextException && e.getNextException() != null) {
            message += " (" + e.getNextException().getMessage() + ")";
        }
        return new StoreException(kind + ": " + what + " failed: " + message, e);
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Runs the query of {@code b} and reads every row with {@code reader}. */
    static <T> List<T> list(Connection c, SqlBuilder b, RowReader<T> reader) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = b.prepare(c);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(reader.read(rs));
            }
        }
        return out;
    }

    /** Runs the query of {@code b} and hands every row to {@code visitor}. */
    static void forEach(Connection c, SqlBuilder b, RowVisitor visitor) throws SQLException {
        try (PreparedStatement ps = b.prepare(c);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                visitor.visit(rs);
            }
        }
    }

    /** Runs the statement of {@code b} and returns the number of rows it changed. */
    static int update(Connection c, SqlBuilder b) throws SQLException {
        try (PreparedStatement ps = b.prepare(c)) {
            return ps.executeUpdate();
        }
    }

    /** Appends {@code value} as a parameter, or {@code NULL} when it is null. */
    static SqlBuilder nullable(SqlBuilder b, @Nullable Object value) {
        return value == null ? b.sql("NULL") : b.param(value);
    }

    /** Appends {@code values} as comma-separated parameters, for an {@code IN} list. */
    static SqlBuilder in(SqlBuilder b, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            b.sql(i == 0 ? "" : ", ").param(values.get(i));
        }
        return b;
    }

    /** The distinct {@code ids} in order, in chunks of at most {@link #IDS_PER_QUERY}. */
    static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = List.copyOf(new LinkedHashSet<>(ids));
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
            out.add(all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY)));
        }
        return out;
    }

    static long micros(Instant at) {
        return Timestamps.toMicros(at);
    }

    /** Appends {@code at} in microseconds as a parameter, or {@code NULL} when it is null. */
    static SqlBuilder nullableTime(SqlBuilder b, @Nullable Instant at) {
        return at == null ? b.sql("NULL") : b.param(Timestamps.toMicros(at));
    }

    /** A timestamp column that may be {@code NULL}: null then. */
    static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMicros(v);
    }

    /** A timestamp column declared {@code NOT NULL}. */
    static Instant requiredInstant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        if (rs.wasNull()) {
            throw new SQLException("column " + column + ": NULL (expected: a timestamp)");
        }
        return Timestamps.fromMicros(v);
    }
}
