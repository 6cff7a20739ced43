package dev.parley.bench.load;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What one server family expects on the wire: the socket URL, the frames a client sends, and how to read
 * the first frame. {@link Stream} is what Stream's SDKs send (PROTOCOL.md §3.1, §3.4), spoken to Parley
 * and to the floor; {@link Centrifuge} is Centrifuge's JSON protocol (v1: {@code id}, {@code method},
 * {@code params}), so that one generator drives all three.
 */
public sealed interface Dialect {

    /**
     * The text of a warm-up message: sent before the measured phase so that the JIT compiles the message
     * path, and ignored by readers (no {@code bench-ts=} stamp, not counted, not a heartbeat answer).
     */
    String WARMUP_TEXT = "bench-warmup";

    /** Path and query of the socket for this user. */
    String socketPath(String userId, String token);

    /** The frame to send once the WebSocket is open, or null when the server speaks first. */
    @Nullable
    String hello(String userId, String token);

    /** Whether the first frame accepts the connection; false for a refusal. */
    boolean accepted(String firstFrame);

    /** The connection id in the first frame, or empty. */
    String connectionId(String firstFrame);

    /** The heartbeat frame. */
    String heartbeat(String userId, int seq);

    /** A frame that watches a channel over the socket, or null when watching goes through REST. */
    @Nullable
    String subscribeFrame(String channel, int seq);

    /** A frame that publishes over the socket, or null when sending goes through REST. */
    @Nullable
    String publishFrame(String channel, String text, int seq);

    /** Stream Chat's protocol, as the JS SDK speaks it. */
    record Stream(String apiKey) implements Dialect {
        @Override
        public String socketPath(String userId, String token) {
            String json =
                    "{\"user_id\":\"" + userId + "\",\"user_details\":{\"id\":\"" + userId + "\",\"name\":\"Bench "
                            + userId + "\"},\"client_request_id\":\"" + java.util.UUID.randomUUID() + "\"}";
            return "/connect?json=" + enc(json) + "&api_key=" + enc(apiKey) + "&authorization=" + enc(token)
                    + "&stream-auth-type=jwt&X-Stream-Client=" + enc("parley-bench-0.1");
        }

        @Override
        public @Nullable String hello(String userId, String token) {
            return null;
        }

        @Override
        public boolean accepted(String firstFrame) {
            return firstFrame.contains("\"health.check\"") && !firstFrame.contains("\"error\"");
        }

        @Override
        public String connectionId(String firstFrame) {
            return field(firstFrame, "\"connection_id\":\"");
        }

        @Override
        public String heartbeat(String userId, int seq) {
            return "[{\"type\":\"health.check\",\"client_id\":\"" + userId + "--bench\"}]";
        }

        @Override
        public @Nullable String subscribeFrame(String channel, int seq) {
            return null;
        }

        @Override
        public @Nullable String publishFrame(String channel, String text, int seq) {
            return null;
        }
    }

    /** Centrifuge's JSON protocol: connect command with the token, subscribe and publish commands. */
    record Centrifuge() implements Dialect {
        @Override
        public String socketPath(String userId, String token) {
            return "/connection/websocket";
        }

        @Override
        public @Nullable String hello(String userId, String token) {
            return "{\"id\":1,\"params\":{\"token\":\"" + token + "\"}}";
        }

        @Override
        public boolean accepted(String firstFrame) {
            return firstFrame.contains("\"client\":\"");
        }

        @Override
        public String connectionId(String firstFrame) {
            return field(firstFrame, "\"client\":\"");
        }

        @Override
        public String heartbeat(String userId, int seq) {
            return "{\"id\":" + seq + ",\"method\":7}";
        }

        @Override
        public @Nullable String subscribeFrame(String channel, int seq) {
            return "{\"id\":" + seq + ",\"method\":1,\"params\":{\"channel\":\"" + channel + "\"}}";
        }

        @Override
        public @Nullable String publishFrame(String channel, String text, int seq) {
            return "{\"id\":" + seq + ",\"method\":3,\"params\":{\"channel\":\"" + channel + "\",\"data\":{\"text\":\""
                    + text + "\"}}}";
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String field(String frame, String prefix) {
        int i = frame.indexOf(prefix);
        if (i < 0) {
            return "";
        }
        int from = i + prefix.length();
        int to = frame.indexOf('"', from);
        return to < 0 ? "" : frame.substring(from, to);
    }

    /** The send time (epoch microseconds) a bench message carries as {@code bench-ts=<n>}, or -1. */
    static long sendMicros(String frame) {
        int i = frame.indexOf("bench-ts=");
        if (i < 0) {
            return -1;
        }
        long v = 0;
        int p = i + 9;
        int n = 0;
        while (p < frame.length() && Character.isDigit(frame.charAt(p))) {
            v = v * 10 + (frame.charAt(p++) - '0');
            n++;
        }
        return n == 0 ? -1 : v;
    }
}
