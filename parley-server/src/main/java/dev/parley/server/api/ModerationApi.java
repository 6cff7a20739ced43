package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.moderation.Bans;
import dev.parley.server.moderation.Flags;
import dev.parley.server.moderation.Moderation;

/**
 * The moderation endpoints (PROTOCOL.md §7.13 D1 to D8) and user blocks (§7.1 U11). A server token acts
 * for the {@code user_id} of the body or the query.
 */
final class ModerationApi {
    private final Moderation mod;
    private final Bans bans;
    private final Flags flags;
    private final ChatActors actors;

    ModerationApi(Moderation mod, Bans bans, Flags flags, ChatActors actors) {
        this.mod = requireNonNull(mod, "mod");
        this.bans = requireNonNull(bans, "bans");
        this.flags = requireNonNull(flags, "flags");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("POST", "/moderation/mute", ctx -> mod.mute(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute", ctx -> mod.unmute(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/mute/channel", ctx -> mod.muteChannel(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/unmute/channel", ctx -> mod.unmuteChannel(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/ban", ctx -> bans.ban(actors.of(ctx), ctx.body()));
        router.add(
                "DELETE",
                "/moderation/ban",
                ctx -> bans.unban(
                        actors.of(ctx),
                        ctx.param("target_user_id"),
                        ctx.param("type"),
                        ctx.param("id"),
                        "true".equals(ctx.param("remove_future_channels_ban"))));
        router.add("GET", "/query_banned_users", this::queryBanned);
        router.add("GET", "/query_future_channel_bans", ctx -> {
            ObjectNode payload = ctx.payload();
            return bans.queryFuture(actors.of(ctx, payload), payload);
        });
        router.add("POST", "/moderation/flag", ctx -> flags.flag(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/unflag", ctx -> {
            ctx.requireIdentified();
            return Json.object();
        });
        router.add("POST", "/users/block", ctx -> mod.block(actors.of(ctx), ctx.body()));
        router.add("POST", "/users/unblock", ctx -> mod.unblock(actors.of(ctx), ctx.body()));
        router.add("GET", "/users/block", ctx -> mod.blocks(actors.of(ctx)));
    }

    private ObjectNode queryBanned(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return bans.query(actors.of(ctx, payload), payload);
    }
}
