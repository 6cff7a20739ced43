package dev.parley.server.auth;

import org.jspecify.annotations.Nullable;

/**
 * Who makes a call: the app's backend with a server token, a user with a user token, or an anonymous
 * client. Closed set; switch over it exhaustively.
 */
public sealed interface Caller {

    /** A server token: full access. */
    record Server() implements Caller {}

    /**
     * A user token.
     *
     * @param userId the token's {@code user_id}
     */
    record UserCaller(String userId) implements Caller {}

    /** No identity ({@code stream-auth-type: anonymous}). */
    record Anonymous() implements Caller {}

    /** Identity of anonymous connections (PROTOCOL.md §2.6). */
    String ANONYMOUS_ID = "!anon";

    default boolean isServer() {
        return this instanceof Server;
    }

    /** The acting user's id, or null for the server and anonymous callers. */
    default @Nullable String userId() {
        return this instanceof UserCaller u ? u.userId() : null;
    }
}
