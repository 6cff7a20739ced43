package dev.parley.server.config;

import static java.util.Objects.requireNonNull;

import dev.parley.server.usage.ConnectionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of one Parley server. Defaults live in {@link #builder()}; the launcher
 * fills it from flags and {@code PARLEY_*} variables ({@link ConfigLoader}).
 *
 * @param host address to bind
 * @param port TCP port; 0 picks a free one. Never 3030 (PROTOCOL.md §1.1)
 * @param apiKey the app's API key
 * @param apiSecret the app's API secret, at least 32 bytes
 * @param dataDir folder of the embedded database and of generated credentials
 * @param databaseUrl {@code postgresql://...} selects PostgreSQL; null selects the embedded store
 * @param disableAuthChecks accept development tokens and skip signature checks (§2.5)
 * @param idleTimeout a socket that sends nothing for this long is closed with 1001
 * @param maxBodyBytes largest REST body accepted; larger is code 22
 * @param maxFrameBytes largest WebSocket frame accepted
 * @param outboundHighWaterBytes bytes queued on one socket before it counts as a slow consumer
 * @param maxConnectionsPerUser default of {@code max_connections_per_user}; 0 means no limit
 * @param connectionPolicy default of {@code connection_policy}: what happens past the limit
 * @param metricsEnabled whether {@code /metrics} answers (it needs no API key)
 * @param maxUploadBytes largest body of a file or image upload (those two routes only); larger is code 22
 * @param uploadStallTimeout an upload whose body sends no byte for this long is answered 408 (code 23) and its
 *     connection closed
 * @param rateLimitsEnabled whether REST calls and connects are limited per user and per endpoint (429 code 9)
 * @param rateLimitScale factor on every per-user and per-endpoint limit, e.g. 10 for ten times Stream's defaults
 * @param rateLimitPerUser calls a minute one user may make to one endpoint from one platform, before scaling
 * @param rateLimitMaxKeys most rate-limit counters kept in memory; past it the oldest is evicted
 * @param maxWsFramesPerMinute frames one socket may send in a minute; past it the socket is closed with 1008.
 *     0 means no limit
 * @param maxAdminSecretTries tries of the API secret per source address and minute; past it even the right
 *     secret is refused with 429 code 9 until the minute ends. 0 means no limit
 * @param appRateLimitsEnabled whether the app-wide quotas per endpoint and platform apply too; off by default,
 *     as they cap the whole app's throughput (1,000 messages a minute from web clients) and a reconnect storm
 *     after a restart, which a self-hosted server need not do
 * @param requestHeadTimeout time from a new connection, or from the first byte of a kept-alive one, to a
 *     complete request head; past it the client gets 408 (code 23) and the connection closes
 * @param requestBodyTimeout time from a complete head to a complete body, extended by every byte received
 *     ({@code requestBodyMinRate}); past it the client gets 408 (code 23) and the connection closes
 * @param requestBodyMinRate bytes per second a body may arrive at indefinitely: each byte received adds
 *     {@code 1/requestBodyMinRate} seconds to {@code requestBodyTimeout}; 0 adds nothing
 * @param keepAliveTimeout time a kept-alive HTTP connection may wait for its next request; past it the
 *     connection is closed without an answer
 * @param maxConnectionsPerAddress open connections (HTTP and WebSocket) from one source address; past it a
 *     new connection is closed at once; 0 means no limit
 * @param redisUrl {@code redis://host:port} joins the cluster of every node with the same database and Redis;
 *     null runs one node alone. Needs PostgreSQL ({@code databaseUrl})
 * @param nodeId this node's name in the cluster; null means the host name and port
 * @param drainWindow on stop, the node's sockets are closed (1012, clients reconnect elsewhere) spread over this
 *     long, so that the other nodes of a cluster see no reconnect storm; zero closes them at once
 * @param webhookDelivery how webhook requests are timed and retried
 * @param pushCaFile PEM certificates trusted for push providers' endpoints besides the JDK's (a private stand-in),
 *     or null
 * @param linkPreviewPrivateHosts let link previews fetch loopback, private and link-local addresses (tests serve
 *     pages on 127.0.0.1); off by default, as a preview must not reach into the server's own network (§7.25)
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        String apiSecret,
        Path dataDir,
        @Nullable String databaseUrl,
        boolean disableAuthChecks,
        Duration idleTimeout,
        int maxBodyBytes,
        int maxFrameBytes,
        int outboundHighWaterBytes,
        int maxConnectionsPerUser,
        ConnectionPolicy.Mode connectionPolicy,
        boolean metricsEnabled,
        int maxUploadBytes,
        Duration uploadStallTimeout,
        boolean rateLimitsEnabled,
        double rateLimitScale,
        int rateLimitPerUser,
        int rateLimitMaxKeys,
        int maxWsFramesPerMinute,
        int maxAdminSecretTries,
        boolean appRateLimitsEnabled,
        Duration requestHeadTimeout,
        Duration requestBodyTimeout,
        int requestBodyMinRate,
        Duration keepAliveTimeout,
        int maxConnectionsPerAddress,
        @Nullable String redisUrl,
        @Nullable String nodeId,
        Duration drainWindow,
        WebhookDelivery webhookDelivery,
        @Nullable Path pushCaFile,
        boolean linkPreviewPrivateHosts) {

    public static final int MIN_SECRET_BYTES = 32;

    /**
     * How webhook requests are timed and retried (PROTOCOL.md §15.2).
     *
     * @param timeout one request's limit, from connecting to the whole answer
     * @param maxAttempts attempts of one event before it becomes a dead letter
     * @param retryBase the wait after the first failure; it doubles after each further one, up to
     *     {@link #MAX_RETRY_WAIT}
     */
    public record WebhookDelivery(Duration timeout, int maxAttempts, Duration retryBase) {
        public static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(5);

        public static final WebhookDelivery DEFAULT =
                new WebhookDelivery(Duration.ofSeconds(6), 8, Duration.ofSeconds(1));

        public WebhookDelivery {
            positive(timeout, "webhook timeout");
            positive(retryBase, "webhook retry base");
            if (timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("webhook timeout: " + timeout + " (expected: at most 1 minute)");
            }
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("webhook max attempts: " + maxAttempts + " (expected: 1 to 100)");
            }
        }

        /** The wait before the attempt after {@code failed} failed attempts. */
        public Duration retryAfter(int failed) {
            Duration d = retryBase;
            for (int i = 1; i < failed && d.compareTo(MAX_RETRY_WAIT) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : d;
        }
    }

    /** What a node id may be: it names the node in the operator view, in logs and in Redis keys. */
    public static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    public ServerConfig {
        requireNonNull(host, "host");
        requireNonNull(apiKey, "apiKey");
        requireNonNull(apiSecret, "apiSecret");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(idleTimeout, "idleTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        if (port == 3030) {
            throw new IllegalArgumentException(
                    "port: 3030 (the JS SDK opens its WebSocket on 8800 when the base URL uses port 3030; pick another port)");
        }
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("api key: empty (expected: a non-empty string)");
        }
        if (apiSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "api secret: shorter than " + MIN_SECRET_BYTES + " bytes (expected: at least " + MIN_SECRET_BYTES
                            + "; Stream's Java SDK refuses shorter secrets)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout: " + idleTimeout + " (expected: > 0)");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("max body bytes: " + maxBodyBytes + " (expected: >= 1024)");
        }
        requireNonNull(connectionPolicy, "connectionPolicy");
        if (maxConnectionsPerUser < 0) {
            throw new IllegalArgumentException(
                    "max connections per user: " + maxConnectionsPerUser + " (expected: >= 0)");
        }
        if (maxUploadBytes < 1024) {
            throw new IllegalArgumentException("max upload bytes: " + maxUploadBytes + " (expected: >= 1024)");
        }
        requireNonNull(uploadStallTimeout, "uploadStallTimeout");
        if (uploadStallTimeout.isNegative() || uploadStallTimeout.isZero()) {
            throw new IllegalArgumentException("upload stall timeout: " + uploadStallTimeout + " (expected: > 0)");
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("max frame bytes: " + maxFrameBytes + " (expected: >= 1024)");
        }
        if (!(rateLimitScale > 0 && rateLimitScale <= 1_000_000)) {
            throw new IllegalArgumentException(
                    "rate limit scale: " + rateLimitScale + " (expected: > 0 and <= 1000000)");
        }
        if (rateLimitPerUser < 1) {
            throw new IllegalArgumentException("rate limit per user: " + rateLimitPerUser + " (expected: >= 1)");
        }
        if (rateLimitMaxKeys < 1024) {
            throw new IllegalArgumentException("rate limit max keys: " + rateLimitMaxKeys + " (expected: >= 1024)");
        }
        if (maxWsFramesPerMinute < 0) {
            throw new IllegalArgumentException(
                    "max ws frames per minute: " + maxWsFramesPerMinute + " (expected: >= 0)");
        }
        if (maxAdminSecretTries < 0) {
            throw new IllegalArgumentException("max admin secret tries: " + maxAdminSecretTries + " (expected: >= 0)");
        }
        positive(requestHeadTimeout, "request head timeout");
        positive(requestBodyTimeout, "request body timeout");
        positive(keepAliveTimeout, "keep-alive timeout");
        if (requestBodyMinRate < 0) {
            throw new IllegalArgumentException("request body min rate: " + requestBodyMinRate + " (expected: >= 0)");
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException(
                    "max connections per address: " + maxConnectionsPerAddress + " (expected: >= 0)");
        }
        if (redisUrl != null && (databaseUrl == null || databaseUrl.isBlank())) {
            throw new IllegalArgumentException("redis url: the nodes of a cluster share one PostgreSQL database;"
                    + " the embedded store belongs to one process (give --database-url postgresql://...)");
        }
        requireNonNull(drainWindow, "drainWindow");
        requireNonNull(webhookDelivery, "webhookDelivery");
        if (drainWindow.isNegative() || drainWindow.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("drain window: " + drainWindow + " (expected: 0 to 10 minutes)");
        }
        if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException(
                    "node id: '" + nodeId + "' (expected: 1 to 64 letters, digits, '.', '_', ':' or '-')");
        }
    }

    /** True when this node is one of a cluster (a Redis URL is set). */
    public boolean clustered() {
        return redisUrl != null;
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** True when the embedded SQLite store is used. */
    public boolean embedded() {
        return databaseUrl == null || databaseUrl.isBlank();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .apiKey(apiKey)
                .apiSecret(apiSecret)
                .dataDir(dataDir)
                .databaseUrl(databaseUrl)
                .disableAuthChecks(disableAuthChecks)
                .idleTimeout(idleTimeout)
                .maxBodyBytes(maxBodyBytes)
                .maxFrameBytes(maxFrameBytes)
                .outboundHighWaterBytes(outboundHighWaterBytes)
                .maxConnectionsPerUser(maxConnectionsPerUser)
                .connectionPolicy(connectionPolicy)
                .metricsEnabled(metricsEnabled)
                .maxUploadBytes(maxUploadBytes)
                .uploadStallTimeout(uploadStallTimeout)
                .rateLimitsEnabled(rateLimitsEnabled)
                .rateLimitScale(rateLimitScale)
                .rateLimitPerUser(rateLimitPerUser)
                .rateLimitMaxKeys(rateLimitMaxKeys)
                .maxWsFramesPerMinute(maxWsFramesPerMinute)
                .maxAdminSecretTries(maxAdminSecretTries)
                .appRateLimitsEnabled(appRateLimitsEnabled)
                .requestHeadTimeout(requestHeadTimeout)
                .requestBodyTimeout(requestBodyTimeout)
                .requestBodyMinRate(requestBodyMinRate)
                .keepAliveTimeout(keepAliveTimeout)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .redisUrl(redisUrl)
                .nodeId(nodeId)
                .drainWindow(drainWindow)
                .webhookDelivery(webhookDelivery)
                .pushCaFile(pushCaFile)
                .linkPreviewPrivateHosts(linkPreviewPrivateHosts);
    }

    /** Builds a {@link ServerConfig}; the defaults here are the server's defaults. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private @Nullable String apiKey;
        private @Nullable String apiSecret;
        private Path dataDir = Path.of("parley-data");
        private @Nullable String databaseUrl;
        private boolean disableAuthChecks;
        private Duration idleTimeout = Duration.ofSeconds(90);
        private int maxBodyBytes = 1024 * 1024;
        private int maxFrameBytes = 64 * 1024;
        private int outboundHighWaterBytes = 1024 * 1024;
        private int maxConnectionsPerUser;
        private ConnectionPolicy.Mode connectionPolicy = ConnectionPolicy.Mode.WARN;
        private boolean metricsEnabled = true;
        private int maxUploadBytes = 20 * 1024 * 1024;
        private Duration uploadStallTimeout = Duration.ofSeconds(30);
        private boolean rateLimitsEnabled = true;
        private double rateLimitScale = 1.0;
        private int rateLimitPerUser = 60;
        private int rateLimitMaxKeys = 100_000;
        private int maxWsFramesPerMinute = 600;
        private int maxAdminSecretTries = 10;
        private boolean appRateLimitsEnabled = false;
        private Duration requestHeadTimeout = Duration.ofSeconds(10);
        private Duration requestBodyTimeout = Duration.ofSeconds(30);
        private int requestBodyMinRate = 16 * 1024;
        private Duration keepAliveTimeout = Duration.ofSeconds(60);
        private int maxConnectionsPerAddress = 1000;
        private @Nullable String redisUrl;
        private @Nullable String nodeId;
        private Duration drainWindow = Duration.ZERO;
        private WebhookDelivery webhookDelivery = WebhookDelivery.DEFAULT;
        private @Nullable Path pushCaFile;
        private boolean linkPreviewPrivateHosts;

        public Builder linkPreviewPrivateHosts(boolean v) {
            linkPreviewPrivateHosts = v;
            return this;
        }

        public Builder pushCaFile(@Nullable Path v) {
            pushCaFile = v;
            return this;
        }

        public Builder webhookDelivery(WebhookDelivery v) {
            webhookDelivery = requireNonNull(v, "webhookDelivery");
            return this;
        }

        public WebhookDelivery webhookDelivery() {
            return webhookDelivery;
        }

        public Builder drainWindow(Duration v) {
            drainWindow = v;
            return this;
        }

        public Builder redisUrl(@Nullable String v) {
            redisUrl = v;
            return this;
        }

        public Builder nodeId(@Nullable String v) {
            nodeId = v;
            return this;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder apiKey(@Nullable String v) {
            apiKey = v;
            return this;
        }

        public Builder apiSecret(@Nullable String v) {
            apiSecret = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder databaseUrl(@Nullable String v) {
            databaseUrl = v;
            return this;
        }

        public Builder disableAuthChecks(boolean v) {
            disableAuthChecks = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        public Builder outboundHighWaterBytes(int v) {
            outboundHighWaterBytes = v;
            return this;
        }

        public Builder maxConnectionsPerUser(int v) {
            maxConnectionsPerUser = v;
            return this;
        }

        public Builder connectionPolicy(ConnectionPolicy.Mode v) {
            connectionPolicy = v;
            return this;
        }

        public Builder metricsEnabled(boolean v) {
            metricsEnabled = v;
            return this;
        }

        public Builder maxUploadBytes(int v) {
            maxUploadBytes = v;
            return this;
        }

        public Builder uploadStallTimeout(Duration v) {
            uploadStallTimeout = v;
            return this;
        }

        public Builder rateLimitsEnabled(boolean v) {
            rateLimitsEnabled = v;
            return this;
        }

        public Builder rateLimitScale(double v) {
            rateLimitScale = v;
            return this;
        }

        public Builder rateLimitPerUser(int v) {
            rateLimitPerUser = v;
            return this;
        }

        public Builder rateLimitMaxKeys(int v) {
            rateLimitMaxKeys = v;
            return this;
        }

        public Builder maxWsFramesPerMinute(int v) {
            maxWsFramesPerMinute = v;
            return this;
        }

        public Builder maxAdminSecretTries(int v) {
            maxAdminSecretTries = v;
            return this;
        }

        public Builder appRateLimitsEnabled(boolean v) {
            appRateLimitsEnabled = v;
            return this;
        }

        public Builder requestHeadTimeout(Duration v) {
            requestHeadTimeout = v;
            return this;
        }

        public Builder requestBodyTimeout(Duration v) {
            requestBodyTimeout = v;
            return this;
        }

        public Builder requestBodyMinRate(int v) {
            requestBodyMinRate = v;
            return this;
        }

        public Builder keepAliveTimeout(Duration v) {
            keepAliveTimeout = v;
            return this;
        }

        public Builder maxConnectionsPerAddress(int v) {
            maxConnectionsPerAddress = v;
            return this;
        }

        /** The key set so far, or null. */
        public @Nullable String apiKey() {
            return apiKey;
        }
        /** The secret set so far, or null. */
        public @Nullable String apiSecret() {
            return apiSecret;
        }

        public Path dataDir() {
            return dataDir;
        }
        /** The database URL set so far, or null for the embedded store. */
        public @Nullable String databaseUrl() {
            return databaseUrl;
        }

        /** @throws NullPointerException naming the key or the secret when one was not set */
        public ServerConfig build() {
            return new ServerConfig(
                    host,
                    port,
                    requireNonNull(apiKey, "apiKey"),
                    requireNonNull(apiSecret, "apiSecret"),
                    dataDir,
                    databaseUrl,
                    disableAuthChecks,
                    idleTimeout,
                    maxBodyBytes,
                    maxFrameBytes,
                    outboundHighWaterBytes,
                    maxConnectionsPerUser,
                    connectionPolicy,
                    metricsEnabled,
                    maxUploadBytes,
                    uploadStallTimeout,
                    rateLimitsEnabled,
                    rateLimitScale,
                    rateLimitPerUser,
                    rateLimitMaxKeys,
                    maxWsFramesPerMinute,
                    maxAdminSecretTries,
                    appRateLimitsEnabled,
                    requestHeadTimeout,
                    requestBodyTimeout,
                    requestBodyMinRate,
                    keepAliveTimeout,
                    maxConnectionsPerAddress,
                    redisUrl,
                    nodeId,
                    drainWindow,
                    webhookDelivery,
                    pushCaFile,
                    linkPreviewPrivateHosts);
        }
    }
}
