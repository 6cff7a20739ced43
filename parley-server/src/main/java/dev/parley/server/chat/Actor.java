package dev.parley.server.chat;

import dev.parley.protocol.User;
import org.jspecify.annotations.Nullable;

/**
 * Who acts in a chat call: a user checked against the grants, or the server (a server token), which may
 * do everything and may act on behalf of a user ({@code user_id} in the request).
 *
 * @param user the acting user; null only for a server call that names no user
 * @param server true for a server token: no permission checks
 */
public record Actor(@Nullable User user, boolean server) {

    public static Actor server(@Nullable User onBehalfOf) {
        return new Actor(onBehalfOf, true);
    }

    public static Actor user(User user) {
        return new Actor(java.util.Objects.requireNonNull(user, "user"), false);
    }

    /** The acting user's id, or null for a server call without a user. */
    public @Nullable String userId() {
        return user == null ? null : user.id();
    }

    public boolean hasUser() {
        return user != null;
    }
}
