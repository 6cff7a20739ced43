package dev.parley.protocol;

/**
 * The one table of Stream Chat error codes that every error of Parley goes through (PROTOCOL.md §10.2).
 *
 * <p>Each constant carries the numeric code that clients read from the error envelope's {@code code}
 * field, the HTTP status sent with it (also written as {@code StatusCode}), and a short name.
 */
public enum ErrorCode {
    INTERNAL(-1, 500, "InternalSystemError"),
    ACCESS_KEY(2, 401, "AccessKeyError"),
    INPUT(4, 400, "InputError"),
    AUTHENTICATION(5, 401, "AuthenticationError"),
    DUPLICATE_USERNAME(6, 400, "DuplicateUsernameError"),
    RATE_LIMIT(9, 429, "RateLimitError"),
    DOES_NOT_EXIST(16, 404, "DoesNotExistError"),
    NOT_ALLOWED(17, 403, "NotAllowedError"),
    EVENT_NOT_SUPPORTED(18, 400, "EventNotSupportedError"),
    CHANNEL_FEATURE_NOT_SUPPORTED(19, 400, "ChannelFeatureNotSupportedError"),
    MESSAGE_TOO_LONG(20, 400, "MessageTooLongError"),
    MULTIPLE_NESTING_LEVEL(21, 400, "MultipleNestingLevelError"),
    PAYLOAD_TOO_BIG(22, 413, "PayloadTooBigError"),
    REQUEST_TIMEOUT(23, 408, "RequestTimeoutError"),
    HEADER_TOO_BIG(24, 431, "MaxHeaderSizeExceededError"),
    TOKEN_EXPIRED(40, 401, "AuthErrorTokenExpired"),
    TOKEN_NOT_VALID_YET(41, 401, "AuthErrorTokenNotValidYet"),
    TOKEN_USED_BEFORE_ISSUED_AT(42, 401, "AuthErrorTokenUsedBeforeIssuedAt"),
    TOKEN_SIGNATURE_INVALID(43, 401, "AuthErrorTokenSignatureInvalid"),
    CONNECTION_ID_NOT_FOUND(46, 400, "ConnectionIDNotFoundError"),
    COOL_DOWN(60, 403, "CoolDownError"),
    NO_ACCESS_TO_CHANNELS(70, 403, "ErrQueryChannelPermissions"),
    TOO_MANY_CONNECTIONS(71, 429, "ErrTooManyConnections"),
    APP_SUSPENDED(99, 403, "AppSuspendedError"),
    /** Not a Stream code: a node that is stopping (draining) or cannot reach its cluster answers /readyz with it. */
    NOT_READY(-1, 503, "NotReady"),
    /** Not a Stream code: an unknown route. Sent as HTTP 404 with code 16 semantics in the envelope. */
    NOT_FOUND(16, 404, "NotFound");

    private final int code;
    private final int httpStatus;
    private final String title;

    ErrorCode(int code, int httpStatus, String title) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.title = title;
    }

    /** The numeric code clients read from the envelope's {@code code}. */
    public int code() {
        return code;
    }

    /** The HTTP status, also written as the envelope's {@code StatusCode}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The short name of the code, as Stream's documentation spells it. */
    public String title() {
        return title;
    }

    /** The constant with this numeric code, or {@link #INTERNAL} when the code is unknown. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}
