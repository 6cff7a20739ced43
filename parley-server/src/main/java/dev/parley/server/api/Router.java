package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches a method and a path against templates such as {@code /users/{id}/deactivate}. Immutable once
 * built; thread-safe.
 */
final class Router {
    /** A REST handler: a plain function of the request context to the success body. */
    @FunctionalInterface
    interface Handler {
        ObjectNode handle(RequestContext ctx);
    }

    /** The checks of a streamed route that need only the request head: they throw to refuse the body. */
    @FunctionalInterface
    interface Admission {
        void check(RequestContext ctx);
    }

    /** A route; {@code admission} is null unless the transport streams the route's body ({@link #addStreamed}). */
    record Route(String method, String template, String[] segments, boolean anonymousAllowed, Handler handler,
            Admission admission) {}

    record Match(Route route, Map<String, String> pathParams) {}

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), false, handler, null));
        return this;
    }

    /**
     * A route whose body the transport streams rather than holds (uploads): {@code admission} runs on the
     * request head, after the key and the token, before any body byte is accepted.
     */
    Router addStreamed(String method, String template, Admission admission, Handler handler) {
        routes.add(new Route(method, template, split(template), false, handler, admission));
        return this;
    }

    /** A route that needs no token, such as {@code GET /hi}. */
    Router addOpen(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), true, handler, null));
        return this;
    }

    /** The matching route; when only the method differs, {@code methodMismatch} is set. */
    Optional<Match> match(String method, String path, boolean[] methodMismatch) {
        String[] parts = split(path);
        for (Route r : routes) {
            Map<String, String> params = matchPath(r.segments(), parts);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return Optional.of(new Match(r, params));
            }
            methodMismatch[0] = true;
        }
        return Optional.empty();
    }

    private static Map<String, String> matchPath(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
