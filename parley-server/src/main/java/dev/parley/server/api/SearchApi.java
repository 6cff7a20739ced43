package dev.parley.server.api;

import static dev.parley.server.api.ChannelsApi.actor;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Message search, {@code GET /search?payload=} (PROTOCOL.md §7.12 S1). */
final class SearchApi {

    void register(Router router) {
        router.add("GET", "/search", this::search);
    }

    private ObjectNode search(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return ctx.node().search().search(actor(ctx, payload), payload);
    }
}
