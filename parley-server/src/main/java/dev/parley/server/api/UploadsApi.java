package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.uploads.Uploads;

/**
 * Channel uploads (PROTOCOL.md §7.9 C18, C19). The body is multipart, so a server token names the acting
 * user with {@code user_id} in the query (or the form field {@code user}). The transport streams the body
 * to disk and decodes it, once the head has passed the admission checks here; serving the files is the
 * transport's {@code UploadFiles}.
 */
final class UploadsApi {

    void register(Router router) {
        router.addStreamed("POST", "/channels/{type}/{id}/file", ctx -> admit(ctx, false), ctx -> upload(ctx, false));
        router.addStreamed("POST", "/channels/{type}/{id}/image", ctx -> admit(ctx, true), ctx -> upload(ctx, true));
        router.add("DELETE", "/channels/{type}/{id}/file", this::delete);
        router.add("DELETE", "/channels/{type}/{id}/image", this::delete);
    }

    private void admit(RequestContext ctx, boolean image) {
        baseUrl(ctx);
        ctx.node().uploads().admit(actor(ctx, Json.object()), ChannelsApi.cid(ctx), image);
    }

    private ObjectNode upload(RequestContext ctx, boolean image) {
        var call = ctx.call();
        if (call.form() == null) {
            throw ChatException.input((image ? "UploadImage" : "UploadFile")
                    + " failed with error: \"the body must be multipart/form-data\"");
        }
        var config = ctx.node().settings().toJson().get(image ? "image_upload_config" : "file_upload_config");
        return ctx.node()
                .uploads()
                .upload(actor(ctx, Json.object()), ChannelsApi.cid(ctx), image, call.form(), config, baseUrl(ctx));
    }

    private static String baseUrl(RequestContext ctx) {
        return Uploads.baseUrl(ctx.call().header("host"), ctx.call().header("x-forwarded-proto"));
    }

    private ObjectNode delete(RequestContext ctx) {
        return ctx.node().uploads().delete(actor(ctx, Json.object()), ChannelsApi.cid(ctx), ctx.param("url"));
    }
}
