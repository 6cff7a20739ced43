package dev.parley.client;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import java.util.Map;

/**
 * An error the server reported in its error envelope (PROTOCOL.md §10.1), on a REST response or as the
 * WebSocket's handshake error frame (§3.3).
 *
 * <p>{@link #code()} is the numeric code exactly as the server sent it, even when the code is not in
 * {@link ErrorCode}; {@link #statusCode()} is the envelope's {@code StatusCode}.
 */
public final class ChatApiException extends ChatException {
    private static final long serialVersionUID = 1L;

    private final int rawCode;
    private final boolean fromWebSocket;

    public ChatApiException(
            int code, int statusCode, String message, Map<String, String> exceptionFields, boolean fromWebSocket) {
        super(ErrorCode.of(code), statusCode, describe(code, message, fromWebSocket), exceptionFields, null);
        this.rawCode = code;
        this.fromWebSocket = fromWebSocket;
    }

    /** The numeric code of the envelope, as sent. */
    @Override
    public int code() {
        return rawCode;
    }

    /** True when the error came from the WebSocket handshake rather than a REST call. */
    public boolean fromWebSocket() {
        return fromWebSocket;
    }

    /** True for code 40: the token has expired, and a token provider can supply a fresh one. */
    public boolean tokenExpired() {
        return rawCode == ErrorCode.TOKEN_EXPIRED.code();
    }

    private static String describe(int code, String message, boolean fromWebSocket) {
        return fromWebSocket
                ? "WS failed with code " + code + " and reason - " + message
                : "StreamChat error code " + code + ": " + message;
    }
}
