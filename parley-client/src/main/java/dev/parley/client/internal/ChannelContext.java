package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@code Channel} needs from the user session it was made in. One per session (or one for a
 * server-side client with no user); a channel keeps the context it was made with, so that it fails once
 * that session is disconnected rather than acting for a later one.
 */
public interface ChannelContext {
    /** @throws dev.parley.client.DisconnectedException once {@code disconnectUser()} ended the session */
    void ensureActive();

    /**
     * Waits for the handshake in flight (§5.3); completes with the connection id, or null when there is
     * no socket (a server-side client). Fails when the session ends first or the connect times out.
     */
    CompletableFuture<String> awaitConnection();

    /** Sends {@code call} as the session's user (or with a server token when there is no user). */
    CompletableFuture<JsonNode> send(RestClient.Call call);

    /** The cids this session's connection watches, re-watched after a reconnect (§3.5). */
    Set<String> watched();

    /** The local state of the session's channels. */
    ChannelRegistry channels();

    /** The client's listeners. */
    EventBus bus();

    /** The clock for typing throttles and indicators. */
    Instant now();

    /** True for a client holding the secret: exempt from the "not initialized" guard (§5.7). */
    boolean serverSide();
}
