package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.moderation.Moderation;
import dev.parley.server.uploads.Uploads;

/**
 * The moderation endpoints (PROTOCOL.md §7.13 D1 to D8), user blocks (§7.1 U11), message search (§7.12) and
 * channel uploads (§7.9 C18, C19). A server token acts
 * for the {@code user_id} of the body or the query.
 */
final class ModerationApi {

    void register(Router router) {
        router.add("POST", "/moderation/mute", ctx -> mod(ctx).mute(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute", ctx -> mod(ctx).unmute(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/mute/channel", ctx -> mod(ctx).muteChannel(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute/channel", ctx -> mod(ctx).unmuteChannel(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/ban", ctx -> mod(ctx).bans().ban(actor(ctx), ctx.body()));
        router.add("DELETE", "/moderation/ban", ctx -> mod(ctx).bans().unban(actor(ctx), ctx.param("target_user_id"),
                ctx.param("type"), ctx.param("id")));
        router.add("GET", "/query_banned_users", this::queryBanned);
        router.add("POST", "/moderation/flag", ctx -> mod(ctx).flags().flag(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unflag", ctx -> {
            ctx.requireIdentified();
            return dev.parley.protocol.Json.object();
        });
        router.add("POST", "/users/block", ctx -> mod(ctx).block(actor(ctx), ctx.body()));
        router.add("POST", "/users/unblock", ctx -> mod(ctx).unblock(actor(ctx), ctx.body()));
        router.add("GET", "/users/block", ctx -> mod(ctx).blocks(actor(ctx)));
        router.add("GET", "/search", this::search);
        router.add("POST", "/channels/{type}/{id}/file", ctx -> upload(ctx, false));
        router.add("POST", "/channels/{type}/{id}/image", ctx -> upload(ctx, true));
        router.add("DELETE", "/channels/{type}/{id}/file", this::deleteUpload);
        router.add("DELETE", "/channels/{type}/{id}/image", this::deleteUpload);
    }

    private ObjectNode queryBanned(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return mod(ctx).bans().query(actor(ctx, payload), payload);
    }

    /** S1 {@code GET /search?payload=} (§7.12). */
    private ObjectNode search(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return ctx.node().search().search(actor(ctx, payload), payload);
    }

    /** C18: the body is multipart, so the acting user of a server token comes from the query. */
    private ObjectNode upload(RequestContext ctx, boolean image) {
        var call = ctx.call();
        String base = Uploads.baseUrl(call.header("host"), call.header("x-forwarded-proto"));
        var config = ctx.node().settings().toJson().get(image ? "image_upload_config" : "file_upload_config");
        return ctx.node().uploads().upload(actor(ctx, Json.object()), ChannelsApi.cid(ctx), image,
                call.header("content-type"), call.body(), config, base);
    }

    /** C19. */
    private ObjectNode deleteUpload(RequestContext ctx) {
        return ctx.node().uploads().delete(actor(ctx, Json.object()), ChannelsApi.cid(ctx), ctx.param("url"));
    }

    private static Moderation mod(RequestContext ctx) {
        return ctx.node().moderation();
    }
}
