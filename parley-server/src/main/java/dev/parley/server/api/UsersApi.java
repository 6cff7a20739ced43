package dev.parley.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.ChatNode;
import dev.parley.server.auth.Caller;
import dev.parley.server.events.Audience;
import dev.parley.server.events.Events;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** The users endpoints (PROTOCOL.md §7.1 U1 to U7, §9.3). */
final class UsersApi {
    /** Most users one upsert or partial update may carry. */
    static final int MAX_BATCH = 100;

    /** Largest offset of a user query. */
    static final int MAX_OFFSET = 10_000;

    /** Finished batch tasks kept for {@code GET /tasks/{id}}; older ones are forgotten. */
    static final int MAX_TASKS = 1_000;

    private final Map<String, ObjectNode> tasks = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > MAX_TASKS;
        }
    });

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
    }

    private ObjectNode query(RequestContext ctx) {
        ctx.requireIdentified();
        ObjectNode p = ctx.payload();
        Filter filter = Filter.parse(p.get("filter_conditions"));
        List<SortField> sort = SortField.parse(p.get("sort"));
        int limit = intParam(p, "limit", UserService.DEFAULT_QUERY_LIMIT, 0, UserService.MAX_QUERY_LIMIT);
        int offset = intParam(p, "offset", 0, 0, MAX_OFFSET);
        boolean includeDeactivated = bool(p, "include_deactivated_users");
        List<User> found = ctx.node().users().query(filter, sort, limit, offset, includeDeactivated);
        if (bool(p, "presence")) {
            ctx.connection()
                    .ifPresent(s -> ctx.node()
                            .presence()
                            .subscribe(s, found.stream().map(User::id).toList()));
        }
        ObjectNode out = Json.object();
        ArrayNode users = out.putArray("users");
        found.forEach(u -> users.add(u.toJson()));
        return out;
    }

    private ObjectNode upsert(RequestContext ctx) {
        ctx.requireIdentified();
        JsonNode users = ctx.body().get("users");
        Map<String, ObjectNode> sent = new LinkedHashMap<>();
        if (users != null && users.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = users.fields(); it.hasNext(); ) {
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
        } else if (users != null && users.isArray()) {
            for (JsonNode n : users) {
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
        Instant now = ctx.node().clock().instant();
        // Validate every user before writing any, so that one bad item fails the whole batch.
        for (Map.Entry<String, ObjectNode> e : sent.entrySet()) {
            UserRules.upsert(ctx.node().users().find(e.getKey()).orElse(null), e.getValue(), server, now);
        }
        ObjectNode out = Json.object();
        ObjectNode written = out.putObject("users");
        for (Map.Entry<String, ObjectNode> e : sent.entrySet()) {
            User u = ctx.node()
                    .users()
                    .update(e.getKey(), cur -> UserRules.upsert(cur, e.getValue(), server, now), null);
            written.set(u.id(), u.toJson());
            publishUpdated(ctx.node(), u, now);
        }
        return out;
    }

    private ObjectNode partialUpdate(RequestContext ctx) {
        ctx.requireIdentified();
        JsonNode users = ctx.body().get("users");
        if (users == null || !users.isArray()) {
            throw ChatException.input("users must be an array of {id, set, unset}");
        }
        checkBatch(users.size());
        boolean server = ctx.caller().isServer();
        Instant now = ctx.node().clock().instant();
        List<ObjectNode> items = new ArrayList<>();
        for (JsonNode n : users) {
            ObjectNode item = userObject(n, "users[]");
            String id = UserRules.checkId(
                    item.path("id").isTextual() ? item.get("id").asText() : null, "users[].id");
            checkSelf(ctx, id);
            User cur = ctx.node().users().require(id);
            UserRules.partialUpdate(cur, item.get("set"), item.get("unset"), server, now);
            items.add(item);
        }
        ObjectNode out = Json.object();
        ObjectNode written = out.putObject("users");
        for (ObjectNode item : items) {
            String id = item.get("id").asText();
            User u = ctx.node()
                    .users()
                    .update(
                            id,
                            cur -> {
                                if (cur == null) {
                                    throw ChatException.notFound("user '" + id + "' does not exist");
                                }
                                return UserRules.partialUpdate(cur, item.get("set"), item.get("unset"), server, now);
                            },
                            null);
            written.set(u.id(), u.toJson());
            publishUpdated(ctx.node(), u, now);
        }
        return out;
    }

    private ObjectNode delete(RequestContext ctx) {
        ctx.requireServer();
        String id = UserRules.checkId(ctx.pathParam("id"), "id");
        ChatNode node = ctx.node();
        User user = node.users().require(id);
        Instant now = node.clock().instant();
        boolean hard = "true".equals(ctx.param("hard_delete"));
        User deleted = user.toBuilder().deletedAt(now).online(false).build();
        if (hard) {
            node.users().delete(id);
        } else {
            deleted = node.users()
                    .update(
                            id,
                            cur -> cur == null
                                    ? null
                                    : cur.toBuilder()
                                            .deletedAt(now)
                                            .online(false)
                                            .build(),
                            null);
        }
        node.closeSessionsOf(id, ChatException.notAllowed("user '" + id + "' was deleted"));
        ObjectNode event = Events.userEvent(EventType.USER_DELETED.wireName(), deleted, now);
        event.put("hard_delete", hard);
        event.put("mark_messages_deleted", "true".equals(ctx.param("mark_messages_deleted")));
        node.events().publish(event, Audience.presenceOf(id));
        ObjectNode out = Json.object();
        out.set("user", deleted.toJson());
        return out;
    }

    private ObjectNode single(RequestContext ctx, boolean deactivate) {
        ctx.requireServer();
        String id = UserRules.checkId(ctx.pathParam("id"), "id");
        ctx.node().users().require(id);
        User u = setActive(ctx.node(), id, deactivate);
        ObjectNode out = Json.object();
        out.set("user", u.toJson());
        return out;
    }

    private ObjectNode batch(RequestContext ctx, boolean deactivate) {
        ctx.requireServer();
        JsonNode ids = ctx.body().get("user_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw ChatException.input("user_ids must be a non-empty array of user ids");
        }
        checkBatch(ids.size());
        List<String> list = new ArrayList<>();
        for (JsonNode n : ids) {
            String id = UserRules.checkId(n.isTextual() ? n.asText() : null, "user_ids[]");
            ctx.node().users().require(id);
            list.add(id);
        }
        list.forEach(id -> setActive(ctx.node(), id, deactivate));
        String taskId = UUID.randomUUID().toString();
        ObjectNode task = Json.object();
        task.put("task_id", taskId);
        task.put("status", "completed");
        task.put(
                "created_at",
                dev.parley.protocol.Timestamps.format(ctx.node().clock().instant()));
        task.putObject("result").put("users", list.size());
        tasks.put(taskId, task);
        ObjectNode out = Json.object();
        out.put("task_id", taskId);
        return out;
    }

    private ObjectNode task(RequestContext ctx) {
        ctx.requireServer();
        ObjectNode t = tasks.get(ctx.pathParam("id"));
        if (t == null) {
            throw ChatException.notFound("task '" + ctx.pathParam("id") + "' does not exist");
        }
        return t.deepCopy();
    }

    private static User setActive(ChatNode node, String id, boolean deactivate) {
        Instant now = node.clock().instant();
        UnaryOperator<User> change = cur -> cur == null
                ? null
                : cur.toBuilder()
                        .deactivatedAt(deactivate ? now : null)
                        .updatedAt(now)
                        .build();
        User u = node.users().update(id, change, null);
        if (deactivate) {
            node.closeSessionsOf(id, ChatException.notAllowed("user '" + id + "' was deactivated"));
        }
        node.events()
                .publish(
                        Events.userEvent(
                                deactivate
                                        ? EventType.USER_DEACTIVATED.wireName()
                                        : EventType.USER_REACTIVATED.wireName(),
                                u,
                                now),
                        Audience.presenceOf(id));
        return u;
    }

    private static void publishUpdated(ChatNode node, User u, Instant now) {
        node.events()
                .publish(
                        Events.userEvent(EventType.USER_UPDATED.wireName(), u, now),
                        Audience.presenceOfAndSelf(u.id()));
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
