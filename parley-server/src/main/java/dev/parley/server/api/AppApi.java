package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;

/** {@code GET /app} and {@code PATCH /app} (PROTOCOL.md §7.15). */
final class AppApi {

    void register(Router router) {
        router.add("GET", "/app", this::get);
        router.add("PATCH", "/app", this::patch);
    }

    private ObjectNode get(RequestContext ctx) {
        ObjectNode out = Json.object();
        out.set("app", ctx.node().settings().toJson());
        return out;
    }

    private ObjectNode patch(RequestContext ctx) {
        ctx.requireServer();
        ctx.node().patchSettings(ctx.body());
        return Json.object();
    }
}
