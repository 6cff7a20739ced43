package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.Chat;
import dev.parley.server.ChatNode;
import dev.parley.server.auth.AdminSession;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.auth.Caller;
import dev.parley.server.events.Events;
import dev.parley.server.hooks.RequestInfo;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.ratelimit.RateLimits;
import dev.parley.server.users.UserService;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The REST surface (PROTOCOL.md §7): checks the key and the token, routes, runs the handler and turns
 * every outcome into JSON: a success body with {@code duration}, or the error envelope (§10.1). No
 * exception escapes and no stack trace reaches a client. Blocking: call from a virtual thread.
 *
 * <p>Its constructor is where the REST layer is put together: each handler class ({@code UsersApi},
 * {@code ChannelsApi}...) gets the node's services it uses, and only those; no handler sees the node.
 */
public final class RestApi {
    /** Methods kept as such in the latency metric; any other is counted as {@code OTHER}. */
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final Authenticator authenticator;
    private final RateLimits rateLimits;
    private final UserService users;
    private final Metrics metrics;
    private final Router router;
    private final InternalErrors internalErrors = new InternalErrors();

    public RestApi(ChatNode node) {
        requireNonNull(node, "node");
        this.authenticator = node.authenticator();
        this.rateLimits = node.rateLimits();
        this.users = node.users();
        this.metrics = node.metrics();
        this.router = routes(node);
    }

    /**
     * Every endpoint of the REST surface, each handler class built with the node's parts it uses. The
     * channel types and the channel hub are the chat core's.
     */
    private static Router routes(ChatNode node) {
        Router router = new Router();
        Chat chat = node.chat();
        ChatActors actors = new ChatActors(node.users(), node.clock());
        AdminSession adminSessions =
                new AdminSession(node.config().apiKey(), node.config().apiSecret(), node.clock());
        OperatorAccess operator = new OperatorAccess(node.authenticator(), adminSessions, node::settings);
        router.addOpen("GET", "/hi", ctx -> Json.object());
        // For load balancers and orchestrators: alive (the process answers), and ready for new connections; a
        // node of a cluster names itself, so that one can tell which node a proxy reached.
        router.addOpen("GET", "/healthz", ctx -> withNode(Json.object().put("status", "ok"), node.nodeId()));
        router.addOpen("GET", "/readyz", ctx -> {
            String why = node.unready();
            if (why != null) {
                throw new ChatException(ErrorCode.NOT_READY, why);
            }
            return withNode(Json.object().put("status", "ready"), node.nodeId());
        });
        RemoteSubscriptions remote = node.cluster() == null ? RemoteSubscriptions.NONE : node::subscribeElsewhere;
        new UsersApi(
                        node.users(),
                        node.presence(),
                        node.events(),
                        node.registry(),
                        node::closeSessionsOf,
                        node.clock(),
                        remote,
                        node.tasks(),
                        node.exports())
                .register(router);
        new AppApi(node::settings, node::patchSettings).register(router);
        new GuestApi(node.users(), node::settings, node.config().apiSecret(), node.clock()).register(router);
        new WebhooksApi(node.webhooks(), operator).register(router);
        new ChannelsApi(
                        chat.channels(),
                        chat.admin(),
                        chat.admin().members(),
                        chat.members(),
                        chat.messages(),
                        node.commands(),
                        chat.edits(),
                        chat.reads(),
                        actors,
                        node.registry(),
                        remote)
                .register(router);
        new CommandsApi(node::settings, node::changeSettings, chat.types(), node.commands(), actors, node.clock())
                .register(router);
        new PushApi(node::settings, node::changeSettings, node.push(), node.pushPreferences(), node.clock())
                .register(router);
        new ChannelTypesApi(
                        node::settings,
                        node::changeSettings,
                        chat.types(),
                        chat.channels()::anyOfType,
                        node.blocklists()::exists,
                        node.clock())
                .register(router);
        new MessagesApi(
                        chat.edits(),
                        chat.reactions(),
                        chat.threads(),
                        chat.reads(),
                        chat.devices(),
                        chat.types(),
                        actors,
                        node.registry())
                .register(router);
        new PollsApi(chat.polls(), actors).register(router);
        new ModerationApi(
                        node.moderation(),
                        node.moderation().bans(),
                        node.moderation().flags(),
                        actors)
                .register(router);
        new FlagReportsApi(node.flagReports(), node.blocklists(), chat.edits(), actors).register(router);
        new ModerationV2Api(
                        node.reviewQueue(),
                        node.moderation(),
                        chat.edits(),
                        actors,
                        node.moderationConfigs(),
                        node.moderationRules(),
                        node.moderationChecks())
                .register(router);
        new SearchApi(node.search(), actors).register(router);
        new OgApi(node.linkPreviews()).register(router);
        new DraftsApi(chat.drafts(), actors).register(router);
        new RemindersApi(node.reminders(), actors).register(router);
        new ExportsApi(node.userExport(), node.exports()).register(router);
        new ImportsApi(node.imports()).register(router);
        new LocationsApi(chat.locations(), actors).register(router);
        new UploadsApi(node.uploads(), node::settings, actors).register(router);
        dev.parley.server.cluster.RedisBroker cluster = node.cluster();
        OpsApi ops = new OpsApi(
                operator,
                adminSessions,
                node.rateLimits(),
                node.registry(),
                node.watchers(),
                node::closeConnection,
                cluster == null ? null : new OpsApi.Cluster(cluster.registry(), cluster.nodeId(), node::askNodes));
        ops.register(router);
        node.answerOperatorQuestions(ops::answer);
        new UsageApi(
                        operator,
                        new UsageApi.Live() {
                            @Override
                            public long connections() {
                                return node.currentConnections();
                            }

                            @Override
                            public long users() {
                                return node.currentUsers();
                            }

                            @Override
                            public long usersWithSeveral() {
                                return node.currentUsersWithSeveral();
                            }

                            @Override
                            public dev.parley.server.usage.ConnectionRegistry.DayPeak todaysPeak() {
                                return node.todaysPeak();
                            }
                        },
                        node.registry(),
                        node.connectionPolicy(),
                        node.concurrency(),
                        node::peakConnections,
                        node::countActiveUsers,
                        node.clock())
                .register(router);
        new RateLimitsApi(node.rateLimits()).register(router);
        return router;
    }

