package dev.parley.server.moderation;

import dev.parley.protocol.ChatException;
import dev.parley.server.chat.Actor;
import java.util.Map;
import java.util.Set;

/**
 * The application-wide grants of scope {@code .app} (PROTOCOL.md §11.3): {@code mute-user} and
 * {@code flag-user} for admin, moderator, user and guest; a server token may do everything. Stateless.
 */
final class AppGrants {
    private static final Map<String, Set<String>> GRANTS = Map.of(
            "mute-user", Set.of("admin", "moderator", "user", "guest"),
            "flag-user", Set.of("admin", "moderator", "user", "guest"),
            "ban-user", Set.of("admin", "moderator"),
            "read-bans", Set.of("admin", "moderator"),
            "read-flag-reports", Set.of("admin", "moderator"),
            "review-flag-reports", Set.of("admin", "moderator"));

    private AppGrants() {}

    static boolean allowed(Actor actor, String permission) {
        return actor.server()
                || (actor.user() != null
                        && GRANTS.getOrDefault(permission, Set.of())
                                .contains(actor.user().role()));
    }

    static void require(Actor actor, String permission, String endpoint) {
        if (!allowed(actor, permission)) {
            String who = actor.user() != null
                    ? "user '" + actor.user().id() + "' with role '"
                            + actor.user().role() + "'"
                    : "anonymous caller";
            throw ChatException.notAllowed(endpoint + " failed with error: \"" + who
                    + " is not allowed to perform action " + permission + "\"");
        }
    }

    /** The acting user; a server call must name one with {@code user_id} (code 4). */
    static dev.parley.protocol.User user(Actor actor, String endpoint) {
        dev.parley.protocol.User user = actor.user();
        if (user == null) {
            throw ChatException.input(
                    endpoint + " failed with error: \"user_id is required with a server-side token\"");
        }
        return user;
    }
}
