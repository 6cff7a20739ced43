package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.auth.Caller;
import dev.parley.server.chat.Actor;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Who acts in a chat request: the token's user (created on first use, as connecting would), anonymous
 * callers as role {@code anonymous}, or the server, on behalf of the {@code user_id} (or {@code user.id})
 * of the body or the query when it names one.
 */
final class ChatActors {
    private final UserService users;
    private final Clock clock;

    ChatActors(UserService users, Clock clock) {
        this.users = requireNonNull(users, "users");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The actor of a request whose body names the acting user, if any. */
    Actor of(RequestContext ctx) {
        return of(ctx, ctx.body());
    }

    /**
     * The caller itself: a server token acts for no one, whatever the request names (for requests whose
     * {@code user_id} names their subject, not the actor).
     */
    Actor caller(RequestContext ctx) {
        return ctx.caller() instanceof Caller.Server ? Actor.server(null) : of(ctx, Json.object());
    }

    /** The actor of a request; {@code body} (the body or the {@code payload}) names the acting user, if any. */
    Actor of(RequestContext ctx, ObjectNode body) {
        return switch (ctx.caller()) {
            case Caller.Server s -> {
                String id = named(body, ctx);
                yield Actor.server(
                        id == null
                                ? null
                                : users.find(id)
                                        .orElseThrow(() ->
                                                ChatException.input("user_id: user '" + id + "' does not exist")));
            }
            case Caller.UserCaller u ->
                Actor.user(users.find(u.userId()).orElseGet(() -> {
                    Instant now = clock.instant();
                    UserRules.checkId(u.userId(), "user_id");
                    return users.update(u.userId(), cur -> cur != null ? cur : User.create(u.userId(), now), null);
                }));
            case Caller.Anonymous a ->
                Actor.user(User.builder(Caller.ANONYMOUS_ID).role("anonymous").build());
        };
    }

    private static @Nullable String named(ObjectNode body, RequestContext ctx) {
        JsonNode id = body.get("user_id");
        if (id != null && id.isTextual() && !id.asText().isEmpty()) {
            return id.asText();
        }
        JsonNode user = body.get("user");
        if (user != null
                && user.path("id").isTextual()
                && !user.get("id").asText().isEmpty()) {
            return user.get("id").asText();
        }
        String q = ctx.param("user_id");
        return q == null || q.isEmpty() ? null : q;
    }
}
