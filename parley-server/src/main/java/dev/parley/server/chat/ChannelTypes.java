package dev.parley.server.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.config.TypeConfig;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in channel types {@code messaging}, {@code team}, {@code livestream}, {@code gaming} and
 * {@code commerce} with the default grants of PROTOCOL.md §11.3. Immutable; thread-safe.
 */
public final class ChannelTypes {
    static final List<String> MEMBER_PERMISSIONS = List.of(
            "read-channel",
            "read-channel-members",
            "create-message",
            "create-attachment",
            "create-mention",
            "add-links",
            "create-reaction",
            "send-poll",
            "cast-poll-vote",
            "query-poll-votes",
            "run-message-action",
            "send-custom-event",
            "flag-message",
            "mute-channel",
            "pin-message",
            "upload-attachment",
            "remove-own-channel-membership");
    static final List<String> EDIT_PERMISSIONS =
            List.of("update-message", "delete-message", "delete-reaction", "delete-attachment");
    static final List<String> CHANNEL_EDIT_PERMISSIONS = List.of("update-channel", "update-channel-members");
    static final List<String> MODERATION_PERMISSIONS = List.of(
            "update-channel-cooldown",
            "update-channel-frozen",
            "ban-channel-member",
            "skip-channel-cooldown",
            "skip-message-moderation",
            "read-message-flags",
            "unblock-message",
            "create-system-message",
            "send-restricted-visibility-message");
    static final List<String> OWNER_ONLY = List.of("delete-channel", "truncate-channel", "recreate-channel");

    /** The custom key under which a channel keeps its {@code config_overrides}; never shown as a custom field. */
    public static final String OVERRIDES = "config_overrides";

    /** Config keys a channel may override (§7.5). */
    public static final Set<String> OVERRIDABLE = Set.of(
            "typing_events",
            "reactions",
            "replies",
            "uploads",
            "url_enrichment",
            "commands",
            "max_message_length",
            "blocklist",
            "blocklist_behavior",
            "grants");

    private final Map<String, ChannelType> builtIn;
    /** The built-in types with the commands of the app's settings in their configs; replaced whole. */
    private volatile Map<String, ChannelType> types;

    public ChannelTypes(Instant createdAt) {
        Map<String, ChannelType> t = new HashMap<>();
        t.put("messaging", new ChannelType("messaging", config("messaging", createdAt, true), messaging()));
        t.put("team", new ChannelType("team", config("team", createdAt, true), messaging()));
        t.put("gaming", new ChannelType("gaming", config("gaming", createdAt, true), gaming()));
        t.put("commerce", new ChannelType("commerce", config("commerce", createdAt, true), commerce()));
        t.put("livestream", new ChannelType("livestream", config("livestream", createdAt, false), livestream()));
        this.builtIn = Map.copyOf(t);
        this.types = builtIn;
    }

    /**
     * Rebuilds the types from the app settings document {@code doc} (PROTOCOL.md §11.5): the built-in types with
     * the flags and grants the app changed, the app's custom types (the {@code messaging} defaults, then their own
     * flags and grants), each with the commands {@code commandsOf} gives for it (§15.5) and its
     * {@code push_notifications} from {@code pushOn} (§16.1). Called whenever the app settings change.
     */
    public void apply(
            ObjectNode doc,
            java.util.function.Function<String, com.fasterxml.jackson.databind.node.ArrayNode> commandsOf,
            java.util.function.Predicate<String> pushOn) {
        Map<String, TypeConfig.Defined> defined = TypeConfig.types(doc);
        Map<String, ChannelType> t = new HashMap<>(builtIn);
        defined.forEach((name, d) -> {
            ChannelType base = builtIn.get(name);
            if (base == null && !d.custom()) {
                return; // changes of a built-in type this server no longer has
            }
            ObjectNode config;
            Map<String, Set<String>> grants;
            if (base != null) {
                config = base.configJson();
                grants = mutable(base.grants());
            } else {
                config = config(name, d.createdAt(), true);
                grants = mutable(messaging());
            }
            d.config()
                    .properties()
                    .forEach(e -> config.set(e.getKey(), e.getValue().deepCopy()));
            config.put("updated_at", Timestamps.format(d.updatedAt()));
            d.grants().forEach((role, perms) -> grants.put(role, new HashSet<>(perms)));
            grants.values().removeIf(Set::isEmpty);
            t.put(name, new ChannelType(name, config, grants));
        });
        Map<String, String> custom = customPermissions(doc);
        Map<String, ChannelType> out = new HashMap<>();
        t.forEach((name, type) -> {
            ObjectNode config = type.configJson();
            config.set("commands", commandsOf.apply(name));
            config.put("push_notifications", pushOn.test(name));
            out.put(name, new ChannelType(name, config, type.grants(), custom));
        });
        this.types = Map.copyOf(out);
    }

