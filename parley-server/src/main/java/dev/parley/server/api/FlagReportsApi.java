package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.chat.Actor;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.moderation.Blocklists;
import dev.parley.server.moderation.FlagReports;

/**
 * Flags, flag reports and their review (PROTOCOL.md §7.26), and blocklists (§7.27). A server token acts for the
 * {@code user_id} of the body or the query; blocklists take a server token only.
 */
final class FlagReportsApi {
    private final FlagReports reports;
    private final Blocklists blocklists;
    private final MessageEdits edits;
    private final ChatActors actors;

    FlagReportsApi(FlagReports reports, Blocklists blocklists, MessageEdits edits, ChatActors actors) {
        this.reports = requireNonNull(reports, "reports");
        this.blocklists = requireNonNull(blocklists, "blocklists");
        this.edits = requireNonNull(edits, "edits");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("GET", "/moderation/flags/message", ctx -> {
            ObjectNode payload = ctx.payload();
            return reports.queryMessageFlags(actors.of(ctx, payload), payload);
        });
        router.add("POST", "/moderation/flags", ctx -> reports.queryFlags(actors.of(ctx), ctx.body()));
        router.add("POST", "/moderation/reports", ctx -> reports.queryReports(actors.of(ctx), ctx.body()));
        router.add("PATCH", "/moderation/reports/{id}", this::review);
        router.add("POST", "/moderation/unblock_message", this::unblock);
        router.add("POST", "/blocklists", ctx -> blocklists.create(actors.caller(ctx), ctx.body()));
        router.add("GET", "/blocklists", ctx -> blocklists.list(actors.caller(ctx)));
        router.add("GET", "/blocklists/{name}", ctx -> blocklists.get(actors.caller(ctx), ctx.pathParam("name")));
        router.add(
                "PUT",
                "/blocklists/{name}",
                ctx -> blocklists.update(actors.caller(ctx), ctx.pathParam("name"), ctx.body()));
        router.add("DELETE", "/blocklists/{name}", ctx -> blocklists.delete(actors.caller(ctx), ctx.pathParam("name")));
    }

    /** A {@code rejected} message is deleted (softly) in the reviewer's name, as a moderator's delete would. */
    private ObjectNode review(RequestContext ctx) {
        Actor actor = actors.of(ctx);
        FlagReports.Reviewed r = reports.review(actor, ctx.pathParam("id"), ctx.body());
        if (r.deleteMessageId() != null) {
            edits.delete(actor, r.deleteMessageId(), false);
        }
        ObjectNode out = Json.object();
        out.set("flag_report", r.report());
        return out;
    }

    private ObjectNode unblock(RequestContext ctx) {
        Actor actor = actors.of(ctx);
        String shown = reports.unblock(actor, ctx.body());
        if (shown != null) {
            edits.reveal(actor, shown);
        }
        return Json.object();
    }
}
