package dev.parley.server.session;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One open client connection as the core sees it, independent of the transport.
 *
 * <p>Implementations are thread-safe: {@link #send} and {@link #close} may be called from any thread,
 * and frames reach the client in the order of the {@code send} calls.
 */
public interface Session {

    /** The server-chosen connection id sent in {@code health.check}. */
    String connectionId();

    /** The connected user's id ({@code !anon} for anonymous connections). */
    String userId();

    /** When the socket completed its handshake. */
    Instant connectedAt();

    /** What the client said it is ({@code X-Stream-Client}), or empty. */
    String client();

    /** The peer address, as {@code host:port}. */
    String remoteAddress();

    /** The peer's User-Agent header, or empty. */
    String userAgent();

    /** When the client last sent a frame (a heartbeat or anything else); the handshake time until then. */
    default Instant lastHeartbeat() {
        return connectedAt();
    }

    /** Bytes queued for this client and not yet written to the network. */
    default long outboundQueueBytes() {
        return 0;
    }

    /**
     * Queues one encoded event frame. The session takes ownership of one reference of {@code frame}
     * (callers fanning out one buffer pass {@code retainedDuplicate()}s). When the client reads too slowly
     * and its bounded outbound buffer is full, the session is closed with a reconnectable code instead.
     */
    void send(ByteBuf frame);

    /**
     * The executor that writes this session's frames, or null when it has none. A fan-out hands each such
     * executor one task that sends to all of its sessions, instead of one hand-off per session; frames keep
     * their order because sends from other threads queue on the same executor.
     */
    default @Nullable Executor writer() {
        return null;
    }

    /** Whether the calling thread is this session's {@link #writer()}, where {@link #send} writes at once. */
    default boolean onWriter() {
        return writer() == null;
    }

    /** Closes the socket with this WebSocket close code; an error frame may be sent first by the caller. */
    void close(int code, String reason);
}
