package dev.parley.server.api;

import dev.parley.protocol.ChatException;

/**
 * Databases refuse NUL characters in text (PostgreSQL fails the statement); every endpoint refuses them up
 * front as input errors, wherever they hide: the path, the query parameters, or the body (where JSON can
 * only carry them escaped as {@code \u0000}). {@link Router} puts every handler behind this guard, so
 * that no endpoint can forget it. User documents are checked once more, value by value, before they are
 * written ({@code StorableValues}), as they also arrive over the WebSocket connect.
 */
final class NulGuard {
    private NulGuard() {}

    static Router.Handler guard(Router.Handler handler) {
        return ctx -> {
            checkHead(ctx);
            // A streamed upload is not JSON: its bytes may spell a backslash and u0000 and mean nothing by it. Every
            // body held in memory is read as JSON, whatever its Content-Type says, so it is checked.
            if (ctx.call().form() == null && hasNulEscape(ctx.call().body())) {
                throw ChatException.input("request body contains a NUL character");
            }
            return handler.handle(ctx);
        };
    }

    /** The admission of a streamed route runs on the head alone: its path and query are guarded the same way. */
    static Router.Admission guard(Router.Admission admission) {
        return ctx -> {
            checkHead(ctx);
            admission.check(ctx);
        };
    }

    private static void checkHead(RequestContext ctx) {
        check(ctx.call().path(), "path");
        ctx.call().query().forEach((k, v) -> {
            check(k, "query parameter");
            check(v, "query parameter " + k);
            if (v != null && hasNulEscape(v)) {
                throw ChatException.input("query parameter " + k + " contains a NUL character");
            }
        });
    }

    private static void check(String s, String where) {
        if (s != null && s.indexOf('\u0000') >= 0) {
            throw ChatException.input(where + " contains a NUL character");
        }
    }

    /** Whether JSON text holds the escape {@code \u0000}, and not an escaped backslash followed by u0000. */
    static boolean hasNulEscape(CharSequence s) {
        int backslashes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (backslashes % 2 == 1
                    && c == 'u'
                    && i + 4 < s.length()
                    && s.charAt(i + 1) == '0'
                    && s.charAt(i + 2) == '0'
                    && s.charAt(i + 3) == '0'
                    && s.charAt(i + 4) == '0') {
                return true;
            }
            backslashes = 0;
        }
        return false;
    }

    /** As {@link #hasNulEscape(CharSequence)} on UTF-8 bytes: the escape is ASCII, so no decoding is needed. */
    static boolean hasNulEscape(byte[] s) {
        int backslashes = 0;
        for (int i = 0; i < s.length; i++) {
            byte c = s[i];
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (backslashes % 2 == 1
                    && c == 'u'
                    && i + 4 < s.length
                    && s[i + 1] == '0'
                    && s[i + 2] == '0'
                    && s[i + 3] == '0'
                    && s[i + 4] == '0') {
                return true;
            }
            backslashes = 0;
        }
        return false;
    }
}
