package dev.parley.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A chat user as the protocol shows it (PROTOCOL.md §6.1).
 *
 * <p>The fields the server manages are typed; everything else the user or the app may set ({@code name},
 * {@code image}, {@code language}, {@code teams_role}, {@code privacy_settings}, custom keys...) lives in
 * {@link #custom()} and is flattened into the JSON object on the wire. Immutable.
 */
public record User(
        String id,
        String role,
        List<String> teams,
        @Nullable Instant createdAt,
        @Nullable Instant updatedAt,
        @Nullable Instant lastActive,
        boolean online,
        boolean invisible,
        boolean banned,
        @Nullable Instant banExpires,
        boolean shadowBanned,
        @Nullable Instant deactivatedAt,
        @Nullable Instant deletedAt,
        @Nullable Instant revokeTokensIssuedBefore,
        Map<String, JsonNode> custom) {

    /** Keys with a typed field of their own; never part of {@link #custom()}. */
    public static final Set<String> TYPED_FIELDS = Set.of(
            "id",
            "role",
            "teams",
            "created_at",
            "updated_at",
            "last_active",
            "online",
            "invisible",
            "banned",
            "ban_expires",
            "shadow_banned",
            "deactivated_at",
            "deleted_at",
            "revoke_tokens_issued_before");

    /** Keys the server computes per reader; dropped from any input. */
    public static final Set<String> COMPUTED_FIELDS = Set.of(
            "devices",
            "mutes",
            "channel_mutes",
            "total_unread_count",
            "unread_count",
            "unread_channels",
            "unread_threads",
            "unread_thread_messages",
            "blocked_user_ids",
            "roles",
            "total_unread_count_by_team",
            "latest_hidden_channels",
            "avg_response_time",
            "channel_last_read_at",
            "channel_unread_count",
            "anon",
            "push_preferences");

    public static final String DEFAULT_ROLE = "user";

    public User {
        requireNonNull(id, "id");
        role = role == null ? DEFAULT_ROLE : role;
        teams = teams == null ? List.of() : List.copyOf(teams);
        custom = custom == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(custom));
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        lastActive = Timestamps.truncate(lastActive);
        banExpires = Timestamps.truncate(banExpires);
        deactivatedAt = Timestamps.truncate(deactivatedAt);
        deletedAt = Timestamps.truncate(deletedAt);
        revokeTokensIssuedBefore = Timestamps.truncate(revokeTokensIssuedBefore);
    }

    /** A new user with the default role, created at {@code now}. */
    public static User create(String id, Instant now) {
        return builder(id).createdAt(now).updatedAt(now).build();
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The display name, or null. */
    public @Nullable String name() {
        JsonNode n = custom.get("name");
        return n == null || n.isNull() ? null : n.asText();
    }

    /** The custom data as {@link JsonValue}s, in order. */
    public CustomFields customFields() {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        custom.forEach((k, v) -> m.put(k, Json.value(v)));
        return CustomFields.of(m);
    }

    /** True when the user is deactivated or deleted. */
    public boolean isDisabled() {
        return deactivatedAt != null || deletedAt != null;
    }

    /** The user as sent on the wire, custom fields flattened. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        custom.forEach(o::set);
        o.put("role", role);
        ArrayNode t = o.putArray("teams");
        teams.forEach(t::add);
        putTime(o, "created_at", createdAt);
        putTime(o, "updated_at", updatedAt);
        putTime(o, "last_active", lastActive);
        o.put("banned", banned);
        o.put("online", online);
        o.put("invisible", invisible);
        if (shadowBanned) {
            o.put("shadow_banned", true);
        }
        putTime(o, "ban_expires", banExpires);
        putTime(o, "deactivated_at", deactivatedAt);
        putTime(o, "deleted_at", deletedAt);
        putTime(o, "revoke_tokens_issued_before", revokeTokensIssuedBefore);
        return o;
    }

    /**
     * Reads a user as sent on the wire. Every typed field is read; computed fields are dropped; every
     * other key becomes custom data.
     *
     * @throws ChatException code 4 naming the field when a typed field has the wrong type
     */
    public static User fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ChatException.input("user must be a JSON object");
        }
        String id = requireNonNull(text(node, "id", true), "id"); // required: text throws when absent
        Builder b = builder(id)
                .role(text(node, "role", false))
                .teams(strings(node, "teams"))
                .createdAt(time(node, "created_at"))
                .updatedAt(time(node, "updated_at"))
                .lastActive(time(node, "last_active"))
                .online(bool(node, "online"))
                .invisible(bool(node, "invisible"))
                .banned(bool(node, "banned"))
                .banExpires(time(node, "ban_expires"))
                .shadowBanned(bool(node, "shadow_banned"))
                .deactivatedAt(time(node, "deactivated_at"))
                .deletedAt(time(node, "deleted_at"))
                .revokeTokensIssuedBefore(time(node, "revoke_tokens_issued_before"));
        b.custom(customOf(node));
        return b.build();
    }

    /** The keys of {@code node} that are neither typed nor computed. */
    public static Map<String, JsonNode> customOf(JsonNode node) {
        Map<String, JsonNode> custom = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!TYPED_FIELDS.contains(e.getKey()) && !COMPUTED_FIELDS.contains(e.getKey())) {
                custom.put(e.getKey(), e.getValue());
            }
        }
        return custom;
    }

    static @Nullable String text(JsonNode node, String field, boolean required) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ChatException.input("user." + field + " is a required field");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input("user." + field + " must be a string");
        }
        return n.asText();
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw ChatException.input("user." + field + " must be a boolean");
        }
        return n.asBoolean();
    }

    static @Nullable Instant time(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.input("user." + field + " must be an RFC 3339 timestamp string");
        }
        return Timestamps.parse(n.asText(), "user." + field);
    }

    static @Nullable List<String> strings(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw ChatException.input("user." + field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw ChatException.input("user." + field + " must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static void putTime(ObjectNode o, String field, @Nullable Instant t) {
        if (t != null) {
            o.put(field, Timestamps.format(t));
        }
    }

    /** Builds a {@link User}; every setter returns the builder. */
    public static final class Builder {
        private final String id;
        private String role = DEFAULT_ROLE;
        private List<String> teams = List.of();
        private @Nullable Instant createdAt;
        private @Nullable Instant updatedAt;
        private @Nullable Instant lastActive;
        private boolean online;
        private boolean invisible;
        private boolean banned;
        private @Nullable Instant banExpires;
        private boolean shadowBanned;
        private @Nullable Instant deactivatedAt;
        private @Nullable Instant deletedAt;
        private @Nullable Instant revokeTokensIssuedBefore;
        private Map<String, JsonNode> custom = new LinkedHashMap<>();

        private Builder(String id) {
            this.id = requireNonNull(id, "id");
        }

        private Builder(User u) {
            this(u.id);
            role = u.role;
            teams = u.teams;
            createdAt = u.createdAt;
            updatedAt = u.updatedAt;
            lastActive = u.lastActive;
            online = u.online;
            invisible = u.invisible;
            banned = u.banned;
            banExpires = u.banExpires;
            shadowBanned = u.shadowBanned;
            deactivatedAt = u.deactivatedAt;
            deletedAt = u.deletedAt;
            revokeTokensIssuedBefore = u.revokeTokensIssuedBefore;
            custom = new LinkedHashMap<>(u.custom);
        }

        public Builder role(@Nullable String v) {
            role = v == null ? DEFAULT_ROLE : v;
            return this;
        }

        public Builder teams(@Nullable List<String> v) {
            teams = v == null ? List.of() : v;
            return this;
        }

        public Builder createdAt(@Nullable Instant v) {
            createdAt = v;
            return this;
        }

        public Builder updatedAt(@Nullable Instant v) {
            updatedAt = v;
            return this;
        }

        public Builder lastActive(@Nullable Instant v) {
            lastActive = v;
            return this;
        }

        public Builder online(boolean v) {
            online = v;
            return this;
        }

        public Builder invisible(boolean v) {
            invisible = v;
            return this;
        }

        public Builder banned(boolean v) {
            banned = v;
            return this;
        }

        public Builder banExpires(@Nullable Instant v) {
            banExpires = v;
            return this;
        }

        public Builder shadowBanned(boolean v) {
            shadowBanned = v;
            return this;
        }

        public Builder deactivatedAt(@Nullable Instant v) {
            deactivatedAt = v;
            return this;
        }

        public Builder deletedAt(@Nullable Instant v) {
            deletedAt = v;
            return this;
        }

        public Builder revokeTokensIssuedBefore(@Nullable Instant v) {
            revokeTokensIssuedBefore = v;
            return this;
        }
        /** Replaces all custom data. */
        public Builder custom(Map<String, JsonNode> v) {
            custom = new LinkedHashMap<>(v);
            return this;
        }
        /** Sets one custom key. */
        public Builder put(String key, JsonNode value) {
            custom.put(key, value);
            return this;
        }
        /** Sets one custom key; values as {@link JsonValue#of(Object)} takes them, for example {@code put("name", "Alice")}. */
        public Builder put(String key, @Nullable Object value) {
            custom.put(key, value instanceof JsonNode n ? n : Json.node(JsonValue.of(value)));
            return this;
        }
        /** Replaces all custom data. */
        public Builder custom(CustomFields v) {
            custom = new LinkedHashMap<>();
            v.asMap().forEach((k, e) -> custom.put(k, Json.node(e)));
            return this;
        }

        public Builder remove(String key) {
            custom.remove(key);
            return this;
        }

        public User build() {
            return new User(
                    id,
                    role,
                    teams,
                    createdAt,
                    updatedAt,
                    lastActive,
                    online,
                    invisible,
                    banned,
                    banExpires,
                    shadowBanned,
                    deactivatedAt,
                    deletedAt,
                    revokeTokensIssuedBefore,
                    custom);
        }
    }
}
