package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.server.chat.Actor;
import dev.parley.server.config.AppSettings;
import java.util.function.Supplier;

/**
 * The application-wide grants of scope {@code .app} (PROTOCOL.md §11.3, §11.5): the app's {@code grants} for a
 * global role where it set them, else the defaults of {@link AppSettings#APP_GRANTS} ({@code mute-user} and
 * {@code flag-user} for admin, moderator, user and guest...). A server token may do everything. Thread-safe.
 */
public final class AppGrants {
    private final Supplier<AppSettings> settings;

    public AppGrants(Supplier<AppSettings> settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    boolean allowed(Actor actor, String permission) {
        return actor.server()
                || (actor.user() != null
                        && settings.get().appGrantsOf(actor.user().role()).contains(permission));
    }

    void require(Actor actor, String permission, String endpoint) {
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
