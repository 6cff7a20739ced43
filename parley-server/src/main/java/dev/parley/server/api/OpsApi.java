package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.ChatNode;
import dev.parley.server.auth.AdminSession;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConcurrencySamples;
import dev.parley.server.usage.ConnectionRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's endpoints under {@code /parley/}: the connection inspector, usage (MAU and concurrency)
 * and the dashboard's admin session. Not part of Stream's API.
 *
 * <p>Every endpoint but {@code POST /parley/admin/session} needs the API key and either a server token or
 * an admin session token ({@link AdminSession}); user tokens and anonymous callers are refused with code 17.
 */
final class OpsApi {
    /**
     * Close code of a socket closed through {@code DELETE /parley/connections/{id}}. Not 1000, so that the
     * client reconnects (PROTOCOL.md §3.5).
     */
    static final int OPERATOR_CLOSE_CODE = 4000;

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    void register(Router router) {
        router.addOpen("POST", "/parley/admin/session", this::adminSession);
        router.addOpen("GET", "/parley/connections", ctx -> operator(ctx, this::connections));
        router.addOpen("GET", "/parley/connections/users", ctx -> operator(ctx, this::duplicateUsers));
        router.addOpen("DELETE", "/parley/connections/{connection_id}", ctx -> operator(ctx, this::closeConnection));
        router.addOpen("GET", "/parley/usage", ctx -> operator(ctx, this::usage));
        router.addOpen("GET", "/parley/usage/current", ctx -> operator(ctx, this::current));
        router.addOpen("GET", "/parley/usage/concurrency", ctx -> operator(ctx, this::concurrency));
    }

    private static AdminSession adminSessions(ChatNode node) {
        return new AdminSession(node.config().apiKey(), node.config().apiSecret(), node.clock());
    }

    /** Checks key and token, then runs the handler: a server token or an admin session token only. */
    private static ObjectNode operator(RequestContext ctx, Router.Handler handler) {
        ChatNode node = ctx.node();
        node.authenticator().checkApiKey(ctx.param("api_key"));
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
        if (adminSessions(node).accepts(token)) {
            checkRevocation(node, token);
        } else {
            Authenticator.Identity id = node.authenticator().authenticate(authType, token);
            if (!id.caller().isServer()) {
                throw ChatException.notAllowed(ctx.endpoint()
                        + " failed with error: \"operator endpoints need a server token, not a user token\"");
            }
        }
        return handler.handle(ctx);
    }

    /** The app-wide revocation date (PROTOCOL.md §2.8) ends admin sessions issued before it too. */
    private static void checkRevocation(ChatNode node, String token) {
        Instant revoked = node.settings().revokeTokensIssuedBefore();
        long iat = dev.parley.protocol.Jwt.decodeUnverified(token).path("iat").asLong(0);
        if (revoked != null && Instant.ofEpochSecond(iat).isBefore(revoked)) {
            throw new ChatException(
                    dev.parley.protocol.ErrorCode.TOKEN_EXPIRED, "JWTAuth error: token has been revoked");
        }
    }

    private ObjectNode adminSession(RequestContext ctx) {
        ObjectNode body = ctx.body();
        String key = body.path("api_key").asText(ctx.param("api_key"));
        String secret = body.path("api_secret").asText(null);
        if (key == null || key.isEmpty() || secret == null || secret.isEmpty()) {
            throw ChatException.input("CreateAdminSession failed with error: \"api_key and api_secret are required\"");
        }
        AdminSession.Issued issued = ctx.node()
                .rateLimits()
                .guardSecret(
                        "CreateAdminSession",
                        ctx.call().remoteAddress(),
                        () -> adminSessions(ctx.node()).issue(key, secret));
        ObjectNode out = Json.object();
        out.put("token", issued.token());
        out.put("expires_at", Timestamps.format(issued.expiresAt()));
        return out;
    }

    private ObjectNode connections(RequestContext ctx) {
        String user = ctx.param("user_id");
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        ConnectionRegistry registry = ctx.node().registry();
        List<Session> all = (user == null || user.isEmpty() ? List.copyOf(registry.all()) : registry.sessionsOf(user))
                .stream().sorted(OLDEST_FIRST).toList();
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("connections");
        all.stream().skip(offset).limit(limit).forEach(s -> list.add(toJson(ctx.node(), s)));
        out.put("total", all.size());
        out.put("offset", offset);
        out.put("limit", limit);
        return out;
    }

