package dev.parley.server.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The request a change comes from, as webhooks report it in {@code request_info} (PROTOCOL.md §15.2): set by the
 * REST layer around each call on the call's thread, and read by the outbox when the call's events are written.
 * Changes no request made (a socket's events, timers, another node's) carry none.
 */
public final class RequestInfo {
    private static final ThreadLocal<Lazy> CURRENT = new ThreadLocal<>();

    /** A request's info, made the first time a hook asks for it: calls without webhooks never make it. */
    private static final class Lazy {
        private final Supplier<String> make;
        private @Nullable String made;

        Lazy(Supplier<String> make) {
            this.make = make;
        }

        String get() {
            String m = made;
            if (m == null) {
                m = make.get();
                made = m;
            }
            return m;
        }
    }

    private RequestInfo() {}

    /**
     * Runs {@code work} with {@code info} (making a JSON object, asked at most once) as the current request's;
     * restores the previous one.
     */
    public static <T> T during(Supplier<String> info, Supplier<T> work) {
        Lazy before = CURRENT.get();
        CURRENT.set(new Lazy(info));
        try {
            return work.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** The current request's info as JSON, or null outside a request. */
    public static @Nullable String current() {
        Lazy l = CURRENT.get();
        return l == null ? null : l.get();
    }

    /**
     * A request's info: {@code type} ({@code client} for a user's token, {@code server} for the server's), the
     * caller's address, its user agent and the SDK it names ({@code X-Stream-Client}); unknown parts are left out.
     */
    public static String json(boolean server, String ip, @Nullable String userAgent, @Nullable String sdk) {
        Key key = new Key(server, ip, userAgent, sdk);
        String known = MADE.get(key);
        if (known != null) {
            return known;
        }
        String made = make(server, ip, userAgent, sdk);
        if (MADE.size() >= MAX_KEPT) {
            MADE.clear();
        }
        MADE.put(key, made);
        return made;
    }

    /** What {@link #json} made, by what it was made of: one client's calls send the same headers every time. */
    private record Key(
            boolean server,
            String ip,
            @Nullable String userAgent,
            @Nullable String sdk) {}

    /** Most infos kept; past it the cache starts over. */
    private static final int MAX_KEPT = 4096;

    private static final Map<Key, String> MADE = new ConcurrentHashMap<>();

    private static String make(boolean server, String ip, @Nullable String userAgent, @Nullable String sdk) {
        ObjectNode o = Json.object();
        o.put("type", server ? "server" : "client");
        if (!ip.isEmpty()) {
            o.put("ip", ip);
        }
        if (userAgent != null && !userAgent.isEmpty()) {
            o.put("user_agent", userAgent.length() > 256 ? userAgent.substring(0, 256) : userAgent);
        }
        if (sdk != null && !sdk.isEmpty()) {
            o.put("sdk", sdk.length() > 128 ? sdk.substring(0, 128) : sdk);
        }
        return Json.write(o);
    }
}
