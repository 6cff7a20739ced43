package dev.parley.server.api;

import dev.parley.protocol.ChatException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Databases refuse NUL characters in text (PostgreSQL fails the statement); the chat endpoints refuse
 * them up front as input errors, wherever they hide: the path, the query parameters, or the body (where
 * JSON can only carry them escaped as {@code \u0000}).
 */
final class NulGuard {
    private NulGuard() {}

    /** Registers routes. */
    @FunctionalInterface
    interface Registrar {
        void add(String method, String template, Router.Handler handler);
    }

    /** Registers every handler on {@code target} behind this guard. */
    static Registrar guarding(Router target) {
        return (method, template, handler) -> target.add(method, template, guard(handler));
    }

    static Router.Handler guard(Router.Handler handler) {
        return ctx -> {
            check(ctx.call().path(), "path");
            ctx.call().query().forEach((k, v) -> {
                check(k, "query parameter");
                check(v, "query parameter " + k);
                if (v != null && v.toLowerCase(Locale.ROOT).contains("\\u0000")) {
                    throw ChatException.input("query parameter " + k + " contains a NUL character");
                }
            });
            byte[] body = ctx.call().body();
            if (body.length > 0 && new String(body, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("\\u0000")) {
                throw ChatException.input("request body contains a NUL character");
            }
            return handler.handle(ctx);
        };
    }

    private static void check(String s, String where) {
        if (s != null && s.indexOf('\u0000') >= 0) {
            throw ChatException.input(where + " contains a NUL character");
        }
    }
}
