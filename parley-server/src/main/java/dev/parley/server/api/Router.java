package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
    record Route(
            String method,
            String template,
            String[] segments,
            boolean anonymousAllowed,
            @Nullable Handler handler,
            @Nullable Admission admission) {}

    /** A served route that matched a path: {@code handler} is the route's. */
    record Match(Route route, Handler handler, Map<String, String> pathParams) {}

    private final List<Route> routes = new ArrayList<>();

    /** A route behind the {@link NulGuard}, as every route is. */
    Router add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), false, NulGuard.guard(handler), null));
        return this;
    }

    /**
     * A route whose body the transport streams rather than holds (uploads): {@code admission} runs on the
     * request head, after the key and the token, before any body byte is accepted.
     */
    Router addStreamed(String method, String template, Admission admission, Handler handler) {
        routes.add(new Route(
                method, template, split(template), false, NulGuard.guard(handler), NulGuard.guard(admission)));
        return this;
    }

    /**
     * A streamed route that needs no key and no token because its URL is signed ({@code PUT /import_files/{id}}):
     * {@code admission} checks the signature on the request head before any body byte is accepted.
     */
    Router addStreamedOpen(String method, String template, Admission admission, Handler handler) {
        routes.add(
                new Route(method, template, split(template), true, NulGuard.guard(handler), NulGuard.guard(admission)));
        return this;
    }

    /** A route that needs no token, such as {@code GET /hi}. */
    Router addOpen(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), true, NulGuard.guard(handler), null));
        return this;
    }

    /** Every route, in the order added. */
    List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * An endpoint of the protocol this server does not serve. It answers as no endpoint at all, and its
     * literal segments keep the path away from the parameters of other routes: {@code POST /messages/history}
     * must never reach {@code POST /messages/{id}} as the message {@code history}.
     */
    Router addNotServed(String method, String template) {
        routes.add(new Route(method, template, split(template), false, null, null));
        return this;
    }

    /**
     * The route of {@code method} whose template matches the path; where several do, the one with a literal
     * segment at the first position where they differ, whatever the order they were added in. Empty when
     * none matches or the match is not served; when only the method differs, {@code methodMismatch} is set.
     */
    Optional<Match> match(String method, String path, boolean[] methodMismatch) {
        String[] parts = split(path);
        Route best = null;
        Map<String, String> bestParams = Map.of();
        for (Route r : routes) {
            Map<String, String> params = matchPath(r.segments(), parts);
            if (params == null) {
                continue;
            }
            if (!r.method().equals(method)) {
                methodMismatch[0] |= r.handler() != null;
                continue;
            }
            if (best == null || moreSpecific(r.segments(), best.segments())) {
                best = r;
                bestParams = params;
            }
        }
        if (best != null) {
            methodMismatch[0] = false;
        }
        if (best == null || best.handler() == null) {
            return Optional.empty();
        }
        return Optional.of(new Match(best, best.handler(), bestParams));
    }

    /** Whether {@code a} has a literal where {@code b} has a parameter, at the first position they differ so. */
    private static boolean moreSpecific(String[] a, String[] b) {
        for (int i = 0; i < a.length; i++) {
            boolean literalA = !isParam(a[i]);
            boolean literalB = !isParam(b[i]);
            if (literalA != literalB) {
                return literalA;
            }
        }
        return false;
    }

    private static boolean isParam(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static @Nullable Map<String, String> matchPath(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return null;
        }
        // Checked before anything is built: most routes a request is tried against do not match.
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (isParam(t) ? parts[i].isEmpty() : !t.equals(parts[i])) {
                return null;
            }
        }
        Map<String, String> params = new HashMap<>(4);
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (isParam(t)) {
                params.put(t.substring(1, t.length() - 1), parts[i]);
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
