package dev.parley.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One socket that a {@link ChatClient} in this JVM holds open, as listed by
 * {@link ChatClient#openConnections()}.
 *
 * @param baseUrl the server's base URL
 * @param apiKey the app's API key
 * @param userId the connected user
 * @param connectionId the socket's connection id
 * @param clientId the client instance id sent in heartbeats ({@code <userId>--<uuid>})
 * @param openedAt when the handshake completed
 * @param callSite where {@code connectUser} was called, as a printable stack
 */
public record OpenConnection(
        String baseUrl,
        String apiKey,
        String userId,
        String connectionId,
        String clientId,
        Instant openedAt,
        String callSite) {
    public OpenConnection {
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(apiKey, "apiKey");
        requireNonNull(userId, "userId");
        requireNonNull(connectionId, "connectionId");
        requireNonNull(clientId, "clientId");
        requireNonNull(openedAt, "openedAt");
        requireNonNull(callSite, "callSite");
    }
}
