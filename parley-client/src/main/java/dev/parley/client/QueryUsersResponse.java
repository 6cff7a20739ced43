package dev.parley.client;

import dev.parley.protocol.User;
import java.util.List;

/**
 * The answer of {@code GET /users}.
 *
 * @param users the matching users, in the requested order
 */
public record QueryUsersResponse(List<User> users) {
    public QueryUsersResponse {
        users = users == null ? List.of() : List.copyOf(users);
    }
}
