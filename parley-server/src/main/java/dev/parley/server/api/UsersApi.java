package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.auth.Caller;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.Events;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.exports.Exports;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.session.Session;
import dev.parley.server.tasks.Tasks;
import dev.parley.server.usage.ConnectionRegistry;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The users endpoints (PROTOCOL.md §7.1 U1 to U7, §9.3). */
final class UsersApi {
    /** Most users one upsert or partial update may carry. */
    static final int MAX_BATCH = 100;

    /** Largest offset of a user query. */
    static final int MAX_OFFSET = 10_000;

    /** Closes every socket of a user: an error frame that names why, then close 1000 so clients stop. */
    @FunctionalInterface
    interface SessionCloser {
        void closeSessionsOf(String userId, ChatException why);
    }

    private final UserService users;
    private final PresenceHub presence;
    private final EventPublisher events;
    private final ConnectionRegistry registry;
    private final SessionCloser sessions;
    private final Clock clock;

    private final RemoteSubscriptions remote;
    private final Tasks tasks;
    private final Exports exports;

    UsersApi(
            UserService users,
            PresenceHub presence,
            EventPublisher events,
            ConnectionRegistry registry,
            SessionCloser sessions,
            Clock clock,
            RemoteSubscriptions remote,
            Tasks tasks,
            Exports exports) {
        this.remote = requireNonNull(remote, "remote");
        this.tasks = requireNonNull(tasks, "tasks");
        this.exports = requireNonNull(exports, "exports");
        this.users = requireNonNull(users, "users");
        this.presence = requireNonNull(presence, "presence");
        this.events = requireNonNull(events, "events");
        this.registry = requireNonNull(registry, "registry");
        this.sessions = requireNonNull(sessions, "sessions");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.add("GET", "/users", this::query);
        router.add("POST", "/users", this::upsert);
        router.add("PATCH", "/users", this::partialUpdate);
        router.add("DELETE", "/users/{id}", this::delete);
        router.add("POST", "/users/{id}/deactivate", ctx -> single(ctx, true));
        router.add("POST", "/users/{id}/reactivate", ctx -> single(ctx, false));
        router.add("POST", "/users/deactivate", ctx -> batch(ctx, true));
        router.add("POST", "/users/reactivate", ctx -> batch(ctx, false));
        router.add("GET", "/tasks/{id}", this::task);
        router.add("POST", "/users/delete", this::deleteMany);
        router.add("POST", "/users/restore", this::restore);
        router.add("POST", "/users/{id}/event", this::userEvent);
    }

    private ObjectNode query(RequestContext ctx) {
        ctx.requireIdentified();
        ObjectNode p = ctx.payload();
        Filter filter = Filter.parse(p.get("filter_conditions"));
        List<SortField> sort = SortField.parse(p.get("sort"));
        int limit = intParam(p, "limit", UserService.DEFAULT_QUERY_LIMIT, 0, UserService.MAX_QUERY_LIMIT);
        int offset = intParam(p, "offset", 0, 0, MAX_OFFSET);
        boolean includeDeactivated = bool(p, "include_deactivated_users");
        List<User> found = users.query(filter, sort, limit, offset, includeDeactivated);
        if (bool(p, "presence")) {
            List<String> ids = found.stream().map(User::id).toList();
            Optional<Session> conn = ctx.connection(registry);
            conn.ifPresent(s -> presence.subscribe(s, ids));
            RemoteSubscriptions.forCaller(remote, ctx, conn.isPresent(), List.of(), ids);
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("users");
        found.forEach(u -> list.add(u.toJson()));
        return out;
    }

    private ObjectNode upsert(RequestContext ctx) {
        ctx.requireIdentified();
        JsonNode given = ctx.body().get("users");
        Map<String, ObjectNode> sent = new LinkedHashMap<>();
        if (given != null && given.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ObjectNode u = userObject(e.getValue(), "users." + e.getKey());
                if (!u.hasNonNull("id")) {
                    u.put("id", e.getKey());
                }
                if (!u.path("id").asText().equals(e.getKey())) {
                    throw ChatException.input("users." + e.getKey() + ".id must equal its key '" + e.getKey() + "'");
                }
                sent.put(e.getKey(), u);
            }
        } else if (given != null && given.isArray()) {
            for (JsonNode n : given) {
                ObjectNode u = userObject(n, "users[]");
                sent.put(
                        UserRules.checkId(u.path("id").isTextual() ? u.get("id").asText() : null, "users[].id"), u);
            }
        } else {
            throw ChatException.input("users must be an object of users keyed by id");
        }
        checkBatch(sent.size());
        boolean server = ctx.caller().isServer();
        for (String id : sent.keySet()) {
            UserRules.checkId(id, "users." + id + ".id");
            checkSelf(ctx, id);
        }
        Instant now = clock.instant();
        // Validate every user before writing any, so that one bad item fails the whole batch.
        for (Map.Entry<String, ObjectNode> e : sent.entrySet()) {
            UserRules.upsert(users.find(e.getKey()).orElse(null), e.getValue(), server, now);
        }
        ObjectNode out = Json.object();
        ObjectNode written = out.putObject("users");
        for (Map.Entry<String, ObjectNode> e : sent.entrySet()) {
            User u = requireNonNull( // an upsert always returns a user
                    users.update(e.getKey(), cur -> UserRules.upsert(cur, e.getValue(), server, now), null), "user");
            written.set(u.id(), u.toJson());
            publishUpdated(u, now);
        }
        return out;
    }

