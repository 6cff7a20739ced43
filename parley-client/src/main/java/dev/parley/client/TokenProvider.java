package dev.parley.client;

/**
 * Supplies user tokens, typically by asking the app's backend (PROTOCOL.md §2.9).
 *
 * <p>Called once before the first connect and again whenever the server answers code 40 (token
 * expired). Called on an SDK I/O thread, never on the caller's thread and never twice at once for one
 * session, so a blocking HTTP call is fine. Throwing fails the connect or the request that needed the
 * token.
 */
@FunctionalInterface
public interface TokenProvider {
    /** A fresh user token whose {@code user_id} claim is the connecting user's id. */
    String loadToken() throws Exception;
}
