package dev.parley.server.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules for what a client may write on a user (PROTOCOL.md §4.2): pure functions, no I/O.
 *
 * <p>A connect merges {@code user_details}: custom and profile fields are set and nothing is deleted; a
 * {@code role}, {@code teams} or {@code teams_role} that differs from the stored one is refused with code
 * 17; server-managed and computed fields are ignored.
 */
public final class UserRules {
    /** Largest custom data of one user, in bytes of JSON. */
    public static final int MAX_CUSTOM_BYTES = 5 * 1024;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9@_\\-]{1,255}");

    private UserRules() {}

    /** @throws ChatException code 4 when {@code id} is not a valid user id */
    public static String checkId(@Nullable String id, String field) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ChatException.input(field + ": '" + id
                    + "' is not a valid user id (expected 1-255 characters of a-z, A-Z, 0-9, @, _ and -)");
        }
        return id;
    }

    /**
     * Merges a connect's {@code user_details} into the stored user, or creates the user.
     *
     * @param stored the stored user, or null when new
     * @return the merged user; equal to {@code stored} when nothing changed
     */
    public static User mergeConnect(@Nullable User stored, String userId, ObjectNode details, Instant now) {
        User base = stored != null ? stored : User.create(userId, now);
        checkSameRole(base, details.get("role"), "UpdateUserRole");
        checkSameValue(base, "teams", details.get("teams"), () -> Json.mapper().valueToTree(base.teams()));
        checkSameValue(
                base,
                "teams_role",
                details.get("teams_role"),
                () -> base.custom().get("teams_role"));
        User.Builder b = base.toBuilder();
        JsonNode invisible = details.get("invisible");
        if (invisible != null && !invisible.isNull()) {
            if (!invisible.isBoolean()) {
                throw ChatException.input("user_details.invisible must be a boolean");
            }
            b.invisible(invisible.asBoolean());
        }
        Map<String, JsonNode> custom = new LinkedHashMap<>(base.custom());
        Map<String, JsonNode> sent = User.customOf(details);
        sent.remove("teams_role");
        custom.putAll(sent);
        checkCustomSize(custom, "user_details");
        b.custom(custom);
        User merged = b.build();
        if (stored != null && sameData(stored, merged)) {
            return stored;
        }
        return merged.toBuilder().updatedAt(now).build();
    }

    /**
     * The user an upsert ({@code POST /users}) writes: the sent fields replace the stored ones, while the
     * server-managed fields are kept.
     *
     * @param serverSide whether the caller holds a server token; users may not change their role or teams
     */
    public static User upsert(@Nullable User stored, ObjectNode sent, boolean serverSide, Instant now) {
        User in = User.fromJson(sent);
        checkId(in.id(), "users[].id");
        if (!serverSide) {
            User base = stored != null ? stored : User.create(in.id(), now);
            checkSameRole(base, sent.get("role"), "UpdateUserRole");
            checkSameValue(base, "teams", sent.get("teams"), () -> Json.mapper().valueToTree(base.teams()));
        }
        checkCustomSize(in.custom(), "users." + in.id());
        User.Builder b = (stored != null ? stored : User.create(in.id(), now)).toBuilder();
        b.custom(in.custom());
        if (sent.hasNonNull("role")) {
            b.role(in.role());
        }
        if (sent.has("teams")) {
            b.teams(in.teams());
        }
        if (sent.has("invisible")) {
            b.invisible(in.invisible());
        }
        if (serverSide && sent.has("revoke_tokens_issued_before")) {
            b.revokeTokensIssuedBefore(in.revokeTokensIssuedBefore());
        }
        return b.updatedAt(now).build();
    }

    /**
     * Applies a partial update ({@code PATCH /users}): {@code set} keys may be dotted paths into custom
     * objects; {@code unset} removes custom keys or paths.
     */
    public static User partialUpdate(User stored, JsonNode set, JsonNode unset, boolean serverSide, Instant now) {
        User.Builder b = stored.toBuilder();
        Map<String, JsonNode> custom = new LinkedHashMap<>(stored.custom());
        if (set != null && !set.isNull()) {
            if (!set.isObject()) {
                throw ChatException.input("users[].set must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                setField(stored, b, custom, e.getKey(), e.getValue(), serverSide);
            }
        }
        if (unset != null && !unset.isNull()) {
            if (!unset.isArray()) {
                throw ChatException.input("users[].unset must be an array of field names");
            }
            for (JsonNode n : unset) {
                if (!n.isTextual()) {
                    throw ChatException.input("users[].unset must be an array of field names");
                }
                unsetField(b, custom, n.asText(), serverSide);
            }
        }
        checkCustomSize(custom, "users." + stored.id());
        User updated = b.custom(custom).build();
        return sameData(stored, updated)
                ? stored
                : updated.toBuilder().updatedAt(now).build();
    }

    private static void setField(
            User stored, User.Builder b, Map<String, JsonNode> custom, String key, JsonNode v, boolean serverSide) {
        String path = "users[].set." + key;
        switch (key) {
            case "id" -> {
                if (!v.isTextual() || !v.asText().equals(stored.id())) {
                    throw ChatException.input(path + " cannot change a user's id");
                }
            }
            case "role" -> {
                if (!v.isTextual() || v.asText().isEmpty()) {
                    throw ChatException.input(path + " must be a non-empty string");
                }
                if (!serverSide && !v.asText().equals(stored.role())) {
                    throw notAllowed(stored, "UpdateUserRole");
                }
                b.role(v.asText());
            }
            case "teams" -> {
                List<String> teams = stringList(v, path);
                if (!serverSide && !teams.equals(stored.teams())) {
                    throw notAllowed(stored, "UpdateUserTeams");
                }
                b.teams(teams);
            }
            case "invisible" -> {
                if (!v.isBoolean()) {
                    throw ChatException.input(path + " must be a boolean");
                }
                b.invisible(v.asBoolean());
            }
            case "revoke_tokens_issued_before" -> {
                if (!serverSide) {
                    throw notAllowed(stored, "UpdateUser");
                }
                b.revokeTokensIssuedBefore(v.isNull() ? null : dev.parley.protocol.Timestamps.parse(v.asText(), path));
            }
            case "teams_role" -> {
                if (!serverSide && !Objects.equals(v, stored.custom().get("teams_role"))) {
                    throw notAllowed(stored, "UpdateUserTeams");
                }
                custom.put(key, v);
            }
            default -> {
                if (User.TYPED_FIELDS.contains(key) || User.COMPUTED_FIELDS.contains(key)) {
                    if (!serverSide
                            && Set.of("banned", "shadow_banned", "ban_expires", "deactivated_at", "deleted_at")
                                    .contains(key)) {
                        throw notAllowed(stored, "UpdateUser");
                    }
                    return; // server-managed or computed: ignored, as the protocol ignores them on connect
                }
                putPath(custom, key, v, path);
            }
        }
    }

    private static void unsetField(User.Builder b, Map<String, JsonNode> custom, String key, boolean serverSide) {
        switch (key) {
            case "invisible" -> b.invisible(false);
            case "revoke_tokens_issued_before" -> {
                if (!serverSide) {
                    throw ChatException.notAllowed(
                            "UpdateUsersPartial failed with error: \"only server-side calls may unset revoke_tokens_issued_before\"");
                }
                b.revokeTokensIssuedBefore(null);
            }
            default -> {
                if (User.TYPED_FIELDS.contains(key)) {
                    throw ChatException.input("users[].unset: '" + key + "' cannot be unset");
                }
                removePath(custom, key);
            }
        }
    }

    private static void putPath(Map<String, JsonNode> custom, String dotted, JsonNode v, String path) {
        String[] parts = dotted.split("\\.", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw ChatException.input(path + " is not a valid field path");
            }
        }
        if (parts.length == 1) {
            custom.put(dotted, v);
            return;
        }
        JsonNode root = custom.get(parts[0]);
        ObjectNode obj = root != null && root.isObject() ? ((ObjectNode) root).deepCopy() : Json.object();
        custom.put(parts[0], obj);
        ObjectNode cur = obj;
        for (int i = 1; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            cur = next != null && next.isObject() ? (ObjectNode) next : cur.putObject(parts[i]);
        }
        cur.set(parts[parts.length - 1], v);
    }

    private static void removePath(Map<String, JsonNode> custom, String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length == 1) {
            custom.remove(dotted);
            return;
        }
        JsonNode root = custom.get(parts[0]);
        if (root == null || !root.isObject()) {
            return;
        }
        ObjectNode obj = ((ObjectNode) root).deepCopy();
        ObjectNode cur = obj;
        for (int i = 1; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            if (next == null || !next.isObject()) {
                return;
            }
            cur = (ObjectNode) next;
        }
        cur.remove(parts[parts.length - 1]);
        custom.put(parts[0], obj);
    }

    private static List<String> stringList(JsonNode v, String path) {
        if (!v.isArray()) {
            throw ChatException.input(path + " must be an array of strings");
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode n : v) {
            if (!n.isTextual()) {
                throw ChatException.input(path + " must be an array of strings");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static void checkSameRole(User base, JsonNode role, String action) {
        if (role == null || role.isNull()) {
            return;
        }
        if (!role.isTextual() || !role.asText().equals(base.role())) {
            throw notAllowed(base, action);
        }
    }

    /** {@code storedValue} is only computed when the field was sent: most connects send neither. */
    private static void checkSameValue(User base, String field, JsonNode sent, Supplier<JsonNode> storedValue) {
        if (sent == null || sent.isNull()) {
            return;
        }
        JsonNode stored = storedValue.get();
        boolean same = (field.equals("teams") && sent.isArray() && stored != null)
                ? new HashSet<>(Json.mapper().convertValue(sent, List.class)).equals(new HashSet<>(base.teams()))
                : Objects.equals(sent, stored);
        if (!same) {
            throw notAllowed(base, "UpdateUserTeams");
        }
    }

    static ChatException notAllowed(User user, String action) {
        return ChatException.notAllowed(
                "User '" + user.id() + "' with role '" + user.role() + "' is not allowed to perform action " + action);
    }

    private static void checkCustomSize(Map<String, JsonNode> custom, String what) {
        if (sizeBound(custom) <= MAX_CUSTOM_BYTES) {
            return;
        }
        int size = Json.writeBytes(custom).length;
        if (size > MAX_CUSTOM_BYTES) {
            throw ChatException.input(
                    what + ": custom data is " + size + " bytes (expected: at most " + MAX_CUSTOM_BYTES + ")");
        }
    }

    /**
     * An upper bound of the encoded size of {@code custom}, without encoding the usual scalar values: a
     * character takes at most 6 bytes in JSON (a six-character escape; UTF-8 needs at most 3). Objects and
     * arrays are encoded to be measured.
     */
    static long sizeBound(Map<String, JsonNode> custom) {
        long bound = 2;
        for (Map.Entry<String, JsonNode> e : custom.entrySet()) {
            bound += 6L * e.getKey().length() + 4;
            JsonNode v = e.getValue();
            if (v == null || v.isNull() || v.isBoolean()) {
                bound += 5;
            } else if (v.isTextual()) {
                bound += 6L * v.textValue().length() + 2;
            } else if (v.isNumber()) {
                bound += v.asText().length();
            } else {
                bound += Json.writeBytes(v).length;
            }
            if (bound > MAX_CUSTOM_BYTES) {
                return bound;
            }
        }
        return bound;
    }

    /** Whether two users hold the same data, ignoring presence and timestamps the server manages. */
    static boolean sameData(User a, User b) {
        return a.role().equals(b.role())
                && a.teams().equals(b.teams())
                && a.invisible() == b.invisible()
                && Objects.equals(a.revokeTokensIssuedBefore(), b.revokeTokensIssuedBefore())
                && a.custom().equals(b.custom());
    }
}
