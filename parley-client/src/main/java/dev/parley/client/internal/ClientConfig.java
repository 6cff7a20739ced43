package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The immutable options of one client, validated by {@code ChatClient.Builder}.
 *
 * @param apiKey the app's API key
 * @param baseUrl REST base URL, without a trailing slash
 * @param secret the API secret, or null for a normal (client-side) client
 * @param timeout per REST request
 * @param connectTimeout budget for the first connect, retries included (JS: 15 s)
 * @param heartbeatInterval delay after each received {@code health.check} before the next ping (25 s)
 * @param watchdogTimeout silence after which the socket counts as dead (35 s)
 * @param offlineGrace how long a dropped connection may stay down before {@code connection.changed}
 *     {@code online: false} is emitted (5 s)
 * @param closeTimeout how long {@code disconnectUser()} waits for the server's close frame (1 s)
 * @param allowServerSideConnect silences the warning when a client holding the secret connects
 * @param recoverStateOnReconnect re-watch channels after a reconnect
 * @param callbackExecutor runs event listeners; null means one SDK thread per client
 * @param log where the SDK logs
 * @param userAgent the {@code X-Stream-Client} value
 */
public record ClientConfig(
        String apiKey,
        String baseUrl,
        @Nullable String secret,
        Duration timeout,
        Duration connectTimeout,
        Duration heartbeatInterval,
        Duration watchdogTimeout,
        Duration offlineGrace,
        Duration closeTimeout,
        boolean allowServerSideConnect,
        boolean recoverStateOnReconnect,
        @Nullable Executor callbackExecutor,
        Logger log,
        String userAgent) {

    public ClientConfig {
        requireNonNull(apiKey, "apiKey");
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(timeout, "timeout");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(heartbeatInterval, "heartbeatInterval");
        requireNonNull(watchdogTimeout, "watchdogTimeout");
        requireNonNull(offlineGrace, "offlineGrace");
        requireNonNull(closeTimeout, "closeTimeout");
        requireNonNull(log, "log");
        requireNonNull(userAgent, "userAgent");
    }

    /** True when the client holds the API secret. */
    public boolean serverSide() {
        return secret != null;
    }
}
