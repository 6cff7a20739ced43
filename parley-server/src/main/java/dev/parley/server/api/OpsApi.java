package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.auth.AdminSession;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.ratelimit.RateLimits;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The operator's endpoints under {@code /parley/}: the dashboard's admin session and the connection
 * inspector; usage is {@link UsageApi}. Not part of Stream's API.
 *
 * <p>Every endpoint but {@code POST /parley/admin/session} needs the API key and either a server token or
 * an admin session token ({@link OperatorAccess}).
 */
final class OpsApi {
    /**
     * Close code of a socket closed through {@code DELETE /parley/connections/{id}}. Not 1000, so that the
     * client reconnects (PROTOCOL.md §3.5).
     */
    static final int OPERATOR_CLOSE_CODE = 4000;

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    /** Closes one connection of this node with a close code; empty when it is not open here. */
    @FunctionalInterface
    interface ConnectionCloser {
        Optional<Session> closeConnection(String connectionId, int code, String reason);
    }

    private final OperatorAccess operator;
    private final AdminSession adminSessions;
    private final RateLimits rateLimits;
    private final ConnectionRegistry registry;
    private final ChannelHub hub;
    private final ConnectionCloser closer;

    OpsApi(
            OperatorAccess operator,
            AdminSession adminSessions,
            RateLimits rateLimits,
            ConnectionRegistry registry,
            ChannelHub hub,
            ConnectionCloser closer) {
        this.operator = requireNonNull(operator, "operator");
        this.adminSessions = requireNonNull(adminSessions, "adminSessions");
        this.rateLimits = requireNonNull(rateLimits, "rateLimits");
        this.registry = requireNonNull(registry, "registry");
        this.hub = requireNonNull(hub, "hub");
        this.closer = requireNonNull(closer, "closer");
    }

    void register(Router router) {
        router.addOpen("POST", "/parley/admin/session", this::adminSession);
        router.addOpen("GET", "/parley/connections", ctx -> operator.run(ctx, this::connections));
        router.addOpen("GET", "/parley/connections/users", ctx -> operator.run(ctx, this::duplicateUsers));
        router.addOpen(
                "DELETE", "/parley/connections/{connection_id}", ctx -> operator.run(ctx, this::closeConnection));
    }

    private ObjectNode adminSession(RequestContext ctx) {
        ObjectNode body = ctx.body();
        String key = body.path("api_key").asText(ctx.param("api_key"));
        String secret = body.path("api_secret").asText(null);
        if (key == null || key.isEmpty() || secret == null || secret.isEmpty()) {
            throw ChatException.input("CreateAdminSession failed with error: \"api_key and api_secret are required\"");
        }
        AdminSession.Issued issued = rateLimits.guardSecret(
                "CreateAdminSession", ctx.call().remoteAddress(), () -> adminSessions.issue(key, secret));
        ObjectNode out = Json.object();
        out.put("token", issued.token());
        out.put("expires_at", Timestamps.format(issued.expiresAt()));
        return out;
    }

    private ObjectNode connections(RequestContext ctx) {
        String user = ctx.param("user_id");
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<Session> all = (user == null || user.isEmpty() ? List.copyOf(registry.all()) : registry.sessionsOf(user))
                .stream().sorted(OLDEST_FIRST).toList();
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("connections");
        all.stream().skip(offset).limit(limit).forEach(s -> list.add(toJson(s)));
        out.put("total", all.size());
        out.put("offset", offset);
        out.put("limit", limit);
        return out;
    }

    private ObjectNode duplicateUsers(RequestContext ctx) {
        int min = intParam(ctx, "min", 2, 1, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        List<ConnectionRegistry.UserSockets> users = registry.usersWithAtLeast(min);
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("users");
        for (ConnectionRegistry.UserSockets u : users.subList(0, Math.min(limit, users.size()))) {
            ObjectNode o = list.addObject();
            o.put("user_id", u.userId());
            o.put("connection_count", u.sessions().size());
            ArrayNode conns = o.putArray("connections");
            u.sessions().stream().sorted(OLDEST_FIRST).forEach(s -> conns.add(toJson(s)));
        }
        out.put("total", users.size());
        out.put("min", min);
        return out;
    }

    private ObjectNode closeConnection(RequestContext ctx) {
        String id = ctx.pathParam("connection_id");
        Session s = closer.closeConnection(id, OPERATOR_CLOSE_CODE, "closed by the operator")
                .orElseThrow(() -> ChatException.notFound(
                        ctx.endpoint() + " failed with error: \"connection '" + id + "' is not open on this server\""));
        ObjectNode out = Json.object();
        out.put("connection_id", id);
        out.put("user_id", s.userId());
        out.put("close_code", OPERATOR_CLOSE_CODE);
        return out;
    }

    private static final Comparator<Session> OLDEST_FIRST =
            Comparator.comparing(Session::connectedAt).thenComparing(Session::connectionId);

    private ObjectNode toJson(Session s) {
        ObjectNode o = Json.object();
        o.put("connection_id", s.connectionId());
        o.put("user_id", s.userId());
        o.put("connected_at", Timestamps.format(s.connectedAt()));
        o.put("last_heartbeat", Timestamps.format(s.lastHeartbeat()));
        o.put("client", s.client());
        o.put("remote_address", s.remoteAddress());
        o.put("user_agent", s.userAgent());
        o.put("watched_channels", hub.watchCount(s));
        o.put("outbound_queue_bytes", s.outboundQueueBytes());
        return o;
    }

    /** The integer query parameter {@code name} of an operator endpoint, {@code fallback} when absent. */
    static int intParam(RequestContext ctx, String name, int fallback, int min, int max) {
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