    private ObjectNode partialUpdate(RequestContext ctx) {
        ctx.requireIdentified();
        JsonNode given = ctx.body().get("users");
        if (given == null || !given.isArray()) {
            throw ChatException.input("users must be an array of {id, set, unset}");
        }
        checkBatch(given.size());
        boolean server = ctx.caller().isServer();
        Instant now = clock.instant();
        List<ObjectNode> items = new ArrayList<>();
        for (JsonNode n : given) {
            ObjectNode item = userObject(n, "users[]");
            String id = UserRules.checkId(
                    item.path("id").isTextual() ? item.get("id").asText() : null, "users[].id");
            checkSelf(ctx, id);
            User cur = users.require(id);
            UserRules.partialUpdate(cur, item.get("set"), item.get("unset"), server, now);
            items.add(item);
        }
        ObjectNode out = Json.object();
        ObjectNode written = out.putObject("users");
        for (ObjectNode item : items) {
            String id = item.get("id").asText();
            User u = requireNonNull( // the change returns a user or throws
                    users.update(
                            id,
                            cur -> {
                                if (cur == null) {
                                    throw ChatException.notFound("user '" + id + "' does not exist");
                                }
                                return UserRules.partialUpdate(cur, item.get("set"), item.get("unset"), server, now);
                            },
                            null),
                    "user");
            written.set(u.id(), u.toJson());
            publishUpdated(u, now);
        }
        return out;
    }

    private ObjectNode delete(RequestContext ctx) {
        ctx.requireServer();
        String id = UserRules.checkId(ctx.pathParam("id"), "id");
        User deleted = deleteUser(
                users.require(id),
                "true".equals(ctx.param("hard_delete")) ? "hard" : "soft",
                "true".equals(ctx.param("mark_messages_deleted")));
        ObjectNode out = Json.object();
        out.set("user", deleted.toJson());
        return out;
    }

    /**
     * Deletes one user: {@code hard} removes it, {@code soft} marks it deleted, {@code pruning} marks it deleted
     * and drops its name, image and custom data (PROTOCOL.md §7.1); its sockets close and {@code user.deleted}
     * goes to those who follow its presence.
     */
    private User deleteUser(User user, String mode, boolean markMessagesDeleted) {
        String id = user.id();
        Instant now = clock.instant();
        User deleted = user.toBuilder().deletedAt(now).online(false).build();
        if (mode.equals("hard")) {
            users.delete(id);
        } else {
            deleted = users.update(
                    id,
                    cur -> {
                        if (cur == null) {
                            return null;
                        }
                        User.Builder b = cur.toBuilder().deletedAt(now).online(false);
                        return (mode.equals("pruning") ? b.custom(Map.of()) : b).build();
                    },
                    null);
            if (deleted == null) { // deleted since it was read
                throw ChatException.notFound("user '" + id + "' does not exist");
            }
        }
        sessions.closeSessionsOf(id, ChatException.notAllowed("user '" + id + "' was deleted"));
        ObjectNode event = Events.userEvent(EventType.USER_DELETED.wireName(), deleted, now);
        event.put("hard_delete", mode.equals("hard"));
        event.put("mark_messages_deleted", markMessagesDeleted);
        events.publish(event, Audience.presenceOf(id));
        return deleted;
    }