    /**
     * The app's custom permissions (§11.5) as the built-in grant each stands for: its action's permission, with
     * {@code -owner} when it is for the owner of the resource only.
     */
    private static Map<String, String> customPermissions(ObjectNode doc) {
        Map<String, String> out = new HashMap<>();
        TypeConfig.permissions(doc)
                .forEach((id, p) -> PermissionCatalog.byAction(p.path("action").asText())
                        .ifPresent(builtIn ->
                                out.put(id, builtIn.id() + (p.path("owner").asBoolean() ? "-owner" : ""))));
        return out;
    }

    /** Whether {@code name} is one of the types this server has built in. */
    public boolean builtIn(String name) {
        return builtIn.containsKey(name);
    }

    public Optional<ChannelType> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    /** The type, or code 16 naming it. */
    public ChannelType require(String name) {
        return find(name).orElseThrow(() -> ChatException.notFound("channel type '" + name + "' does not exist"));
    }

    /** Types whose channels users may read without being members. */
    public Set<String> openTypes() {
        Set<String> open = new HashSet<>();
        types.values().forEach(t -> {
            if (t.grants().getOrDefault("user", Set.of()).contains("read-channel")) {
                open.add(t.name());
            }
        });
        return open;
    }

    /** {@code base} with a channel's overrides applied; {@code grants} add permissions, {@code "!perm"} revokes. */
    public static ChannelType withOverrides(ChannelType base, ObjectNode overrides) {
        ObjectNode config = base.configJson();
        Map<String, Set<String>> grants = mutable(base.grants());
        overrides.fields().forEachRemaining(e -> {
            if (e.getKey().equals("grants") && e.getValue().isObject()) {
                config.set("grants", e.getValue().deepCopy());
                e.getValue().fields().forEachRemaining(g -> {
                    Set<String> role = grants.computeIfAbsent(g.getKey(), r -> new HashSet<>());
                    g.getValue().forEach(p -> {
                        String perm = p.asText();
                        if (perm.startsWith("!")) {
                            role.remove(perm.substring(1));
                        } else {
                            role.add(perm);
                        }
                    });
                });
            } else if (OVERRIDABLE.contains(e.getKey())) {
                config.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return new ChannelType(base.name(), config, grants, base.customPermissions());
    }

    public Map<String, ChannelType> all() {
        return types;
    }

    private static ObjectNode config(String name, Instant at, boolean urlEnrichment) {
        ObjectNode c = Json.object();
        c.put("created_at", Timestamps.format(at));
        c.put("updated_at", Timestamps.format(at));
        c.put("name", name);
        for (String f : List.of(
                "typing_events",
                "read_events",
                "connect_events",
                "delivery_events",
                "search",
                "reactions",
                "replies",
                "quotes",
                "mutes",
                "uploads",
                "custom_events",
                "push_notifications")) {
            c.put(f, true);
        }
        c.put("url_enrichment", urlEnrichment);
        // Polls, unread and message reminders, shared locations and pending messages are served and, as on
        // Stream's built-in types, off until the app switches them on.
        for (String f : List.of(
                "reminders",
                "mark_messages_pending",
                "polls",
                "user_message_reminders",
                "shared_locations",
                "skip_last_msg_update_for_system_msgs")) {
            c.put(f, false);
        }
        c.put("count_messages", true);
        c.put("message_retention", "infinite");
        c.put("max_message_length", 5000);
        c.put("automod", "disabled");
        c.put("automod_behavior", "flag");
        c.put("blocklist_behavior", "flag");
        c.putArray("commands");
        return c;
    }

    private static Map<String, Set<String>> messaging() {
        Grants g = new Grants();
        g.add(
                "admin",
                MEMBER_PERMISSIONS,
                EDIT_PERMISSIONS,
                CHANNEL_EDIT_PERMISSIONS,
                MODERATION_PERMISSIONS,
                OWNER_ONLY,
                List.of("create-channel", "ban-user", "join-call", "create-call"));
        g.add(
                "moderator",
                MEMBER_PERMISSIONS,
                EDIT_PERMISSIONS,
                CHANNEL_EDIT_PERMISSIONS,
                MODERATION_PERMISSIONS,
                List.of("create-channel", "ban-user", "join-call", "create-call"));
        g.owned("moderator", OWNER_ONLY);
        g.add("user", List.of("create-channel"));
        g.owned("user", MEMBER_PERMISSIONS, EDIT_PERMISSIONS, CHANNEL_EDIT_PERMISSIONS, OWNER_ONLY);
        g.add("channel_member", MEMBER_PERMISSIONS, List.of("join-call", "create-call"));
        g.add(
                "channel_moderator",
                MEMBER_PERMISSIONS,
                EDIT_PERMISSIONS,
                CHANNEL_EDIT_PERMISSIONS,
                MODERATION_PERMISSIONS,
                List.of("join-call", "create-call"));
        return g.map;
    }

    private static Map<String, Set<String>> gaming() {
        Map<String, Set<String>> g = mutable(messaging());
        for (String role : List.of("moderator", "user")) {
            role(g, role)
                    .removeAll(List.of(
                            "create-channel",
                            "update-channel",
                            "update-channel-members",
                            "update-channel-owner",
                            "update-channel-members-owner",
                            "delete-channel-owner",
                            "truncate-channel-owner"));
        }
        role(g, "channel_member").remove("pin-message");
        return Map.copyOf(g);
    }

    private static Map<String, Set<String>> commerce() {
        Map<String, Set<String>> g = mutable(messaging());
        role(g, "user").remove("create-channel");
        role(g, "channel_member").removeAll(List.of("create-call", "pin-message"));
        Set<String> guest = new HashSet<>(role(g, "user"));
        guest.addAll(List.of("create-channel", "add-links", "upload-attachment"));
        g.put("guest", guest);
        return Map.copyOf(g);
    }

    private static Map<String, Set<String>> livestream() {
        Grants g = new Grants();
        List<String> read = List.of("read-channel", "read-channel-members", "join-call");
        List<String> write = List.of(
                "create-channel",
                "create-message",
                "create-attachment",
                "create-mention",
                "add-links",
                "create-reaction",
                "upload-attachment",
                "run-message-action",
                "send-custom-event",
                "flag-message",
                "mute-channel");
        List<String> edit =
                List.of("update-message", "delete-message", "delete-reaction", "delete-attachment", "pin-message");
        g.add(
                "admin",
                read,
                write,
                edit,
                MODERATION_PERMISSIONS,
                CHANNEL_EDIT_PERMISSIONS,
                OWNER_ONLY,
                List.of("remove-own-channel-membership", "ban-user"));
        g.add("moderator", read, write, edit, MODERATION_PERMISSIONS, List.of("ban-user"));
        g.add("user", read, write);
        g.owned("user", edit);
        g.add("channel_moderator", edit, MODERATION_PERMISSIONS);
        g.add("guest", read, List.of("flag-message", "mute-channel"));
        g.add("anonymous", read);
        return g.map;
    }

    /** The grants of a role that the messaging table defines; every caller names such a role. */
    private static Set<String> role(Map<String, Set<String>> grants, String role) {
        return Objects.requireNonNull(grants.get(role), role);
    }

    private static Map<String, Set<String>> mutable(Map<String, Set<String>> m) {
        Map<String, Set<String>> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, new HashSet<>(v)));
        return out;
    }

    private static final class Grants {
        final Map<String, Set<String>> map = new HashMap<>();

        @SafeVarargs
        final void add(String role, List<String>... lists) {
            Set<String> s = map.computeIfAbsent(role, r -> new HashSet<>());
            for (List<String> l : lists) {
                s.addAll(l);
            }
        }

        @SafeVarargs
        final void owned(String role, List<String>... lists) {
            Set<String> s = map.computeIfAbsent(role, r -> new HashSet<>());
            for (List<String> l : lists) {
                l.forEach(p -> s.add(p + "-owner"));
            }
        }
    }
}
