package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.server.exports.UserExport;

/** Exports of the app's data (PROTOCOL.md §7.31); server side only. */
final class ExportsApi {
    private final UserExport users;

    ExportsApi(UserExport users) {
        this.users = requireNonNull(users, "users");
    }

    void register(Router router) {
        router.add("GET", "/users/{id}/export", ctx -> {
            ctx.requireServer();
            return users.export(ctx.pathParam("id"));
        });
    }
}
