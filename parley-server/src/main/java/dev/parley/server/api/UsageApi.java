package dev.parley.server.api;

import static dev.parley.server.api.OpsApi.intParam;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.usage.ConcurrencySamples;
import dev.parley.server.usage.ConnectionPolicy;
import dev.parley.server.usage.ConnectionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's usage endpoints under {@code /parley/usage}: monthly active users, daily peaks of
 * concurrent connections, the connections now and per minute. Not part of Stream's API; every endpoint
 * needs the API key and either a server token or an admin session token ({@link OperatorAccess}).
 */
final class UsageApi {
    /** The recorded daily peaks of concurrent connections from {@code from} to {@code to}, both included. */
    @FunctionalInterface
    interface RecordedPeaks {
        Map<LocalDate, Integer> peakConnections(LocalDate from, LocalDate to);
    }

    /** The users who connected in a month (UTC). */
    @FunctionalInterface
    interface ActiveUsers {
        long countActiveUsers(YearMonth month);
    }

    private final OperatorAccess operator;
    private final ConnectionRegistry registry;
    private final ConnectionPolicy connectionPolicy;
    private final ConcurrencySamples concurrency;
    private final RecordedPeaks recordedPeaks;
    private final ActiveUsers activeUsers;
    private final Clock clock;

    /**
     * What is open now, and today's peak: this node's on a node alone, the cluster's on a node of one
     * ({@code ChatNode.current*}).
     */
    interface Live {
        long connections();

        long users();

        long usersWithSeveral();

        ConnectionRegistry.DayPeak todaysPeak();
    }

    private final Live live;

    UsageApi(
            OperatorAccess operator,
            Live live,
            ConnectionRegistry registry,
            ConnectionPolicy connectionPolicy,
            ConcurrencySamples concurrency,
            RecordedPeaks recordedPeaks,
            ActiveUsers activeUsers,
            Clock clock) {
        this.operator = requireNonNull(operator, "operator");
        this.live = requireNonNull(live, "live");
        this.registry = requireNonNull(registry, "registry");
        this.connectionPolicy = requireNonNull(connectionPolicy, "connectionPolicy");
        this.concurrency = requireNonNull(concurrency, "concurrency");
        this.recordedPeaks = requireNonNull(recordedPeaks, "recordedPeaks");
        this.activeUsers = requireNonNull(activeUsers, "activeUsers");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(Router router) {
        router.addOpen("GET", "/parley/usage", ctx -> operator.run(ctx, this::usage));
        router.addOpen("GET", "/parley/usage/current", ctx -> operator.run(ctx, this::current));
        router.addOpen("GET", "/parley/usage/concurrency", ctx -> operator.run(ctx, this::concurrency));
    }

    private ObjectNode usage(RequestContext ctx) {
        Instant now = clock.instant();
        YearMonth thisMonth = YearMonth.from(now.atZone(ZoneOffset.UTC));
        YearMonth month = month(ctx, thisMonth);
        Map<LocalDate, Integer> peaks =
                new TreeMap<>(recordedPeaks.peakConnections(month.atDay(1), month.atEndOfMonth()));
        if (month.equals(thisMonth)) {
            ConnectionRegistry.DayPeak today = live.todaysPeak();
            peaks.merge(today.day(), today.peak(), Math::max);
        }
        ObjectNode out = Json.object();
        out.put("month", month.toString());
        out.put("mau", activeUsers.countActiveUsers(month));
        out.put(
                "peak_concurrent_connections",
                peaks.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        ArrayNode days = out.putArray("daily_peaks");
        peaks.forEach(
                (day, peak) -> days.addObject().put("date", day.toString()).put("peak", peak));
        return out;
    }

    private ObjectNode current(RequestContext ctx) {
        ObjectNode out = Json.object();
        out.put("connections", live.connections());
        out.put("users", live.users());
        out.put("users_with_several_connections", live.usersWithSeveral());
        var limit = connectionPolicy.limit();
        out.put("max_connections_per_user", limit.max());
        out.put("connection_policy", limit.mode().wire());
        return out;
    }

    private ObjectNode concurrency(RequestContext ctx) {
        int minutes = intParam(ctx, "minutes", 360, 1, ConcurrencySamples.CAPACITY);
        Instant now = clock.instant();
        concurrency.record(now, (int) Math.min(Integer.MAX_VALUE, live.connections()));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("samples");
        for (ConcurrencySamples.Sample s : concurrency.last(Duration.ofMinutes(minutes), now)) {
            list.addObject().put("minute", Timestamps.format(s.minute())).put("connections", s.connections());
        }
        return out;
    }

    private static YearMonth month(RequestContext ctx, YearMonth fallback) {
        String m = ctx.param("month");
        if (m == null || m.isEmpty()) {
            return fallback;
        }
        try {
            return YearMonth.parse(m);
        } catch (DateTimeParseException e) {
            throw ChatException.input(
                    ctx.endpoint() + " failed with error: \"month: '" + m + "' (expected: YYYY-MM)\"");
        }
    }
}
