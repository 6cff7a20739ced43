package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import dev.parley.server.uploads.Uploads;
import java.util.function.Supplier;

/**
 * Channel uploads (PROTOCOL.md §7.9 C18, C19). The body is multipart, so a server token names the acting
 * user with {@code user_id} in the query (or the form field {@code user}). The transport streams the body
 * to disk and decodes it, once the head has passed the admission checks here; serving the files is the
 * transport's {@code FileDownloads}.
 */
final class UploadsApi {
    private final Uploads uploads;
    private final Supplier<AppSettings> settings;
    private final ChatActors actors;

    UploadsApi(Uploads uploads, Supplier<AppSettings> settings, ChatActors actors) {
        this.uploads = requireNonNull(uploads, "uploads");
        this.settings = requireNonNull(settings, "settings");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.addStreamed("POST", "/channels/{type}/{id}/file", ctx -> admit(ctx, false), ctx -> upload(ctx, false));
        router.addStreamed("POST", "/channels/{type}/{id}/image", ctx -> admit(ctx, true), ctx -> upload(ctx, true));
        router.add("DELETE", "/channels/{type}/{id}/file", this::delete);
        router.add("DELETE", "/channels/{type}/{id}/image", this::delete);
    }

    private void admit(RequestContext ctx, boolean image) {
        baseUrl(ctx);
        uploads.admit(actors.of(ctx, Json.object()), ChannelsApi.cid(ctx), image);
    }

    private ObjectNode upload(RequestContext ctx, boolean image) {
        var call = ctx.call();
        if (call.form() == null) {
            throw ChatException.input((image ? "UploadImage" : "UploadFile")
                    + " failed with error: \"the body must be multipart/form-data\"");
        }
        var config = settings.get().toJson().get(image ? "image_upload_config" : "file_upload_config");
        return uploads.upload(
                actors.of(ctx, Json.object()), ChannelsApi.cid(ctx), image, call.form(), config, baseUrl(ctx));
    }

    private static String baseUrl(RequestContext ctx) {
        return Uploads.baseUrl(ctx.call().header("host"), ctx.call().header("x-forwarded-proto"));
    }

    private ObjectNode delete(RequestContext ctx) {
        return uploads.delete(actors.of(ctx, Json.object()), ChannelsApi.cid(ctx), ctx.param("url"));
    }
}
