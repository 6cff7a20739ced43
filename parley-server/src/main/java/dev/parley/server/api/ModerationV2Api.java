package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.chat.Actor;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.moderation.Moderation;
import dev.parley.server.moderation.ModerationChecks;
import dev.parley.server.moderation.ModerationConfigs;
import dev.parley.server.moderation.ModerationRules;
import dev.parley.server.moderation.ReviewQueue;

/**
 * Moderation v2 under {@code /api/v2/moderation} (PROTOCOL.md §7.26, §7.28): the review queue over the flag
 * reports, actions on its items, flags, mutes, the user report, configurations, checks and moderation rules; and
 * the older {@code /automod/v1/moderation/update_flags}. The SDK puts {@code /api/v2} in the path itself, so
 * these are plain routes of the one router.
 */
final class ModerationV2Api {
    private static final String PREFIX = "/api/v2/moderation";

    private final ReviewQueue queue;
    private final Moderation mod;
    private final MessageEdits edits;
    private final ChatActors actors;
    private final ModerationConfigs configs;
    private final ModerationRules rules;
    private final ModerationChecks checks;

    ModerationV2Api(
            ReviewQueue queue,
            Moderation mod,
            MessageEdits edits,
            ChatActors actors,
            ModerationConfigs configs,
            ModerationRules rules,
            ModerationChecks checks) {
        this.configs = requireNonNull(configs, "configs");
        this.rules = requireNonNull(rules, "rules");
        this.checks = requireNonNull(checks, "checks");
        this.queue = requireNonNull(queue, "queue");
        this.mod = requireNonNull(mod, "mod");
        this.edits = requireNonNull(edits, "edits");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("POST", PREFIX + "/review_queue", ctx -> queue.query(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/submit_action", this::submit);
        router.add("POST", PREFIX + "/flag", ctx -> queue.flag(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/mute", ctx -> mod.mute(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/unmute", ctx -> mod.unmute(actors.of(ctx), ctx.body()));
        router.add(
                "GET",
                PREFIX + "/user_report",
                ctx -> mod.userReport(
                        actors.caller(ctx),
                        ctx.param("user_id"),
                        "true".equals(ctx.param("include_user_mutes")),
                        "true".equals(ctx.param("include_user_blocks")),
                        "true".equals(ctx.param("create_user_if_not_exists"))));
        router.add("POST", PREFIX + "/config", ctx -> configs.upsert(actors.of(ctx), ctx.body()));
        router.add(
                "GET",
                PREFIX + "/config/{key}",
                ctx -> configs.get(actors.caller(ctx), ctx.pathParam("key"), ctx.param("team")));
        router.add(
                "DELETE",
                PREFIX + "/config/{key}",
                ctx -> configs.delete(actors.caller(ctx), ctx.pathParam("key"), ctx.param("team")));
        router.add("POST", PREFIX + "/configs", ctx -> configs.query(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/check", ctx -> checks.check(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/custom_check", ctx -> checks.customCheck(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/moderation_rule", ctx -> rules.upsert(actors.of(ctx), ctx.body()));
        router.add("POST", PREFIX + "/moderation_rules", ctx -> rules.query(actors.of(ctx), ctx.body()));
        router.add("GET", PREFIX + "/moderation_rule/{id}", ctx -> rules.get(actors.caller(ctx), ctx.pathParam("id")));
        router.add(
                "DELETE",
                PREFIX + "/moderation_rule/{id}",
                ctx -> rules.delete(actors.caller(ctx), ctx.pathParam("id")));
        router.add(
                "POST", "/automod/v1/moderation/update_flags", ctx -> checks.updateFlags(actors.of(ctx), ctx.body()));
    }

    /** Records the review, then does what the action asks in the moderator's name; answers the item after it. */
    private ObjectNode submit(RequestContext ctx) {
        Actor actor = actors.of(ctx);
        ObjectNode body = ctx.body();
        ReviewQueue.Action a = queue.submit(actor, body);
        if (a.deleteMessageId() != null) {
            edits.delete(actor, a.deleteMessageId(), a.hardDelete());
        }
        if (a.revealMessageId() != null) {
            edits.reveal(actor, a.revealMessageId());
        }
        if (a.ban() != null) {
            mod.bans().ban(actor, a.ban());
        }
        ObjectNode out = dev.parley.protocol.Json.object();
        out.set("item", queue.item(body.path("item_id").asText(), "SubmitAction"));
        return out;
    }
}
