package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.commands.Commands;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.CommandConfig;
import java.time.Clock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Slash commands (PROTOCOL.md §15.5): {@code /commands} (create, list, get, update, delete; server side) and
 * {@code POST /messages/{id}/action}; the commands a type offers are set with {@code PUT /channeltypes/{name}}
 * ({@code ChannelTypesApi}).
 */
final class CommandsApi {
    /** Changes the server's own keys of the settings document, persisted and cluster-wide. */
    @FunctionalInterface
    interface SettingsChange {
        <T> T change(Function<ObjectNode, T> change);
    }

    private final Supplier<AppSettings> settings;
    private final SettingsChange change;
    private final ChannelTypes types;
    private final Commands commands;
    private final ChatActors actors;
    private final Clock clock;

    CommandsApi(
            Supplier<AppSettings> settings,
            SettingsChange change,
            ChannelTypes types,
            Commands commands,
            ChatActors actors,
            Clock clock) {
        this.settings = requireNonNull(settings, "settings");
        this.change = requireNonNull(change, "change");
        this.types = requireNonNull(types, "types");
        this.commands = requireNonNull(commands, "commands");
        this.actors = requireNonNull(actors, "actors");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.add("POST", "/commands", ctx -> {
            ctx.requireServer();
            ObjectNode created = change.change(d -> CommandConfig.create(d, ctx.body(), clock.instant()));
            return Json.object().set("command", created);
        });
        router.add("GET", "/commands", ctx -> {
            ctx.requireServer();
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("commands");
            CommandConfig.BUILT_INS.values().forEach(c -> list.add(c.deepCopy()));
            CommandConfig.custom(settings.get().doc()).values().forEach(c -> list.add(c.deepCopy()));
            return out;
        });
        router.add("GET", "/commands/{name}", ctx -> {
            ctx.requireServer();
            ObjectNode c = CommandConfig.find(settings.get().doc(), ctx.pathParam("name"));
            if (c == null) {
                throw ChatException.notFound(
                        "GetCommand failed with error: \"command '" + ctx.pathParam("name") + "' does not exist\"");
            }
            return c;
        });
        router.add("PUT", "/commands/{name}", ctx -> {
            ctx.requireServer();
            ObjectNode updated =
                    change.change(d -> CommandConfig.update(d, ctx.pathParam("name"), ctx.body(), clock.instant()));
            return Json.object().set("command", updated);
        });
        router.add("DELETE", "/commands/{name}", ctx -> {
            ctx.requireServer();
            change.change(d -> {
                CommandConfig.delete(d, ctx.pathParam("name"));
                return Boolean.TRUE;
            });
            return Json.object().put("name", ctx.pathParam("name"));
        });
        router.add(
                "POST",
                "/messages/{id}/action",
                ctx -> commands.action(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
    }
}
