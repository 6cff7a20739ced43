package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.auth.AdminSession;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.config.AppSettings;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Who may call the operator's endpoints under {@code /parley/} ({@link OpsApi}, {@link UsageApi}): a caller
 * with the API key and either a server token or an admin session token ({@link AdminSession}); user tokens
 * and anonymous callers are refused with code 17. Thread-safe.
 */
final class OperatorAccess {
    private final Authenticator authenticator;
    private final AdminSession adminSessions;
    private final Supplier<AppSettings> settings;

    OperatorAccess(Authenticator authenticator, AdminSession adminSessions, Supplier<AppSettings> settings) {
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.adminSessions = requireNonNull(adminSessions, "adminSessions");
        this.settings = requireNonNull(settings, "settings");
    }

    /** Checks key and token, then runs the handler: a server token or an admin session token only. */
    ObjectNode run(RequestContext ctx, Router.Handler handler) {
        authenticator.checkApiKey(ctx.param("api_key"));
        String authType = ctx.call().header("stream-auth-type");
        authType = authType == null ? null : authType.toLowerCase(Locale.ROOT);
        String token = ctx.call().header("authorization");
        if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        if ("anonymous".equals(authType) || token == null || token.isEmpty()) {
            throw ChatException.notAllowed(
                    ctx.endpoint() + " failed with error: \"operator endpoints need a server token\"");
        }
        if (adminSessions.accepts(token)) {
            checkRevocation(token);
        } else {
            Authenticator.Identity id = authenticator.authenticate(authType, token);
            if (!id.caller().isServer()) {
                throw ChatException.notAllowed(ctx.endpoint()
                        + " failed with error: \"operator endpoints need a server token, not a user token\"");
            }
        }
        return handler.handle(ctx);
    }

    /** The app-wide revocation date (PROTOCOL.md §2.8) ends admin sessions issued before it too. */
    private void checkRevocation(String token) {
        Instant revoked = settings.get().revokeTokensIssuedBefore();
        long iat = dev.parley.protocol.Jwt.decodeUnverified(token).path("iat").asLong(0);
        if (revoked != null && Instant.ofEpochSecond(iat).isBefore(revoked)) {
            throw new ChatException(
                    dev.parley.protocol.ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has been revoked");
        }
    }
}
