package dev.parley.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL text with its bind parameters, built together so that a placeholder and its value can never drift
 * apart. Values are only ever bound, never written into the text. Not thread-safe.
 */
final class SqlBuilder {
    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    /** Appends SQL text; it must not contain values from a request. */
    SqlBuilder sql(String sql) {
        text.append(sql);
        return this;
    }

    /** Appends one placeholder and binds {@code value} to it. */
    SqlBuilder param(Object value) {
        text.append('?');
        params.add(value);
        return this;
    }

    /** Binds {@code value} to a placeholder already written by {@link #sql}. */
    SqlBuilder bind(Object value) {
        params.add(value);
        return this;
    }

    String text() {
        return text.toString();
    }

    List<Object> params() {
        return List.copyOf(params);
    }

    PreparedStatement prepare(Connection connection) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(text.toString());
        try {
            for (int i = 0; i < params.size(); i++) {
                bindValue(ps, i + 1, params.get(i));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Binds with the setter of the value's type, so that both drivers see the same SQL types. */
    static void bindValue(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> throw new IllegalArgumentException("null is never bound: write IS NULL instead");
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer i -> ps.setInt(index, i);
            case Double d -> ps.setDouble(index, d);
            case Boolean b -> ps.setBoolean(index, b);
            default ->
                throw new IllegalArgumentException(
                        "cannot bind a " + value.getClass().getName());
        }
    }
}
