package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.ChatNode;
import dev.parley.server.Events;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.auth.Caller;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The REST surface (PROTOCOL.md §7): checks the key and the token, routes, runs the handler and turns
 * every outcome into JSON: a success body with {@code duration}, or the error envelope (§10.1). No
 * exception escapes and no stack trace reaches a client. Blocking: call from a virtual thread.
 */
public final class RestApi {
    /** Methods kept as such in the latency metric; any other is counted as {@code OTHER}. */
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final ChatNode node;
    private final Router router = newRouter();
    private final InternalErrors internalErrors = new InternalErrors();

    public RestApi(ChatNode node) {
        this.node = requireNonNull(node, "node");
    }

    /** Every endpoint of the REST surface; tests walk it to check each route. */
    static Router newRouter() {
        Router router = new Router();
        router.addOpen("GET", "/hi", ctx -> Json.object());
        new UsersApi().register(router);
        new AppApi().register(router);
        new ChannelsApi().register(router);
        new MessagesApi().register(router);
        new ModerationApi().register(router);
        new SearchApi().register(router);
        new UploadsApi().register(router);
        new OpsApi().register(router);
        return router;
    }

    /** Handles one call; never throws. */
    public HttpResult handle(HttpCall call) {
        long start = System.nanoTime();
        String[] route = {"unmatched"};
        HttpResult result = handle(call, start, route);
        node.metrics().restRequest(METHODS.contains(call.method()) ? call.method() : "OTHER", route[0],
                result.status(), System.nanoTime() - start);
        return result;
    }

    private HttpResult handle(HttpCall call, long start, String[] route) {
        try {
            ObjectNode body = dispatch(call, route);
            body.put("duration", duration(start));
            return new HttpResult(200, body);
        } catch (ChatException e) {
            return new HttpResult(e.statusCode(), Events.envelope(e, duration(start)));
        } catch (RuntimeException e) {
            ChatException cause = unwrap(e);
            if (cause != null) {
                return new HttpResult(cause.statusCode(), Events.envelope(cause, duration(start)));
            }
            internalErrors.failed(call, e);
            ChatException internal = new ChatException(ErrorCode.INTERNAL, "internal error; the server log has details");
            return new HttpResult(500, Events.envelope(internal, duration(start)));
        }
    }

    private ObjectNode dispatch(HttpCall call, String[] routeTemplate) {
        boolean[] methodMismatch = {false};
        Optional<Router.Match> match = router.match(call.method(), call.path(), methodMismatch);
        if (match.isEmpty()) {
            String what = methodMismatch[0] ? "method " + call.method() + " is not allowed on " + call.path()
                    : "no endpoint at " + call.method() + " " + call.path();
            throw new ChatException(ErrorCode.NOT_FOUND, what);
        }
        Router.Route route = match.get().route();
        routeTemplate[0] = route.template();
        Authenticator.Identity identity = null;
        if (!route.anonymousAllowed()) {
            node.authenticator().checkApiKey(call.param("api_key"));
            identity = node.authenticator().authenticate(authType(call), call.header("authorization"));
            if (identity.caller() instanceof Caller.UserCaller u) {
                User caller = node.users().find(u.userId()).orElse(null);
                Authenticator.checkRevocation(identity, caller);
                if (caller != null && caller.isDisabled()) {
                    throw ChatException.notAllowed("user '" + u.userId() + "' is "
                            + (caller.deletedAt() != null ? "deleted" : "deactivated") + " and cannot call the API");
                }
            }
        }
        RequestContext ctx = new RequestContext(node, identity, call, match.get().pathParams(), endpointName(route));
        return route.handler().handle(ctx);
    }

    private static String authType(HttpCall call) {
        String t = call.header("stream-auth-type");
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    private static String endpointName(Router.Route route) {
        return route.method() + " " + route.template();
    }

    private static ChatException unwrap(Throwable e) {
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
