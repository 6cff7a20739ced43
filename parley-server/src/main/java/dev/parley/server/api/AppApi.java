package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** {@code GET /app} and {@code PATCH /app} (PROTOCOL.md §7.15). */
final class AppApi {
    private final Supplier<AppSettings> settings;
    private final Consumer<ObjectNode> patchSettings;

    /**
     * @param settings the app settings in force
     * @param patchSettings applies a {@code PATCH /app} body to the settings and persists them
     */
    AppApi(Supplier<AppSettings> settings, Consumer<ObjectNode> patchSettings) {
        this.settings = requireNonNull(settings, "settings");
        this.patchSettings = requireNonNull(patchSettings, "patchSettings");
    }

    void register(Router router) {
        router.add("GET", "/app", this::get);
        router.add("PATCH", "/app", this::patch);
    }

    private ObjectNode get(RequestContext ctx) {
        ObjectNode out = Json.object();
        out.set("app", settings.get().toJson());
        return out;
    }

    private ObjectNode patch(RequestContext ctx) {
        ctx.requireServer();
        patchSettings.accept(ctx.body());
        return Json.object();
    }
}
