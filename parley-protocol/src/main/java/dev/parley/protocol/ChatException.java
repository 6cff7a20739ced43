package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An error that is reported to a client in the protocol's error envelope (PROTOCOL.md §10.1).
 *
 * <p>The message is client-facing: it must name the problem and never carry internal details.
 */
public class ChatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final int statusCode;
    private final Map<String, String> exceptionFields;

    public ChatException(ErrorCode errorCode, String message) {
        this(errorCode, errorCode.httpStatus(), message, Map.of(), null);
    }

    public ChatException(ErrorCode errorCode, String message, Map<String, String> exceptionFields) {
        this(errorCode, errorCode.httpStatus(), message, exceptionFields, null);
    }

    /**
     * The full form, used by clients that read an envelope whose {@code StatusCode} may differ from the
     * table's default.
     */
    public ChatException(
            ErrorCode errorCode,
            int statusCode,
            String message,
            Map<String, String> exceptionFields,
            @Nullable Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.errorCode = requireNonNull(errorCode, "errorCode");
        this.statusCode = statusCode;
        this.exceptionFields = Map.copyOf(requireNonNull(exceptionFields, "exceptionFields"));
    }

    public static ChatException input(String message) {
        return new ChatException(ErrorCode.INPUT, message);
    }

    public static ChatException notAllowed(String message) {
        return new ChatException(ErrorCode.NOT_ALLOWED, message);
    }

    public static ChatException notFound(String message) {
        return new ChatException(ErrorCode.DOES_NOT_EXIST, message);
    }

    /** The table entry of this error. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The numeric code of the envelope. */
    public int code() {
        return errorCode.code();
    }

    /** The HTTP status of the envelope ({@code StatusCode}). */
    public int statusCode() {
        return statusCode;
    }

    /** Per-field validation messages, possibly empty. */
    public Map<String, String> exceptionFields() {
        return exceptionFields;
    }
}
