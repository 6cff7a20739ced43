package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.uploads.Uploads;

/**
 * Channel uploads (PROTOCOL.md §7.9 C18, C19). The body is multipart, so a server token names the acting
 * user with {@code user_id} in the query (or the form field {@code user}). Serving the files is the
 * transport's {@code UploadFiles}.
 */
final class UploadsApi {

    void register(Router router) {
        router.add("POST", "/channels/{type}/{id}/file", ctx -> upload(ctx, false));
        router.add("POST", "/channels/{type}/{id}/image", ctx -> upload(ctx, true));
        router.add("DELETE", "/channels/{type}/{id}/file", this::delete);
        router.add("DELETE", "/channels/{type}/{id}/image", this::delete);
    }

    private ObjectNode upload(RequestContext ctx, boolean image) {
        var call = ctx.call();
        String base = Uploads.baseUrl(call.header("host"), call.header("x-forwarded-proto"));
        var config = ctx.node().settings().toJson().get(image ? "image_upload_config" : "file_upload_config");
        return ctx.node().uploads().upload(actor(ctx, Json.object()), ChannelsApi.cid(ctx), image,
                call.header("content-type"), call.body(), config, base);
    }

    private ObjectNode delete(RequestContext ctx) {
        return ctx.node().uploads().delete(actor(ctx, Json.object()), ChannelsApi.cid(ctx), ctx.param("url"));
    }
}
