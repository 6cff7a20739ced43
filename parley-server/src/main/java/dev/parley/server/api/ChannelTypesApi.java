package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.chat.PermissionCatalog;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.CommandConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.TypeConfig;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The admin of channel types, roles and permissions (PROTOCOL.md §11.5), all server side: {@code /channeltypes}
 * (list, get, create, update, delete), {@code /roles} (list, create, delete) and {@code /permissions} (list,
 * get, and create, update and delete of custom ones). Types and roles live in the app settings document, so every node of a cluster has the same.
 */
final class ChannelTypesApi {
    private final Supplier<AppSettings> settings;
    private final CommandsApi.SettingsChange change;
    private final ChannelTypes types;
    private final Predicate<String> typeInUse;
    private final Predicate<String> blocklistExists;
    private final Clock clock;

    /**
     * @param typeInUse whether a channel of the type exists
     * @param blocklistExists whether a blocklist of the name exists (§7.27)
     */
    ChannelTypesApi(
            Supplier<AppSettings> settings,
            CommandsApi.SettingsChange change,
            ChannelTypes types,
            Predicate<String> typeInUse,
            Predicate<String> blocklistExists,
            Clock clock) {
        this.settings = requireNonNull(settings, "settings");
        this.change = requireNonNull(change, "change");
        this.types = requireNonNull(types, "types");
        this.typeInUse = requireNonNull(typeInUse, "typeInUse");
        this.blocklistExists = requireNonNull(blocklistExists, "blocklistExists");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.add("GET", "/channeltypes", ctx -> {
            ctx.requireServer();
            ObjectNode out = Json.object();
            ObjectNode all = out.putObject("channel_types");
            types.all().values().stream()
                    .sorted(Comparator.comparing(ChannelType::name))
                    .forEach(t -> all.set(t.name(), typeJson(t, false)));
            return out;
        });
        router.add("GET", "/channeltypes/{name}", ctx -> {
            ctx.requireServer();
            return typeJson(types.require(ctx.pathParam("name")), false);
        });
        router.add("POST", "/channeltypes", ctx -> {
            ctx.requireServer();
            ObjectNode body = ctx.body();
            String name = body.path("name").asText("");
            if (name.isEmpty()) {
                throw ChatException.input("CreateChannelType failed with error: \"name is required\"");
            }
            checkUpdate("CreateChannelType", body);
            change.change(d -> {
                TypeConfig.create(d, name, clock.instant());
                store(d, name, body);
                return Boolean.TRUE;
            });
            return typeJson(types.require(name), true);
        });
        router.add("PUT", "/channeltypes/{name}", ctx -> {
            ctx.requireServer();
            String name = ctx.pathParam("name");
            types.require(name);
            ObjectNode body = ctx.body();
            checkUpdate("UpdateChannelType", body);
            change.change(d -> {
                store(d, name, body);
                return Boolean.TRUE;
            });
            return typeJson(types.require(name), true);
        });
        router.add("DELETE", "/channeltypes/{name}", ctx -> {
            ctx.requireServer();
            String name = ctx.pathParam("name");
            types.require(name);
            if (types.builtIn(name)) {
                throw ChatException.input(
                        "DeleteChannelType failed with error: \"'" + name + "' is a built-in channel type\"");
            }
            if (typeInUse.test(name)) {
                throw ChatException.input("DeleteChannelType failed with error: \"channel type '" + name
                        + "' still has channels; delete them first\"");
            }
            change.change(d -> {
                TypeConfig.delete(d, name);
                return Boolean.TRUE;
            });
            return Json.object();
        });
        router.add("GET", "/roles", ctx -> {
            ctx.requireServer();
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("roles");
            TypeConfig.BUILT_IN_ROLES.forEach(r -> list.add(TypeConfig.roleJson(r, Json.object(), false)));
            TypeConfig.roles(settings.get().doc()).forEach((r, times) -> list.add(TypeConfig.roleJson(r, times, true)));
            return out;
        });
        router.add("GET", "/roles/search", this::searchRoles);
        router.add("POST", "/roles", ctx -> {
            ctx.requireServer();
            String name = ctx.body().path("name").asText("");
            ObjectNode role = change.change(d -> TypeConfig.createRole(d, name, clock.instant()));
            return Json.object().set("role", role);
        });
        router.add("DELETE", "/roles/{name}", ctx -> {
            ctx.requireServer();
            String name = ctx.pathParam("name");
            change.change(d -> {
                TypeConfig.deleteRole(d, name);
                return Boolean.TRUE;
            });
            return Json.object();
        });
        router.add("GET", "/permissions", ctx -> {
            ctx.requireServer();
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("permissions");
            PermissionCatalog.all().values().forEach(p -> list.add(p.toJson()));
            TypeConfig.permissions(settings.get().doc()).forEach((id, p) -> list.add(TypeConfig.permissionJson(id, p)));
            return out;
        });
        router.add("GET", "/permissions/{id}", ctx -> {
            ctx.requireServer();
            String id = ctx.pathParam("id");
            ObjectNode custom = TypeConfig.permissions(settings.get().doc()).get(id);
            if (custom != null) {
                return Json.object().set("permission", TypeConfig.permissionJson(id, custom));
            }
            PermissionCatalog.Permission p = PermissionCatalog.find(id)
                    .orElseThrow(() -> ChatException.notFound(
                            "GetPermission failed with error: \"permission '" + id + "' does not exist\""));
            return Json.object().set("permission", p.toJson());
        });
        router.add("POST", "/permissions", ctx -> {
            ctx.requireServer();
            ObjectNode body = ctx.body();
            ObjectNode p = change.change(d -> TypeConfig.putPermission(
                    d, null, body, ChannelTypesApi::channelAction, PermissionCatalog::known, clock.instant()));
            return Json.object().set("permission", p);
        });
        router.add("PUT", "/permissions/{id}", ctx -> {
            ctx.requireServer();
            String id = customPermissionId(ctx, "UpdatePermission");
            ObjectNode body = ctx.body();
            ObjectNode p = change.change(d -> TypeConfig.putPermission(
                    d, id, body, ChannelTypesApi::channelAction, PermissionCatalog::known, clock.instant()));
            return Json.object().set("permission", p);
        });
        router.add("DELETE", "/permissions/{id}", ctx -> {
            ctx.requireServer();
            String id = customPermissionId(ctx, "DeletePermission");
            change.change(d -> {
                TypeConfig.deletePermission(d, id);
                return Boolean.TRUE;
            });
            return Json.object();
        });
    }

