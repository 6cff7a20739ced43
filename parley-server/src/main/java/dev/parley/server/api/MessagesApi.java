package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;
import static dev.parley.server.api.ChannelsApi.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
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

    void register(Router router) {
        router.addNotServed("POST", "/messages/history");
        router.add("GET", "/messages/{id}", ctx -> chat(ctx).edits().get(actor(ctx), ctx.pathParam("id")));
        router.add(
                "POST", "/messages/{id}", ctx -> chat(ctx).edits().update(actor(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "PUT",
                "/messages/{id}",
                ctx -> chat(ctx).edits().partialUpdate(actor(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("DELETE", "/messages/{id}", ctx -> {
            // Deleting for the caller only is not kept yet; refusing beats deleting for everyone.
            if ("true".equalsIgnoreCase(ctx.param("delete_for_me"))) {
                throw ChatException.input(
                        "DeleteMessage failed with error: \"delete_for_me is not supported by this server\"");
            }
            return chat(ctx)
                    .edits()
                    .delete(actor(ctx), ctx.pathParam("id"), "true".equalsIgnoreCase(ctx.param("hard")));
        });
        router.add("GET", "/messages/{id}/replies", this::replies);
        router.add(
                "POST", "/messages/{id}/undelete", ctx -> chat(ctx).edits().undelete(actor(ctx), ctx.pathParam("id")));
        router.add(
                "POST",
                "/messages/{id}/reaction",
                ctx -> chat(ctx).reactions().send(actor(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "DELETE",
                "/messages/{id}/reaction/{type}",
                ctx -> chat(ctx)
                        .reactions()
                        .delete(actor(ctx), ctx.pathParam("id"), ctx.pathParam("type"), ctx.param("user_id")));
        router.add(
                "GET",
                "/messages/{id}/reactions",
                ctx -> chat(ctx)
                        .reactions()
                        .list(actor(ctx), ctx.pathParam("id"), intParam(ctx, "limit", 25), intParam(ctx, "offset", 0)));
        router.add(
                "POST",
                "/messages/{id}/reactions",
                ctx -> chat(ctx).reactions().query(actor(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("GET", "/unread", ctx -> chat(ctx).reads().unread(actor(ctx)));
        router.add("POST", "/threads", ctx -> chat(ctx).threads().query(actor(ctx), ctx.body(), ctx.connection()));
        router.add(
                "GET",
                "/threads/{id}",
                ctx -> chat(ctx)
                        .threads()
                        .get(
                                actor(ctx),
                                ctx.pathParam("id"),
                                intParam(ctx, "reply_limit", 3),
                                "true".equals(ctx.param("watch")),
                                ctx.connection()));
        router.add("POST", "/devices", ctx -> chat(ctx).devices().add(actor(ctx), ctx.body()));
        router.add("GET", "/devices", ctx -> chat(ctx).devices().list(actor(ctx), ctx.param("user_id")));
        router.add(
                "DELETE",
                "/devices",
                ctx -> chat(ctx).devices().delete(actor(ctx), ctx.param("id"), ctx.param("user_id")));
        router.add("POST", "/unread_batch", ctx -> chat(ctx).reads().unreadBatch(actor(ctx), ctx.body()));
        router.add("GET", "/channeltypes", ctx -> channelTypes(ctx, null));
        router.add("GET", "/channeltypes/{name}", ctx -> channelTypes(ctx, ctx.pathParam("name")));
        router.add("POST", "/sync", ctx -> chat(ctx).reads().sync(actor(ctx), ctx.body()));
    }

    /** {@code GET /channeltypes} and {@code GET /channeltypes/{name}} (K1, read only): built-in types. */
    private ObjectNode channelTypes(RequestContext ctx, String name) {
        ctx.requireServer();
        var types = chat(ctx).core().types();
        if (name != null) {
            return typeJson(types.require(name));
        }
        ObjectNode out = Json.object();
        ObjectNode all = out.putObject("channel_types");
        types.all().values().stream()
                .sorted(java.util.Comparator.comparing(t -> t.name()))
                .forEach(t -> all.set(t.name(), typeJson(t)));
        return out;
    }

    private static ObjectNode typeJson(dev.parley.server.chat.ChannelType t) {
        ObjectNode o = t.configJson();
        ObjectNode grants = o.putObject("grants");
        t.grants().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> {
                    var arr = grants.putArray(e.getKey());
                    e.getValue().stream().sorted().forEach(arr::add);
                });
        o.putArray("permissions");
        return o;
    }

    private ObjectNode replies(RequestContext ctx) {
        ObjectNode paging = Json.object();
        for (String p : PAGING_PARAMS) {
            String v = ctx.param(p);
            if (v != null && !v.isEmpty()) {
                paging.put(p, v);
            }
        }
        return chat(ctx).edits().replies(actor(ctx), ctx.pathParam("id"), paging);
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