    /** What {@code POST /users/delete} may do to the users themselves; their messages and channels are kept. */
    private static final List<String> DELETE_MODES = List.of("soft", "hard", "pruning");

    /**
     * {@code POST /users/delete} (U5, server side): deletes up to 100 users as {@link #deleteUser} does, each with
     * the {@code user} mode (soft by default), and answers a task that is complete already. Deleting their
     * messages or channels ({@code messages}, {@code conversations}, {@code new_channel_owner_id}) is not served:
     * code 4 names the option, and nothing is deleted.
     */
    private ObjectNode deleteMany(RequestContext ctx) {
        ctx.requireServer();
        ObjectNode body = ctx.body();
        for (String option : List.of("messages", "conversations", "new_channel_owner_id")) {
            if (body.hasNonNull(option)) {
                throw ChatException.input("DeleteUsers failed with error: \"" + option
                        + " is not served: a user's messages and channels" + " are kept\"");
            }
        }
        JsonNode modeNode = body.get("user");
        String mode = modeNode == null || modeNode.isNull() ? "soft" : modeNode.asText();
        if (!(modeNode == null || modeNode.isNull() || modeNode.isTextual()) || !DELETE_MODES.contains(mode)) {
            throw ChatException.input("user must be one of " + DELETE_MODES);
        }
        List<User> found = userIds(body).stream().map(users::require).toList();
        ObjectNode result = Json.object();
        for (User u : found) {
            deleteUser(u, mode, false);
            result.putObject(u.id()).put("status", "ok");
        }
        return completedTask("delete_users", result);
    }

    /**
     * {@code POST /users/restore} (U8, server side): users soft-deleted (also by pruning) are users again; a user
     * that is not deleted is left as it is, and a hard-deleted one no longer exists (code 16, nothing restored).
     * Pruned data does not come back.
     */
    private ObjectNode restore(RequestContext ctx) {
        ctx.requireServer();
        List<String> ids = userIds(ctx.body());
        ids.forEach(users::require);
        Instant now = clock.instant();
        for (String id : ids) {
            User before = users.require(id);
            if (before.deletedAt() == null) {
                continue;
            }
            User u = users.update(
                    id,
                    cur -> cur == null || cur.deletedAt() == null
                            ? cur
                            : cur.toBuilder().deletedAt(null).updatedAt(now).build(),
                    null);
            if (u != null) {
                publishUpdated(u, now);
            }
        }
        return Json.object();
    }

    /** Largest custom event sent to a user, in bytes of JSON. */
    static final int MAX_USER_EVENT = 5 * 1024;

    /**
     * {@code POST /users/{id}/event} (U12, server side): a custom event to every connection of one user, wherever
     * it is connected. The type must be the app's own: a built-in event type is code 4.
     */
    private ObjectNode userEvent(RequestContext ctx) {
        ctx.requireServer();
        String id = UserRules.checkId(ctx.pathParam("id"), "id");
        JsonNode event = ctx.body().get("event");
        if (!(event instanceof ObjectNode e)
                || !e.path("type").isTextual()
                || e.get("type").asText().isEmpty()) {
            throw ChatException.input("event must be an object with a string type");
        }
        String kind = e.get("type").asText();
        if (EventType.fromWireName(kind).isPresent() || kind.startsWith("notification.")) {
            throw ChatException.input("SendUserCustomEvent failed with error: \"event type '" + kind
                    + "' is a built-in event; only custom events can be sent to a user\"");
        }
        if (Json.writeBytes(e).length > MAX_USER_EVENT) {
            throw ChatException.input("event must be at most " + MAX_USER_EVENT + " bytes of JSON");
        }
        users.require(id);
        ObjectNode out = e.deepCopy();
        out.put("created_at", dev.parley.protocol.Timestamps.format(clock.instant()));
        events.publish(out, Audience.user(id));
        return Json.object();
    }

