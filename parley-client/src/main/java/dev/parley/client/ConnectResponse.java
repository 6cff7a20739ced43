package dev.parley.client;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.OwnUser;

/**
 * The result of {@link ChatClient#connectUser}: the first {@code health.check} frame of the socket
 * (PROTOCOL.md §3.2).
 *
 * @param connectionId the id of this socket on the server; sent on REST calls while connected
 * @param me the connected user as the server knows them, with unread counts and mutes
 */
public record ConnectResponse(String connectionId, OwnUser me) {
    public ConnectResponse {
        requireNonNull(connectionId, "connectionId");
        requireNonNull(me, "me");
    }
}