    /** Most roles one search answers. */
    static final int MAX_SEARCH = 100;

    /**
     * {@code GET /roles/search?query=&role_type=&include_global_roles=&name_gt=&limit=}: roles whose name contains
     * {@code query}, by name, after {@code name_gt}; channel roles are the built-in {@code channel_} ones and every
     * custom role, user roles the other built-in ones and every custom role.
     */
    private ObjectNode searchRoles(RequestContext ctx) {
        ctx.requireServer();
        String query = ctx.param("query") == null ? "" : ctx.param("query").toLowerCase(java.util.Locale.ROOT);
        String roleType = ctx.param("role_type");
        if (roleType != null && !roleType.equals("user") && !roleType.equals("channel")) {
            throw ChatException.input("SearchRoles failed with error: \"role_type must be user or channel\"");
        }
        boolean global = !"false".equals(ctx.param("include_global_roles"));
        String after = ctx.param("name_gt");
        int limit = 25;
        if (ctx.param("limit") != null) {
            try {
                limit = Math.max(1, Math.min(MAX_SEARCH, Integer.parseInt(ctx.param("limit"))));
            } catch (NumberFormatException e) {
                throw ChatException.input("SearchRoles failed with error: \"limit must be a number\"");
            }
        }
        java.util.TreeMap<String, ObjectNode> found = new java.util.TreeMap<>();
        if (global) {
            for (String r : TypeConfig.BUILT_IN_ROLES) {
                boolean channelRole = r.startsWith("channel_");
                if (roleType == null || channelRole == roleType.equals("channel")) {
                    found.put(r, TypeConfig.roleJson(r, Json.object(), false));
                }
            }
        }
        TypeConfig.roles(settings.get().doc()).forEach((r, times) -> found.put(r, TypeConfig.roleJson(r, times, true)));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("roles");
        for (Map.Entry<String, ObjectNode> e : found.entrySet()) {
            if (list.size() >= limit) {
                break;
            }
            if ((after == null || e.getKey().compareTo(after) > 0) && e.getKey().contains(query)) {
                list.add(e.getValue());
            }
        }
        return out;
    }

