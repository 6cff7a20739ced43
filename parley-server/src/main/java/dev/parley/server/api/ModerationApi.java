package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.moderation.Moderation;

/**
 * The moderation endpoints (PROTOCOL.md §7.13 D1 to D8) and user blocks (§7.1 U11). A server token acts
 * for the {@code user_id} of the body or the query.
 */
final class ModerationApi {

    void register(Router router) {
        router.add("POST", "/moderation/mute", ctx -> mod(ctx).mute(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute", ctx -> mod(ctx).unmute(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/mute/channel", ctx -> mod(ctx).muteChannel(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute/channel", ctx -> mod(ctx).unmuteChannel(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/ban", ctx -> mod(ctx).bans().ban(actor(ctx), ctx.body()));
        router.add(
                "DELETE",
                "/moderation/ban",
                ctx -> mod(ctx).bans()
                        .unban(actor(ctx), ctx.param("target_user_id"), ctx.param("type"), ctx.param("id")));
        router.add("GET", "/query_banned_users", this::queryBanned);
        router.add("POST", "/moderation/flag", ctx -> mod(ctx).flags().flag(actor(ctx), ctx.body()));
        router.add("POST", "/moderation/unflag", ctx -> {
            ctx.requireIdentified();
            return Json.object();
        });
        router.add("POST", "/users/block", ctx -> mod(ctx).block(actor(ctx), ctx.body()));
        router.add("POST", "/users/unblock", ctx -> mod(ctx).unblock(actor(ctx), ctx.body()));
        router.add("GET", "/users/block", ctx -> mod(ctx).blocks(actor(ctx)));
    }

    private ObjectNode queryBanned(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return mod(ctx).bans().query(actor(ctx, payload), payload);
    }

    private static Moderation mod(RequestContext ctx) {
        return ctx.node().moderation();
    }
}