    /** Every endpoint of the REST surface; tests walk it to check each route. */
    Router router() {
        return router;
    }

    /** Handles one call; never throws. */
    public HttpResult handle(HttpCall call) {
        long start = System.nanoTime();
        String[] route = {"unmatched"};
        RateLimits.Quota[] quota = {null};
        HttpResult result = handle(call, start, route, quota);
        if (quota[0] != null) {
            result = new HttpResult(result.status(), result.body(), quota[0].headers());
        }
        metrics.restRequest(
                METHODS.contains(call.method()) ? call.method() : "OTHER",
                route[0],
                result.status(),
                System.nanoTime() - start);
        return result;
    }

    /**
     * Checks the head of a call whose body the transport streams (uploads) before any body byte is
     * accepted: the route, the key, the token and the route's own admission checks, exactly as
     * {@link #handle} would make them. Empty when the body may come; else the refusal to send, which is
     * counted as the call's answer. Never throws.
     */
    public Optional<HttpResult> admit(HttpCall head) {
        long start = System.nanoTime();
        String[] route = {"unmatched"};
        RateLimits.Quota[] quota = {null};
        HttpResult refusal = run(head, start, () -> {
            Router.Match match = match(head);
            route[0] = match.route().template();
            Router.Admission admission = match.route().admission();
            if (admission != null) {
                admission.check(context(head, match, quota));
            }
            return null;
        });
        if (refusal != null) {
            if (quota[0] != null) {
                refusal = new HttpResult(refusal.status(), refusal.body(), quota[0].headers());
            }
            metrics.restRequest(
                    METHODS.contains(head.method()) ? head.method() : "OTHER",
                    route[0],
                    refusal.status(),
                    System.nanoTime() - start);
        }
        return Optional.ofNullable(refusal);
    }