    private ObjectNode duplicateUsers(RequestContext ctx) {
        int min = intParam(ctx, "min", 2, 1, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        List<ConnectionRegistry.UserSockets> users = ctx.node().registry().usersWithAtLeast(min);
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("users");
        for (ConnectionRegistry.UserSockets u : users.subList(0, Math.min(limit, users.size()))) {
            ObjectNode o = list.addObject();
            o.put("user_id", u.userId());
            o.put("connection_count", u.sessions().size());
            ArrayNode conns = o.putArray("connections");
            u.sessions().stream().sorted(OLDEST_FIRST).forEach(s -> conns.add(toJson(ctx.node(), s)));
        }
        out.put("total", users.size());
        out.put("min", min);
        return out;
    }

    private ObjectNode closeConnection(RequestContext ctx) {
        String id = ctx.pathParam("connection_id");
        Session s = ctx.node()
                .closeConnection(id, OPERATOR_CLOSE_CODE, "closed by the operator")
                .orElseThrow(() -> ChatException.notFound(
                        ctx.endpoint() + " failed with error: \"connection '" + id + "' is not open on this server\""));
        ObjectNode out = Json.object();
        out.put("connection_id", id);
        out.put("user_id", s.userId());
        out.put("close_code", OPERATOR_CLOSE_CODE);
        return out;
    }

    private ObjectNode usage(RequestContext ctx) {
        ChatNode node = ctx.node();
        Instant now = node.clock().instant();
        YearMonth thisMonth = YearMonth.from(now.atZone(ZoneOffset.UTC));
        YearMonth month = month(ctx, thisMonth);
        Map<LocalDate, Integer> peaks = new TreeMap<>(node.peakConnections(month.atDay(1), month.atEndOfMonth()));
        if (month.equals(thisMonth)) {
            ConnectionRegistry.DayPeak today = node.registry().todaysPeak();
            peaks.merge(today.day(), today.peak(), Math::max);
        }
        ObjectNode out = Json.object();
        out.put("month", month.toString());
        out.put("mau", node.countActiveUsers(month));
        out.put(
                "peak_concurrent_connections",
                peaks.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        ArrayNode days = out.putArray("daily_peaks");
        peaks.forEach(
                (day, peak) -> days.addObject().put("date", day.toString()).put("peak", peak));
        return out;
    }

    private ObjectNode current(RequestContext ctx) {
        ConnectionRegistry registry = ctx.node().registry();
        ObjectNode out = Json.object();
        out.put("connections", registry.totalConnections());
        out.put("users", registry.connectedUsers());
        out.put("users_with_several_connections", registry.usersWithSeveralConnections());
        var limit = ctx.node().connectionPolicy().limit();
        out.put("max_connections_per_user", limit.max());
        out.put("connection_policy", limit.mode().wire());
        return out;
    }

    private ObjectNode concurrency(RequestContext ctx) {
        ChatNode node = ctx.node();
        int minutes = intParam(ctx, "minutes", 360, 1, ConcurrencySamples.CAPACITY);
        Instant now = node.clock().instant();
        node.concurrency().record(now, node.registry().totalConnections());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("samples");
        for (ConcurrencySamples.Sample s : node.concurrency().last(Duration.ofMinutes(minutes), now)) {
            list.addObject().put("minute", Timestamps.format(s.minute())).put("connections", s.connections());
        }
        return out;
    }

    private static final Comparator<Session> OLDEST_FIRST =
            Comparator.comparing(Session::connectedAt).thenComparing(Session::connectionId);

    private static ObjectNode toJson(ChatNode node, Session s) {
        ObjectNode o = Json.object();
        o.put("connection_id", s.connectionId());
        o.put("user_id", s.userId());
        o.put("connected_at", Timestamps.format(s.connectedAt()));
        o.put("last_heartbeat", Timestamps.format(s.lastHeartbeat()));
        o.put("client", s.client());
        o.put("remote_address", s.remoteAddress());
        o.put("user_agent", s.userAgent());
        o.put("watched_channels", node.chat().core().hub().watchCount(s));
        o.put("outbound_queue_bytes", s.outboundQueueBytes());
        return o;
    }

    private static YearMonth month(RequestContext ctx, YearMonth fallback) {
        String m = ctx.param("month");
        if (m == null || m.isEmpty()) {
            return fallback;
        }
        try {
            return YearMonth.parse(m);
        } catch (DateTimeParseException e) {
            throw ChatException.input(
                    ctx.endpoint() + " failed with error: \"month: '" + m + "' (expected: YYYY-MM)\"");
        }
    }

    private static int intParam(RequestContext ctx, String name, int fallback, int min, int max) {
        String v = ctx.param(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw ChatException.input(ctx.endpoint() + " failed with error: \"" + name + ": " + n + " (expected: "
                        + min + ".." + max + ")\"");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ChatException.input(
                    ctx.endpoint() + " failed with error: \"" + name + ": '" + v + "' is not a number\"");
        }
    }
}
