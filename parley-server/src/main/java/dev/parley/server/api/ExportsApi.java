package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.exports.Exports;
import dev.parley.server.exports.UserExport;
import dev.parley.server.uploads.Uploads;

/** Exports of the app's data (PROTOCOL.md §7.31, §17.6); server side only. */
final class ExportsApi {
    private final UserExport users;
    private final Exports exports;

    ExportsApi(UserExport users, Exports exports) {
        this.users = requireNonNull(users, "users");
        this.exports = requireNonNull(exports, "exports");
    }

    void register(Router router) {
        router.add("GET", "/users/{id}/export", ctx -> {
            ctx.requireServer();
            return users.export(ctx.pathParam("id"));
        });
        router.add("POST", "/export_channels", ctx -> {
            ctx.requireServer();
            return Json.object().put("task_id", exports.exportChannels(ctx.body()));
        });
        router.add("GET", "/export_channels/{id}", ctx -> {
            ctx.requireServer();
            String id = ctx.pathParam("id");
            return exports.status(id, Exports.CHANNELS, () -> baseUrl(ctx))
                    .orElseThrow(() -> ChatException.notFound(
                            "GetExportChannelsStatus failed with error: \"export task '" + id + "' does not exist\""));
        });
        router.add("POST", "/export/users", ctx -> {
            ctx.requireServer();
            return Json.object().put("task_id", exports.exportUsers(ctx.body()));
        });
    }

    /** Where this server is reached, as the request says: the base of download links (as of uploads). */
    static String baseUrl(RequestContext ctx) {
        return Uploads.baseUrl(ctx.call().header("host"), ctx.call().header("x-forwarded-proto"));
    }
}