    private HttpResult handle(HttpCall call, long start, String[] route, RateLimits.Quota[] quota) {
        return run(call, start, () -> {
            Router.Match match = match(call);
            route[0] = match.route().template();
            RequestContext ctx = context(call, match, quota);
            ObjectNode body = RequestInfo.during(
                    () -> RequestInfo.json(
                            ctx.caller().isServer(),
                            call.remoteAddress(),
                            call.header("user-agent"),
                            call.header("x-stream-client")),
                    () -> match.handler().handle(ctx));
            body.put("duration", duration(start));
            return new HttpResult(200, body);
        });
    }

    /** Runs {@code work}, turning every failure into the error envelope. */
    private HttpResult run(HttpCall call, long start, Supplier<HttpResult> work) {
        try {
            return work.get();
        } catch (ChatException e) {
            return new HttpResult(e.statusCode(), Events.envelope(e, duration(start)));
        } catch (RuntimeException e) {
            ChatException cause = unwrap(e);
            if (cause != null) {
                return new HttpResult(cause.statusCode(), Events.envelope(cause, duration(start)));
            }
            if (databaseBusy(e)) {
                // The store's connection pool stayed exhausted for its whole wait: overload, not a fault.
                ChatException busy = new ChatException(
                        ErrorCode.NOT_READY, "the database is busy: no connection within the wait; retry shortly");
                return new HttpResult(busy.statusCode(), Events.envelope(busy, duration(start)));
            }
            internalErrors.failed(call, e);
            ChatException internal =
                    new ChatException(ErrorCode.INTERNAL, "internal error; the server log has details");
            return new HttpResult(500, Events.envelope(internal, duration(start)));
        }
    }

    /** {@code o} with the node's id as {@code node} when the node is part of a cluster. */
    private static ObjectNode withNode(ObjectNode o, @Nullable String nodeId) {
        return nodeId == null ? o : o.put("node", nodeId);
    }

    /** Whether a failure is the store's pool finding no free connection in time (JDBC's transient kind). */
    static boolean databaseBusy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private Router.Match match(HttpCall call) {
        boolean[] methodMismatch = {false};
        Optional<Router.Match> match = router.match(call.method(), call.path(), methodMismatch);
        if (match.isEmpty()) {
            String what = methodMismatch[0]
                    ? "method " + call.method() + " is not allowed on " + call.path()
                    : "no endpoint at " + call.method() + " " + call.path();
            throw new ChatException(ErrorCode.NOT_FOUND, what);
        }
        return match.get();
    }

    /**
     * Checks the key, the token and the caller's rate limit unless the route is open, and builds the
     * handler's context. An upload's body ({@code form}) was counted when its head was admitted.
     */
    private RequestContext context(HttpCall call, Router.Match match, RateLimits.Quota[] quota) {
        Router.Route route = match.route();
        Authenticator.Identity identity = null;
        if (!route.anonymousAllowed()) {
            authenticator.checkApiKey(call.param("api_key"));
            identity = authenticator.authenticate(authType(call), call.header("authorization"), true);
            if (call.form() == null) {
                quota[0] = rateLimits
                        .admit(
                                identity.caller(),
                                call.header("x-stream-client"),
                                call.remoteAddress(),
                                route.method(),
                                route.template())
                        .orElse(null);
                if (quota[0] != null && !quota[0].allowed()) {
                    throw quota[0].refusal();
                }
            }
            if (identity.caller() instanceof Caller.UserCaller u) {
                User caller = users.find(u.userId()).orElse(null);
                Authenticator.checkRevocation(identity, caller);
                if (caller != null && caller.isDisabled()) {
                    throw ChatException.notAllowed("user '" + u.userId() + "' is "
                            + (caller.deletedAt() != null ? "deleted" : "deactivated") + " and cannot call the API");
                }
            }
        }
        return new RequestContext(identity, call, match.pathParams(), endpointName(route));
    }

    private static @Nullable String authType(HttpCall call) {
        String t = call.header("stream-auth-type");
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    private static String endpointName(Router.Route route) {
        return route.method() + " " + route.template();
    }

    private static @Nullable ChatException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ChatException c) {
                return c;
            }
        }
        return null;
    }

    private static String duration(long startNanos) {
        return String.format(Locale.ROOT, "%.2fms", (System.nanoTime() - startNanos) / 1e6);
    }
}