    /** The {@code id} of a custom permission's route; a built-in permission's is code 4. */
    private static String customPermissionId(RequestContext ctx, String endpoint) {
        String id = ctx.pathParam("id");
        if (PermissionCatalog.known(id)) {
            throw ChatException.input(endpoint + " failed with error: \"'" + id + "' is a built-in permission\"");
        }
        return id;
    }

    /** Whether a custom permission may stand for {@code action}: a channel permission's action. */
    private static boolean channelAction(String action) {
        return PermissionCatalog.byAction(action).isPresent();
    }

    /** Refuses a create or update body before anything changes (TypeConfig's rules, then commands and push). */
    private void checkUpdate(String endpoint, ObjectNode body) {
        Set<String> custom = TypeConfig.permissions(settings.get().doc()).keySet();
        TypeConfig.check(
                endpoint,
                body,
                TypeConfig.roleNames(settings.get().doc()),
                p -> PermissionCatalog.known(p) || custom.contains(p));
        JsonNode blocklist = body.get("blocklist");
        if (blocklist != null
                && blocklist.isTextual()
                && !blocklist.asText().isEmpty()
                && !blocklistExists.test(blocklist.asText())) {
            throw ChatException.input(
                    endpoint + " failed with error: \"blocklist '" + blocklist.asText() + "' does not exist\"");
        }
        JsonNode push = body.get("push_notifications");
        if (push != null && !push.isBoolean()) {
            throw ChatException.input(endpoint + " failed with error: \"push_notifications must be a boolean\"");
        }
        JsonNode commands = body.get("commands");
        if (commands != null && !commands.isArray()) {
            throw ChatException.input(endpoint + " failed with error: \"commands must be a list of command names\"");
        }
    }

    /** Stores a checked body's flags, grants, commands and push for type {@code name}. */
    private void store(ObjectNode doc, String name, ObjectNode body) {
        TypeConfig.apply(doc, name, body, clock.instant());
        JsonNode push = body.get("push_notifications");
        if (push != null) {
            PushConfig.setTypePush(doc, name, push.asBoolean());
        }
        JsonNode commands = body.get("commands");
        if (commands != null) {
            CommandConfig.setTypeCommands(doc, name, commands);
        }
    }

    /**
     * A type as {@code /channeltypes} shows it: its config, grants and no v1 permissions; its commands as objects
     * (reads) or as names (the answers of create and update, as Stream's are).
     */
    static ObjectNode typeJson(ChannelType t, boolean commandNames) {
        ObjectNode o = t.configJson();
        if (commandNames) {
            ArrayNode names = Json.array();
            o.path("commands").forEach(c -> names.add(c.path("name").asText(c.asText())));
            o.set("commands", names);
        }
        ObjectNode grants = o.putObject("grants");
        t.grants().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ArrayNode arr = grants.putArray(e.getKey());
            e.getValue().stream().sorted().forEach(arr::add);
        });
        o.putArray("permissions");
        return o;
    }
}
