package dev.parley.server.ratelimit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.auth.Caller;
import dev.parley.server.config.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Every rate limit of the server, in one place: REST calls and connects per user (or, for anonymous
 * callers, per source address), per endpoint and per platform; with {@code --app-rate-limits}, the same
 * calls per endpoint and platform for the whole app; admin secret tries per source address; frames per socket. Windows are one minute.
 *
 * <p>Calls with a server token are never limited nor counted: the app's backend is trusted, as Stream
 * exempts it from its user limits. A call past its user limit is refused before it touches the app's
 * counter, so that one user's flood does not use up everyone's quota.
 *
 * <p>Counters shared across the app go through one {@link RateLimiter}, so that a cluster can keep them
 * in a shared store. Thread-safe; {@link #admit} and {@link #admitConnect} may block on that limiter.
 */
public final class RateLimits {
    /** Length of every window. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private final RateLimiter requests;
    private final RateLimiter secrets;
    private final Clock clock;
    private final boolean enabled;
    private final double scale;
    private final int perUser;
    private final int framesPerMinute;
    private final int secretTries;
    private final boolean appWide;

    /**
     * What the limit of one call allows, as the {@code X-RateLimit-*} headers say it.
     *
     * @param endpoint the endpoint name, such as {@code SendMessage}
     * @param limit calls the window allows
     * @param remaining calls left in the window
     * @param resetEpochSecond when the window ends, in Unix seconds
     * @param allowed whether this call is within the limit
     */
    public record Quota(String endpoint, int limit, int remaining, long resetEpochSecond, boolean allowed) {
        static Quota of(String endpoint, RateLimiter.Usage u) {
            return new Quota(endpoint, u.limit(), u.remaining(), u.resetEpochSecond(), u.allowed());
        }

        /** The {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} headers. */
        public Map<String, String> headers() {
            return Map.of(
                    "X-RateLimit-Limit",
                    String.valueOf(limit),
                    "X-RateLimit-Remaining",
                    String.valueOf(remaining),
                    "X-RateLimit-Reset",
                    String.valueOf(resetEpochSecond));
        }

        /** The code 9 error of a call past this quota, naming the endpoint as Stream's errors do. */
        public ChatException refusal() {
            return new ChatException(
                    ErrorCode.RATE_LIMIT,
                    endpoint + " failed with error: \"too many requests: " + limit + " a minute; the window resets at "
                            + Instant.ofEpochSecond(resetEpochSecond) + "\"");
        }
    }

    /**
     * @param requests counters of REST calls and connects
     * @param secrets counters of admin secret tries; a separate limiter, so that a flood of calls under
     *     fresh keys cannot evict them
     */
    public RateLimits(ServerConfig config, RateLimiter requests, RateLimiter secrets, Clock clock) {
        requireNonNull(config, "config");
        this.requests = requireNonNull(requests, "requests");
        this.secrets = requireNonNull(secrets, "secrets");
        this.clock = requireNonNull(clock, "clock");
        this.enabled = config.rateLimitsEnabled();
        this.scale = config.rateLimitScale();
        this.perUser = config.rateLimitPerUser();
        this.framesPerMinute = config.maxWsFramesPerMinute();
        this.secretTries = config.maxAdminSecretTries();
        this.appWide = config.appRateLimitsEnabled();
    }

    /** The limits of a single node, with counters in memory bounded by {@code --rate-limit-max-keys}. */
    public static RateLimits inMemory(ServerConfig config, Clock clock) {
        return new RateLimits(
                config,
                new InMemoryRateLimiter(WINDOW, config.rateLimitMaxKeys()),
                new InMemoryRateLimiter(WINDOW, config.rateLimitMaxKeys()),
                clock);
    }

    /**
     * Counts one REST call of {@code caller} to the route {@code method template}.
     *
     * @param client the {@code X-Stream-Client} header, which names the platform
     * @param remoteAddress the caller's address, which keys anonymous callers
     * @return the quota to report in headers, not {@code allowed} when the call must be refused with
     *     {@link Quota#refusal}; empty when the call is not limited (a server token, or limits off)
     */
    public Optional<Quota> admit(
            Caller caller, @Nullable String client, String remoteAddress, String method, String template) {
        if (!enabled || caller.isServer()) {
            return Optional.empty();
        }
        Optional<String> name = Endpoints.nameOf(method, template);
        return Optional.of(count(
                caller,
                Platform.ofClient(client),
                remoteAddress,
                name.orElse(method + " " + template),
                name.isPresent()));
    }

    /**
     * Counts one socket connect.
     *
     * @throws ChatException code 9 past the limit
     */
    public void admitConnect(Caller caller, @Nullable String client, String remoteAddress) {
        admitConnect(caller, client, () -> remoteAddress);
    }

    /**
     * Counts one socket connect; the address is asked for only when it keys the count (an anonymous caller).
     *
     * @throws ChatException code 9 past the limit
     */
    public void admitConnect(Caller caller, @Nullable String client, Supplier<String> remoteAddress) {
        if (!enabled || caller.isServer()) {
            return;
        }
        String address = caller instanceof Caller.UserCaller ? "" : hostOf(remoteAddress.get());
        Quota q = count(caller, Platform.ofClient(client), address, Endpoints.CONNECT, true);
        if (!q.allowed()) {
            throw q.refusal();
        }
    }

    private Quota count(Caller caller, Platform platform, String remoteAddress, String endpoint, boolean appWide) {
        Instant now = clock.instant();
        String who = caller instanceof Caller.UserCaller u ? "u|" + u.userId() : "a|" + remoteAddress;
        RateLimiter.Usage user = requests.acquire(who + "|" + platform.wire() + "|" + endpoint, scaled(perUser), now);
        if (!user.allowed() || !appWide || !this.appWide) {
            return Quota.of(endpoint, user);
        }
        RateLimiter.Usage app = requests.acquire("e|" + platform.wire() + "|" + endpoint, appLimit(endpoint), now);
        return Quota.of(endpoint, !app.allowed() || app.remaining() < user.remaining() ? app : user);
    }

    /** A frame budget for a new socket, or null when frames are not limited. */
    public @Nullable FrameBudget frameBudget() {
        return framesPerMinute == 0 ? null : new FrameBudget(framesPerMinute);
    }

    /**
     * Runs a check of the admin secret for a caller at {@code remoteAddress}, counting it as one try. Every
     * try counts, right or wrong, so that concurrent guesses cannot all pass before the first failure is
     * counted; past {@code --max-admin-secret-tries} in a minute, even the right secret is refused until
     * the window ends.
     *
     * @throws ChatException code 9 past the limit, or whatever {@code check} throws
     */
    public <T> T guardSecret(String endpoint, String remoteAddress, Supplier<T> check) {
        if (secretTries > 0) {
            RateLimiter.Usage u = secrets.acquire("s|" + remoteAddress, secretTries, clock.instant());
            if (!u.allowed()) {
                throw new ChatException(
                        ErrorCode.RATE_LIMIT,
                        endpoint + " failed with error: \"too many tries of the"
                                + " API secret from this address; try again after "
                                + Instant.ofEpochSecond(u.resetEpochSecond())
                                + "\"");
            }
        }
        return check.get();
    }

    /**
     * The app-wide quotas of {@code GET /rate_limits}: for each platform asked for, each endpoint (all, or
     * those named in {@code endpoints}) with its {@code limit}, {@code remaining} and {@code reset}. Server-side
     * calls are not counted, so their quotas are always whole; with limits off no quota is ever used.
     */
    public ObjectNode report(Set<Platform> platforms, Set<String> endpoints) {
        Instant now = clock.instant();
        ObjectNode out = Json.object();
        for (Platform p : platforms) {
            ObjectNode map = out.putObject(p.wire());
            for (String name : Endpoints.names()) {
                if (!endpoints.isEmpty() && !endpoints.contains(name)) {
                    continue;
                }
                RateLimiter.Usage u = requests.peek("e|" + p.wire() + "|" + name, appLimit(name), now);
                int remaining = p == Platform.SERVER_SIDE ? u.limit() : u.remaining();
                map.putObject(name)
                        .put("limit", u.limit())
                        .put("remaining", remaining)
                        .put("reset", u.resetEpochSecond());
            }
        }
        return out;
    }

    /** The counters of REST calls and connects, for tests of their bound. */
    RateLimiter requests() {
        return requests;
    }

    private int appLimit(String endpoint) {
        return scaled(Endpoints.perMinute(endpoint));
    }

    private int scaled(int base) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(base * scale)));
    }

    /** {@code 10.0.0.1:51234} or {@code 0:0:0:0:0:0:0:1:51234} without its port. */
    private static String hostOf(String address) {
        if (address == null) {
            return "";
        }
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.substring(colon + 1).chars().allMatch(Character::isDigit)
                ? address.substring(0, colon)
                : address;
    }
}
