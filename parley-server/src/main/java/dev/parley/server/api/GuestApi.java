package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.User;
import dev.parley.server.config.AppSettings;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Guest users (PROTOCOL.md §2.6): {@code POST /guest}, which the JS client's {@code setGuestUser} sends without a
 * token, creates a user with role {@code guest} from the fields sent and answers with a token for it. Apps turn
 * it on with {@code guest_user_creation_disabled: false}. A guest takes a new id: an id that exists is refused, so
 * that no one can obtain a token for a user someone else created.
 */
final class GuestApi {
    private final UserService users;
    private final Supplier<AppSettings> settings;
    private final String secret;
    private final Clock clock;

    GuestApi(UserService users, Supplier<AppSettings> settings, String secret, Clock clock) {
        this.users = requireNonNull(users, "users");
        this.settings = requireNonNull(settings, "settings");
        this.secret = requireNonNull(secret, "secret");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.add("POST", "/guest", this::create);
    }

    private ObjectNode create(RequestContext ctx) {
        if (settings.get().guestCreationDisabled()) {
            throw ChatException.notAllowed("CreateGuest failed with error: \"guest users are disabled for this app "
                    + "(set guest_user_creation_disabled to false with PATCH /app)\"");
        }
        JsonNode sent = ctx.body().get("user");
        if (sent != null && !sent.isObject()) {
            throw ChatException.input("CreateGuest failed with error: \"user must be an object\"");
        }
        ObjectNode details = sent == null ? Json.object() : ((ObjectNode) sent).deepCopy();
        String id = details.path("id").isTextual() ? details.get("id").asText() : "guest-" + UUID.randomUUID();
        UserRules.checkId(id, "user.id");
        details.put("id", id);
        details.remove("role"); // a guest's role is the server's to say
        Instant now = clock.instant();
        User created = users.update(
                id,
                current -> {
                    if (current != null) {
                        throw ChatException.input("CreateGuest failed with error: \"user '" + id
                                + "' already exists; a guest needs a new id\"");
                    }
                    return UserRules.mergeConnect(null, id, details, now).toBuilder()
                            .role("guest")
                            .build();
                },
                null);
        if (created == null) {
            throw new IllegalStateException("the guest was not stored");
        }
        ObjectNode out = Json.object();
        out.put("access_token", Jwt.userToken(secret, id, null, null));
        out.set("user", created.toJson());
        return out;
    }
}
