package dev.parley.server.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * A channel type: its feature flags ({@code config}, PROTOCOL.md §6.2.1) and who may do what in it
 * ({@code grants}, §11.3). A grant ending in {@code -owner} applies only to the owner of the resource
 * (the channel's creator, a message's author). Immutable.
 *
 * @param grants role (global or channel role) to permissions, as the app granted them (custom ones included)
 * @param customPermissions the app's custom permissions: id to the built-in grant it stands for ({@code perm} or
 *     {@code perm-owner})
 */
public record ChannelType(
        String name, ObjectNode config, Map<String, Set<String>> grants, Map<String, String> customPermissions) {
    public ChannelType {
        requireNonNull(name, "name");
        config = requireNonNull(config, "config").deepCopy();
        grants = Map.copyOf(grants);
        customPermissions = Map.copyOf(customPermissions);
    }

    public ChannelType(String name, ObjectNode config, Map<String, Set<String>> grants) {
        this(name, config, grants, Map.of());
    }

    /** The same type with the app's custom permissions (id to the built-in grant each stands for, §11.5). */
    public ChannelType withCustomPermissions(Map<String, String> custom) {
        return new ChannelType(name, config, grants, custom);
    }

    /** A copy of the config, safe to put into a response. */
    public ObjectNode configJson() {
        return config.deepCopy();
    }

    /** A boolean feature flag of the config; absent flags are off. */
    public boolean flag(String name) {
        return config.path(name).asBoolean(false);
    }

    public int maxMessageLength() {
        return config.path("max_message_length").asInt(5000);
    }
}
