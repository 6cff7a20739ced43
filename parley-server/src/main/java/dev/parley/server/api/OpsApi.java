package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.auth.AdminSession;
import dev.parley.server.cluster.ClusterRegistry;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.ratelimit.RateLimits;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

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
    private final @Nullable Cluster cluster;

    /**
     * The cluster this node belongs to, for the operator's view of all of it: its registry, this node's id, and
     * a way to ask every other node a question ({@code ChatNode.askNodes}).
     */
    record Cluster(ClusterRegistry registry, String nodeId, Function<String, Map<String, String>> askOthers) {}

    OpsApi(
            OperatorAccess operator,
            AdminSession adminSessions,
            RateLimits rateLimits,
            ConnectionRegistry registry,
            ChannelHub hub,
            ConnectionCloser closer,
            @Nullable Cluster cluster) {
        this.cluster = cluster;
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
        router.addOpen("GET", "/parley/nodes", ctx -> operator.run(ctx, this::nodes));
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
        int offset = intParam(ctx, "offset", 0, 0, MAX_OFFSET);
        ObjectNode mine = localConnections(user, offset + limit);
        List<ObjectNode> merged = new ArrayList<>();
        mine.withArray("connections").forEach(c -> merged.add((ObjectNode) c));
        long total = mine.path("total").asLong();
        Cluster c = cluster;
        if (c != null) {
            // Every other node answers with its own first offset + limit, oldest first; the page is cut from all.
            String question = "ops.connections\n" + (user == null ? "" : user) + "\n" + (offset + limit);
            for (String answer : c.askOthers().apply(question).values()) {
                ObjectNode theirs = Json.parseObject(answer, "a node's answer");
                theirs.withArray("connections").forEach(x -> merged.add((ObjectNode) x));
                total += theirs.path("total").asLong();
            }
        }
        merged.sort(OLDEST_FIRST_JSON);
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("connections");
        merged.stream().skip(offset).limit(limit).forEach(list::add);
        out.put("total", total);
        out.put("offset", offset);
        out.put("limit", limit);
        return out;
    }

    /** The most a page may start at: a cluster's nodes each answer with their first offset + limit sockets. */
    static final int MAX_OFFSET = 100_000;

    /** This node's connections (of one user, or all), oldest first, the first {@code first}, with the total. */
    private ObjectNode localConnections(@Nullable String user, int first) {
        List<Session> all = (user == null || user.isEmpty() ? List.copyOf(registry.all()) : registry.sessionsOf(user))
                .stream().sorted(OLDEST_FIRST).toList();
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("connections");
        all.stream().limit(first).forEach(s -> list.add(toJson(s)));
        out.put("total", all.size());
        return out;
    }

    /**
     * Answers another node's question for the cluster's operator view: {@code ops.connections}, {@code ops.users}
     * or {@code ops.close}. Null for anything else.
     */
    @Nullable
    String answer(String question) {
        String[] parts = question.split("\n", -1);
        switch (parts[0]) {
            case "ops.connections" -> {
                if (parts.length < 3) {
                    return null;
                }
                int first;
                try {
                    first = Math.min(Integer.parseInt(parts[2]), MAX_OFFSET + MAX_LIMIT);
                } catch (NumberFormatException e) {
                    return null;
                }
                return Json.write(localConnections(parts[1].isEmpty() ? null : parts[1], first));
            }
            case "ops.users" -> {
                ObjectNode out = Json.object();
                for (int i = 1; i < parts.length && i <= MAX_LIMIT; i++) {
                    ArrayNode conns = out.putArray(parts[i]);
                    registry.sessionsOf(parts[i]).stream().sorted(OLDEST_FIRST).forEach(s -> conns.add(toJson(s)));
                }
                return Json.write(out);
            }
            case "ops.close" -> {
                if (parts.length < 2) {
                    return null;
                }
                return closer.closeConnection(parts[1], OPERATOR_CLOSE_CODE, "closed by the operator")
                        .map(Session::userId)
                        .orElse(null);
            }
            default -> {
                return null;
            }
        }
    }

    private ObjectNode nodes(RequestContext ctx) {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("nodes");
        Cluster c = cluster;
        if (c == null) {
            ObjectNode me = list.addObject();
            me.putNull("node_id");
            me.put("connections", registry.totalConnections());
            me.put("this_node", true);
            out.put("clustered", false);
            return out;
        }
        for (ClusterRegistry.NodeInfo n : c.registry().nodes()) {
            ObjectNode o = list.addObject();
            o.put("node_id", n.nodeId());
            o.put("address", n.address());
            o.put("connections", n.sockets());
            o.put("last_heartbeat", Timestamps.format(java.time.Instant.ofEpochMilli(n.lastHeartbeatMillis())));
            o.put("this_node", n.nodeId().equals(c.nodeId()));
        }
        out.put("clustered", true);
        return out;
    }

    private ObjectNode duplicateUsers(RequestContext ctx) {
        int min = intParam(ctx, "min", 2, 1, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Cluster c = cluster;
        if (c != null && min >= 2) {
            return clusterDuplicates(c, min, limit);
        }
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

    /** Users with several sockets anywhere in the cluster, with each socket and its node. */
    private ObjectNode clusterDuplicates(Cluster c, int min, int limit) {
        List<ClusterRegistry.UserCount> users = c.registry().usersWithAtLeast(min, limit);
        Map<String, List<ObjectNode>> byUser = new java.util.LinkedHashMap<>();
        users.forEach(u -> byUser.put(u.userId(), new ArrayList<>()));
        if (!users.isEmpty()) {
            String question = "ops.users\n" + String.join("\n", byUser.keySet());
            List<String> answers = new ArrayList<>(c.askOthers().apply(question).values());
            answers.add(answer(question));
            for (String answer : answers) {
                if (answer == null) {
                    continue;
                }
                Json.parseObject(answer, "a node's answer").properties().forEach(e -> {
                    List<ObjectNode> mine = byUser.get(e.getKey());
                    if (mine != null) {
                        e.getValue().forEach(x -> mine.add((ObjectNode) x));
                    }
                });
            }
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("users");
        byUser.forEach((user, conns) -> {
            ObjectNode o = list.addObject();
            o.put("user_id", user);
            o.put("connection_count", conns.size());
            ArrayNode arr = o.putArray("connections");
            conns.stream().sorted(OLDEST_FIRST_JSON).forEach(arr::add);
        });
        out.put("total", c.registry().countUsersWithAtLeast(min));
        out.put("min", min);
        return out;
    }

    private ObjectNode closeConnection(RequestContext ctx) {
        String id = ctx.pathParam("connection_id");
        String user = closer.closeConnection(id, OPERATOR_CLOSE_CODE, "closed by the operator")
                .map(Session::userId)
                .orElse(null);
        Cluster c = cluster;
        if (user == null && c != null) {
            ClusterRegistry.Placement where = c.registry().whereIs(id);
            if (where != null && !where.nodeId().equals(c.nodeId())) {
                String answered = c.askOthers().apply("ops.close\n" + id).get(where.nodeId());
                user = answered == null || answered.isEmpty() ? null : answered;
            }
        }
        if (user == null) {
            throw ChatException.notFound(
                    ctx.endpoint() + " failed with error: \"connection '" + id + "' is not open on this server\"");
        }
        ObjectNode out = Json.object();
        out.put("connection_id", id);
        out.put("user_id", user);
        out.put("close_code", OPERATOR_CLOSE_CODE);
        return out;
    }

    /** Oldest first, as {@link #OLDEST_FIRST}, for connections another node described. */
    private static final Comparator<ObjectNode> OLDEST_FIRST_JSON = Comparator.comparing(
                    (ObjectNode o) -> o.path("connected_at").asText())
            .thenComparing(o -> o.path("connection_id").asText());

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
        Cluster c = cluster;
        if (c != null) {
            o.put("node", c.nodeId());
        }
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
