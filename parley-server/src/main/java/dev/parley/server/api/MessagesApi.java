package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.devices.DeviceService;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.messages.ReactionService;
import dev.parley.server.messages.ThreadService;
import dev.parley.server.reads.ReadService;
import dev.parley.server.usage.ConnectionRegistry;
import java.util.List;

/**
 * The message, reply and reaction endpoints (PROTOCOL.md §7.10 M2 to M5, M7; §7.11 R1 to R3) and the
 * user-level read endpoints ({@code GET /unread}, {@code POST /sync}).
 */
final class MessagesApi {
    private static final List<String> PAGING_PARAMS = List.of(
            "limit",
            "offset",
            "id_lt",
            "id_lte",
            "id_gt",
            "id_gte",
            "id_around",
            "created_at_before",
            "created_at_before_or_equal",
            "created_at_after",
            "created_at_after_or_equal",
            "created_at_around");

    private final MessageEdits edits;
    private final ReactionService reactions;
    private final ThreadService threads;
    private final ReadService reads;
    private final DeviceService devices;
    private final ChannelTypes types;
    private final ChatActors actors;
    private final ConnectionRegistry registry;

    MessagesApi(
            MessageEdits edits,
            ReactionService reactions,
            ThreadService threads,
            ReadService reads,
            DeviceService devices,
            ChannelTypes types,
            ChatActors actors,
            ConnectionRegistry registry) {
        this.edits = requireNonNull(edits, "edits");
        this.reactions = requireNonNull(reactions, "reactions");
        this.threads = requireNonNull(threads, "threads");
        this.reads = requireNonNull(reads, "reads");
        this.devices = requireNonNull(devices, "devices");
        this.types = requireNonNull(types, "types");
        this.actors = requireNonNull(actors, "actors");
        this.registry = requireNonNull(registry, "registry");
    }

    void register(Router router) {
        router.add("GET", "/messages/{id}", ctx -> edits.get(actors.of(ctx), ctx.pathParam("id")));
        router.add("POST", "/messages/{id}", ctx -> edits.update(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "PUT", "/messages/{id}", ctx -> edits.partialUpdate(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("DELETE", "/messages/{id}", ctx -> {
            boolean hard = "true".equalsIgnoreCase(ctx.param("hard"));
            if ("true".equalsIgnoreCase(ctx.param("delete_for_me"))) {
                return edits.deleteForMe(actors.of(ctx), ctx.pathParam("id"), hard);
            }
            return edits.delete(actors.of(ctx), ctx.pathParam("id"), hard);
        });
        router.add("GET", "/messages/{id}/replies", this::replies);
        router.add("POST", "/messages/{id}/undelete", ctx -> edits.undelete(actors.of(ctx), ctx.pathParam("id")));
        router.add("POST", "/messages/{id}/commit", ctx -> edits.commit(actors.of(ctx), ctx.pathParam("id")));
        router.add("POST", "/messages/history", ctx -> edits.history(actors.of(ctx), ctx.body()));
        router.add(
                "POST",
                "/messages/{id}/reaction",
                ctx -> reactions.send(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "DELETE",
                "/messages/{id}/reaction/{type}",
                ctx -> reactions.delete(
                        actors.of(ctx), ctx.pathParam("id"), ctx.pathParam("type"), ctx.param("user_id")));
        router.add(
                "GET",
                "/messages/{id}/reactions",
                ctx -> reactions.list(
                        actors.of(ctx), ctx.pathParam("id"), intParam(ctx, "limit", 25), intParam(ctx, "offset", 0)));
        router.add(
                "POST",
                "/messages/{id}/reactions",
                ctx -> reactions.query(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("GET", "/unread", ctx -> reads.unread(actors.of(ctx)));
        router.add("POST", "/threads", ctx -> threads.query(actors.of(ctx), ctx.body(), ctx.connection(registry)));
        router.add(
                "PATCH",
                "/threads/{id}",
                ctx -> threads.partialUpdate(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "GET",
                "/threads/{id}",
                ctx -> threads.get(
                        actors.of(ctx),
                        ctx.pathParam("id"),
                        intParam(ctx, "reply_limit", 3),
                        "true".equals(ctx.param("watch")),
                        ctx.connection(registry)));
        router.add("POST", "/devices", ctx -> devices.add(actors.of(ctx), ctx.body()));
        router.add("GET", "/devices", ctx -> devices.list(actors.of(ctx), ctx.param("user_id")));
        router.add("DELETE", "/devices", ctx -> devices.delete(actors.of(ctx), ctx.param("id"), ctx.param("user_id")));
        router.add("POST", "/unread_batch", ctx -> reads.unreadBatch(actors.of(ctx), ctx.body()));
        router.add("POST", "/sync", ctx -> reads.sync(actors.of(ctx), ctx.body()));
    }

    private ObjectNode replies(RequestContext ctx) {
        ObjectNode paging = Json.object();
        for (String p : PAGING_PARAMS) {
            String v = ctx.param(p);
            if (v != null && !v.isEmpty()) {
                paging.put(p, v);
            }
        }
        return edits.replies(actors.of(ctx), ctx.pathParam("id"), paging);
    }

    private static int intParam(RequestContext ctx, String name, int defaultValue) {
        String v = ctx.param(name);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ChatException.input(name + ": '" + v + "' is not a number");
        }
    }
}