    /** The {@code user_ids} of a batch body: 1 to 100 valid ids. */
    private static List<String> userIds(ObjectNode body) {
        JsonNode ids = body.get("user_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw ChatException.input("user_ids must be a non-empty array of user ids");
        }
        checkBatch(ids.size());
        List<String> list = new ArrayList<>();
        for (JsonNode n : ids) {
            list.add(UserRules.checkId(n.isTextual() ? n.asText() : null, "user_ids[]"));
        }
        return list;
    }

    /**
     * A task of a batch that is done by the time it answers, stored for {@code GET /tasks/{id}} (PROTOCOL.md §17.6):
     * {@code {task_id}}.
     */
    private ObjectNode completedTask(String kind, ObjectNode result) {
        ObjectNode out = Json.object();
        out.put("task_id", tasks.completed(kind, result));
        return out;
    }

    private ObjectNode single(RequestContext ctx, boolean deactivate) {
        ctx.requireServer();
        String id = UserRules.checkId(ctx.pathParam("id"), "id");
        users.require(id);
        User u = setActive(id, deactivate);
        ObjectNode out = Json.object();
        out.set("user", u.toJson());
        return out;
    }

    private ObjectNode batch(RequestContext ctx, boolean deactivate) {
        ctx.requireServer();
        List<String> list = userIds(ctx.body());
        list.forEach(users::require);
        list.forEach(id -> setActive(id, deactivate));
        return completedTask(
                deactivate ? "deactivate_users" : "reactivate_users",
                Json.object().put("users", list.size()));
    }

    private ObjectNode task(RequestContext ctx) {
        ctx.requireServer();
        String id = ctx.pathParam("id");
        return exports.status(id, null, () -> ExportsApi.baseUrl(ctx))
                .orElseThrow(() -> ChatException.notFound("task '" + id + "' does not exist"));
    }

    private User setActive(String id, boolean deactivate) {
        Instant now = clock.instant();
        UnaryOperator<User> change = cur -> cur == null
                ? null
                : cur.toBuilder()
                        .deactivatedAt(deactivate ? now : null)
                        .updatedAt(now)
                        .build();
        User u = users.update(id, change, null);
        if (u == null) { // deleted since it was read
            throw ChatException.notFound("user '" + id + "' does not exist");
        }
        if (deactivate) {
            sessions.closeSessionsOf(id, ChatException.notAllowed("user '" + id + "' was deactivated"));
        }
        events.publish(
                Events.userEvent(
                        deactivate ? EventType.USER_DEACTIVATED.wireName() : EventType.USER_REACTIVATED.wireName(),
                        u,
                        now),
                Audience.presenceOf(id));
        return u;
    }

    private void publishUpdated(User u, Instant now) {
        events.publish(Events.userEvent(EventType.USER_UPDATED.wireName(), u, now), Audience.presenceOfAndSelf(u.id()));
    }

    private static void checkSelf(RequestContext ctx, String id) {
        if (ctx.caller() instanceof Caller.UserCaller c && !c.userId().equals(id)) {
            throw ChatException.notAllowed("User '" + c.userId() + "' is not allowed to update user '" + id + "'");
        }
    }

    private static void checkBatch(int size) {
        if (size == 0) {
            throw ChatException.input("users is empty");
        }
        if (size > MAX_BATCH) {
            throw ChatException.input("users has " + size + " entries (expected: at most " + MAX_BATCH + ")");
        }
    }

    private static ObjectNode userObject(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw ChatException.input(what + " must be a JSON object");
        }
        return ((ObjectNode) n).deepCopy();
    }

    static int intParam(ObjectNode p, String name, int dflt, int min, int max) {
        JsonNode n = p.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        int v;
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            v = n.asInt();
        } else if (n.isTextual()) {
            v = parseInt(n.asText(), name);
        } else {
            throw ChatException.input(name + " must be an integer");
        }
        if (v < min || v > max) {
            throw ChatException.input(name + ": " + v + " (expected: " + min + ".." + max + ")");
        }
        return v;
    }

    private static int parseInt(String s, String name) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw ChatException.input(name + " must be an integer");
        }
    }

    static boolean bool(ObjectNode p, String name) {
        JsonNode n = p.get(name);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ChatException(ErrorCode.INPUT, name + " must be a boolean");
        }
        return n.asBoolean();
    }
}
