package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.PushConfig;
import dev.parley.server.push.PushPreferences;
import dev.parley.server.push.PushService;
import dev.parley.server.push.PushTemplates;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * Push (PROTOCOL.md §16): {@code /push_providers} (upsert, list, delete; server side), {@code /push_preferences}
 * and {@code /check_push}.
 */
final class PushApi {
    private static final List<String> TEMPLATES = List.of(
            "apn_notification_template",
            "firebase_notification_template",
            "firebase_data_template",
            "firebase_apn_template");

    private final Supplier<AppSettings> settings;
    private final CommandsApi.SettingsChange change;
    private final PushService push;
    private final PushPreferences preferences;
    private final Clock clock;

    PushApi(
            Supplier<AppSettings> settings,
            CommandsApi.SettingsChange change,
            PushService push,
            PushPreferences preferences,
            Clock clock) {
        this.settings = requireNonNull(settings, "settings");
        this.change = requireNonNull(change, "change");
        this.push = requireNonNull(push, "push");
        this.preferences = requireNonNull(preferences, "preferences");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.add("POST", "/push_providers", ctx -> {
            ctx.requireServer();
            JsonNode p = ctx.body().path("push_provider");
            PushTemplates templates = push.templates();
            for (String t : TEMPLATES) {
                if (p.path(t).isTextual() && !p.path(t).asText().isEmpty()) {
                    templates.check("push_provider." + t, p.path(t).asText());
                }
            }
            ObjectNode stored = change.change(d -> PushConfig.upsert(d, p, clock.instant()));
            return Json.object().set("push_provider", stored);
        });
        router.add("GET", "/push_providers", ctx -> {
            ctx.requireServer();
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("push_providers");
            PushConfig.providers(settings.get().doc()).forEach(p -> list.add(PushConfig.view(p)));
            return out;
        });
        router.add("DELETE", "/push_providers/{type}/{name}", ctx -> {
            ctx.requireServer();
            change.change(d -> {
                PushConfig.delete(d, ctx.pathParam("type"), ctx.pathParam("name"));
                return Boolean.TRUE;
            });
            return Json.object();
        });
        router.add("POST", "/push_preferences", ctx -> {
            ctx.requireIdentified();
            return preferences.upsert(
                    ctx.caller().isServer() ? null : ctx.caller().userId(), ctx.body());
        });
        router.add("POST", "/check_push", ctx -> {
            ctx.requireServer();
            return push.check(ctx.body());
        });
    }
}
