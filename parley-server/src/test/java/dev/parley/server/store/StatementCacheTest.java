package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link StatementCache} on a real SQLite connection. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StatementCacheTest {
    @TempDir
    Path dir;

    private Connection raw;
    private final StatementCache cache = new StatementCache();

    @BeforeEach
    void open() throws SQLException {
        raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
        try (Statement s = raw.createStatement()) {
            s.executeUpdate("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
            s.executeUpdate("INSERT INTO t VALUES (1, 'ann'), (2, 'bob')");
        }
    }

    @AfterEach
    void close() throws SQLException {
        raw.close();
    }

    private static PreparedStatement underlying(PreparedStatement ps) throws SQLException {
        return ps.unwrap(PreparedStatement.class);
    }

    private static String name(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void aStatementIsKeptAndReusedWithNewParameters() throws SQLException {
        Connection c = cache.wrap(raw);
        PreparedStatement first;
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
            first = underlying(ps);
        }

        assertThat(name(c, 1)).isEqualTo("ann");
        assertThat(name(cache.wrap(raw), 2)).isEqualTo("bob");
        try (PreparedStatement again = cache.wrap(raw).prepareStatement("SELECT name FROM t WHERE id = ?")) {
            assertThat(underlying(again)).isSameAs(first);
            assertThat(again.isClosed()).isFalse();
        }
        assertThat(first.isClosed()).as("closing the view keeps the statement").isFalse();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void theSameSqlInUseTwiceGetsTwoStatements() throws SQLException {
        Connection c = cache.wrap(raw);
        try (PreparedStatement outer = c.prepareStatement("SELECT name FROM t WHERE id = ?");
                PreparedStatement inner = c.prepareStatement("SELECT name FROM t WHERE id = ?")) {
            assertThat(underlying(inner)).isNotSameAs(underlying(outer));
            outer.setInt(1, 1);
            inner.setInt(1, 2);
            try (ResultSet a = outer.executeQuery();
                    ResultSet b = inner.executeQuery()) {
                assertThat(a.next() && b.next()).isTrue();
                assertThat(a.getString(1) + b.getString(1)).isEqualTo("annbob");
            }
        }
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void writesInATransactionGoThroughKeptStatements() throws SQLException {
        Connection c = cache.wrap(raw);
        c.setAutoCommit(false);
        for (int i = 3; i < 6; i++) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                ps.setInt(1, i);
                ps.setString(2, "u" + i);
                ps.addBatch();
                ps.executeBatch();
            }
        }
        c.rollback();
        c.setAutoCommit(true);

        assertThat(name(c, 3)).isNull();
        assertThat(name(c, 1)).isEqualTo("ann");
    }

    @Test
    void atMostSixtyFourStatementsAreKeptPerConnection() throws SQLException {
        Connection c = cache.wrap(raw);
        for (int i = 0; i < 100; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM t WHERE id = ? AND " + i + " = " + i)) {
                ps.setInt(1, 1);
                ps.executeQuery().close();
            }
        }

        assertThat(cache.size()).isEqualTo(StatementCache.PER_CONNECTION);
    }

    @Test
    void theStatementsOfAClosedConnectionAreDropped() throws SQLException {
        name(cache.wrap(raw), 1);
        raw.close();
        raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));

        assertThat(name(cache.wrap(raw), 2)).isEqualTo("bob");
        assertThat(cache.size()).isEqualTo(1);
    }
}
