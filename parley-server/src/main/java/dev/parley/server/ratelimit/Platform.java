package dev.parley.server.ratelimit;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where a call comes from. Each platform has counters of its own, so that a burst from one kind of client
 * does not use up the quota of the others.
 */
public enum Platform {
    SERVER_SIDE("server_side"),
    ANDROID("android"),
    IOS("ios"),
    WEB("web");

    private static final java.util.regex.Pattern IOS_WORD = java.util.regex.Pattern.compile("(^|[^a-z])ios([^a-z]|$)");

    private final String wire;

    Platform(String wire) {
        this.wire = wire;
    }

    /** The name in {@code GET /rate_limits} answers and query parameters. */
    public String wire() {
        return wire;
    }

    /**
     * The client platform named by an {@code X-Stream-Client} value such as {@code stream-chat-android-6.0.0}
     * or {@code stream-chat-swift-client-v4.0.0}; anything else, or nothing, counts as web.
     */
    public static Platform ofClient(@Nullable String client) {
        if (client == null) {
            return WEB;
        }
        String c = client.toLowerCase(Locale.ROOT);
        if (c.contains("android")) {
            return ANDROID;
        }
        if (c.contains("swift") || IOS_WORD.matcher(c).find()) {
            return IOS;
        }
        return WEB;
    }
}
