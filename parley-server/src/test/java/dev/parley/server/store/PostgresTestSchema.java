package dev.parley.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A schema of its own on the PostgreSQL of this machine ({@code PARLEY_TEST_POSTGRES_URL}, default the
 * {@code test} database on 127.0.0.1:5432 as {@code postgres}), for one contract test class: opened
 * with chosen tables emptied before each test, dropped after the class.
 */
final class PostgresTestSchema {
    static final String SERVER =
            System.getenv().getOrDefault("PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");

    private final String name;

    /** A fresh schema named {@code prefix} and 12 random hex digits; created when first opened. */
    PostgresTestSchema(String prefix) {
        this.name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    String name() {
        return name;
    }

    /** A store on this schema, after emptying {@code tables} of it. */
    Store openEmptying(String... tables) {
        Store opened = Stores.open(SERVER + "?schema=" + name, null);
        StringBuilder list = new StringBuilder();
        for (String t : tables) {
            list.append(list.isEmpty() ? "" : ", ").append(name).append('.').append(t);
        }
        execute("TRUNCATE " + list);
        return opened;
    }

    void drop() {
        execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void execute(String statement) {
        PostgresUrl url = PostgresUrl.parse(SERVER);
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }
}
