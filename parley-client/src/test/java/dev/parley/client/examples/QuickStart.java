package dev.parley.client.examples;

import dev.parley.client.ChatClient;
import dev.parley.client.ConnectResponse;
import dev.parley.client.PartialUserUpdate;
import dev.parley.client.Tokens;
import dev.parley.protocol.User;

/**
 * The README's Java example as a program: {@code ./parley example} runs it against {@code ./parley serve}.
 * Reads {@code PARLEY_BASE_URL}, {@code PARLEY_API_KEY} and {@code PARLEY_API_SECRET}.
 */
public final class QuickStart {
    private QuickStart() {}

    public static void main(String[] args) {
        String baseUrl = env("PARLEY_BASE_URL", "http://localhost:8080");
        String apiKey = env("PARLEY_API_KEY", null);
        String secret = env("PARLEY_API_SECRET", null);
        if (apiKey == null || secret == null) {
            System.err.println("set PARLEY_API_KEY and PARLEY_API_SECRET (./parley example does it from parley-data)");
            System.exit(2);
        }
        System.out.println(run(baseUrl, apiKey, Tokens.user(secret, "alice")));
    }

    /** Connects as alice, renames her, disconnects; returns what happened. */
    public static String run(String baseUrl, String apiKey, String token) {
        // README example: start
        try (ChatClient client = ChatClient.builder(apiKey).baseUrl(baseUrl).build()) {
            User alice = User.builder("alice").put("name", "Alice").build();
            ConnectResponse r = client.connectUser(alice, token).join(); // one socket for this session
            client.partialUpdateUser(PartialUserUpdate.of("alice").set("status", "hello"))
                    .join();
            String out = "connected as " + r.me().id() + " on " + r.connectionId() + ", open sockets in this JVM: "
                    + ChatClient.openConnections().size();
            client.disconnectUser().join(); // close 1000, no reconnect
            return out;
        }
        // README example: end
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
