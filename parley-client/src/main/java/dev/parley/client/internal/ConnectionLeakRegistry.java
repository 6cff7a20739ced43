package dev.parley.client.internal;

import dev.parley.client.OpenConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * Every socket the SDK holds open in this JVM, keyed by (base URL, API key, user id).
 *
 * <p>Each socket costs a concurrent connection on the server and one app normally needs one per user.
 * When a second socket opens for a user who already has one in this process — typically two
 * {@code ChatClient}s, each connected from a UI hook that runs on every render — the registry logs a
 * warning that names both {@code connectUser} call sites, like Netty's leak detector names where a
 * leaked buffer was allocated. Thread-safe.
 */
public final class ConnectionLeakRegistry {
    /** The process-wide registry. */
    public static final ConnectionLeakRegistry GLOBAL = new ConnectionLeakRegistry();

    private final ConcurrentHashMap<Key, CopyOnWriteArrayList<OpenConnection>> open = new ConcurrentHashMap<>();

    /** Records an open socket; warns on {@code log} when its user already had one here. */
    public void opened(OpenConnection c, Logger log) {
        List<OpenConnection> list = open.computeIfAbsent(key(c), k -> new CopyOnWriteArrayList<>());
        List<OpenConnection> others = List.copyOf(list);
        list.add(c);
        if (!others.isEmpty()) {
            OpenConnection first = others.get(0);
            log.warn(
                    """
                    Connection leak: {} sockets are now open for user '{}' in this process (api key '{}', {}). \
                    Each socket is a concurrent connection on the server; usually one ChatClient per user is \
                    enough: reuse it (ChatClient.getInstance) and call disconnectUser() or close() on the old one.
                    First socket {} was opened by connectUser at:
                    {}
                    Socket {} was opened by connectUser at:
                    {}""",
                    others.size() + 1,
                    c.userId(),
                    c.apiKey(),
                    c.baseUrl(),
                    first.connectionId(),
                    first.callSite(),
                    c.connectionId(),
                    c.callSite());
        }
    }

    /** Forgets the socket with this connection id. */
    public void closed(String baseUrl, String apiKey, String userId, String connectionId) {
        Key k = new Key(baseUrl, apiKey, userId);
        open.computeIfPresent(k, (key, list) -> {
            list.removeIf(c -> c.connectionId().equals(connectionId));
            return list.isEmpty() ? null : list;
        });
    }

    /** A snapshot of every open socket. */
    public List<OpenConnection> snapshot() {
        List<OpenConnection> all = new ArrayList<>();
        open.values().forEach(all::addAll);
        return List.copyOf(all);
    }

    /**
     * The stack of the current thread as printable text, starting below the SDK's own frames
     * ({@code ChatClient.connectUser} and this method), so that it points at the app's line.
     */
    public static String callSite() {
        StringBuilder sb = new StringBuilder();
        boolean inApp = false;
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            String cls = e.getClassName();
            boolean sdk = cls.equals(ConnectionLeakRegistry.class.getName())
                    || cls.equals("dev.parley.client.ChatClient")
                    || cls.startsWith("dev.parley.client.ChatClient$");
            if (!inApp && sdk) {
                continue;
            }
            inApp = true;
            sb.append("\tat ").append(e).append('\n');
        }
        return sb.length() == 0 ? "\t(unknown)\n" : sb.toString();
    }

    private static Key key(OpenConnection c) {
        return new Key(c.baseUrl(), c.apiKey(), c.userId());
    }

    private record Key(String baseUrl, String apiKey, String userId) {
        Key {
            Objects.requireNonNull(baseUrl, "baseUrl");
        }
    }
}
