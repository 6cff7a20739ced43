package dev.parley.server.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prepared statements kept open per physical connection, so that running a query again skips the SQL
 * compilation: for SQLite, compiling a short statement costs about as much as running it. The stores'
 * code stays plain JDBC: {@link #wrap} gives a connection whose {@code prepareStatement(sql)} returns a
 * kept statement, and whose statements' {@code close()} resets them and puts them back.
 *
 * <p>A kept statement belongs to the physical connection, not to the pool's proxy, so the pool does not
 * close it when the connection is returned. A statement is taken out of the cache while in use: a second
 * use of the same SQL at the same time gets a statement of its own. At most {@link #PER_CONNECTION}
 * statements are kept per connection (least recently used go first); the caches of connections that were
 * closed are dropped. A connection is used by one thread at a time (the pool's contract); the map of
 * connections is thread-safe.
 */
final class StatementCache {
    static final int PER_CONNECTION = 64;

    private final Map<Connection, Map<String, PreparedStatement>> byConnection = new ConcurrentHashMap<>();

    /** A view of the pooled connection {@code pooled} whose statements are kept. */
    Connection wrap(Connection pooled) throws SQLException {
        Connection raw = pooled.unwrap(Connection.class);
        Map<String, PreparedStatement> kept = byConnection.get(raw);
        if (kept == null) {
            dropClosed();
            kept = byConnection.computeIfAbsent(raw, k -> lru());
        }
        Map<String, PreparedStatement> cache = kept;
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("prepareStatement") && args != null && args.length == 1) {
                return take(raw, cache, (String) args[0], (Connection) proxy);
            }
            return invoke(pooled, m, args);
        };
        return (Connection)
                Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    /** How many statements are kept over all connections. */
    int size() {
        return byConnection.values().stream().mapToInt(Map::size).sum();
    }

    private static PreparedStatement take(
            Connection raw, Map<String, PreparedStatement> cache, String sql, Connection owner) throws SQLException {
        PreparedStatement found = cache.remove(sql);
        PreparedStatement ps = found != null && !found.isClosed() ? found : raw.prepareStatement(sql);
        boolean[] returned = {false};
        InvocationHandler h = (proxy, m, args) -> switch (m.getName()) {
            case "close" -> {
                if (!returned[0]) {
                    returned[0] = true;
                    giveBack(cache, sql, ps);
                }
                yield null;
            }
            case "isClosed" -> returned[0] || ps.isClosed();
            case "getConnection" -> owner;
            default -> invoke(ps, m, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(
                PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, h);
    }

    private static void giveBack(Map<String, PreparedStatement> cache, String sql, PreparedStatement ps)
            throws SQLException {
        try {
            // result sets are closed by their users (try-with-resources), which resets the statement
            ps.clearParameters();
            ps.clearBatch();
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        PreparedStatement previous = cache.put(sql, ps);
        if (previous != null && previous != ps) {
            previous.close();
        }
    }

    private void dropClosed() {
        byConnection.entrySet().removeIf(e -> {
            try {
                return e.getKey().isClosed();
            } catch (SQLException ex) {
                return true;
            }
        });
    }

    private static Map<String, PreparedStatement> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                if (size() <= PER_CONNECTION) {
                    return false;
                }
                try {
                    eldest.getValue().close();
                } catch (SQLException ignored) {
                    // the statement is dropped either way
                }
                return true;
            }
        };
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
