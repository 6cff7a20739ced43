package dev.parley.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The server's counters, gauges and timers, exposed in the Prometheus text format on {@code /metrics}.
 *
 * <p>A small facade over Micrometer, so that the rest of the server calls {@code metrics.messageSent()}
 * and never names a meter: every metric name is in this class. All methods are thread-safe, never block
 * and may be called from event loops.
 */
public final class Metrics {
    /** Content type of {@link #scrape()}: the Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter connects;
    private final Counter messagesSent;
    private final Counter eventsDelivered;
    private final Counter outboundDrops;
    private final Counter slowConsumers;

    public Metrics() {
        this(null);
    }

    /** Metrics whose every series carries {@code node="<nodeId>"} when {@code nodeId} is set (a node of a cluster). */
    public Metrics(@org.jspecify.annotations.Nullable String nodeId) {
        if (nodeId != null) {
            registry.config().commonTags("node", nodeId);
        }
        connects = Counter.builder("parley.connects")
                .description("WebSocket handshakes accepted")
                .register(registry);
        messagesSent = Counter.builder("parley.messages.sent")
                .description("messages sent")
                .register(registry);
        eventsDelivered = Counter.builder("parley.events.delivered")
                .description("event frames queued to sockets")
                .register(registry);
        outboundDrops = Counter.builder("parley.outbound.drops")
                .description("frames dropped because their socket was closed or its outbound buffer was full")
                .register(registry);
        slowConsumers = Counter.builder("parley.slow.consumer.disconnects")
                .description("sockets closed with 1013 because the client read too slowly")
                .register(registry);
    }

    /** Registers a gauge read at each scrape; {@code value} must be cheap and thread-safe. */
    public void gauge(String name, String description, DoubleSupplier value) {
        requireNonNull(value, "value");
        Gauge.builder(name, value, DoubleSupplier::getAsDouble)
                .strongReference(true)
                .description(description)
                .register(registry);
    }

    /** A socket completed its handshake. */
    public void connected() {
        connects.increment();
    }

    /** A handshake was refused with this protocol error code (PROTOCOL.md §10.2). */
    public void connectRefused(int code) {
        Counter.builder("parley.connect.refusals")
                .description("WebSocket handshakes refused, by error code")
                .tag("code", Integer.toString(code))
                .register(registry)
                .increment();
    }

    /** The per-user connection limit was crossed; {@code policy} is what the server did about it. */
    public void connectionLimitExceeded(String policy) {
        Counter.builder("parley.connection.limit.exceeded")
                .description("connects past max_connections_per_user, by connection_policy")
                .tag("policy", policy)
                .register(registry)
                .increment();
    }

    /** One message was stored and published. */
    public void messageSent() {
        messagesSent.increment();
    }

    /** {@code n} event frames were queued to sockets. */
    public void eventsDelivered(int n) {
        eventsDelivered.increment(n);
    }

    /** One outbound frame was dropped. */
    public void outboundDropped() {
        outboundDrops.increment();
    }

    /** One socket was closed as a slow consumer. */
    public void slowConsumerDisconnected() {
        slowConsumers.increment();
    }

    /**
     * One webhook attempt ended: {@code ok} (2xx), {@code retry} (tried again later), {@code dead} (kept as a
     * dead letter) or {@code dropped} (its hook was removed).
     */
    public void webhookAttempt(String outcome) {
        Counter.builder("parley.webhook.attempts")
                .description("webhook attempts, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * One push ended (PROTOCOL.md §16.3): {@code sent}, {@code invalid_device} (removed), {@code failed},
     * {@code retry}, {@code no_provider} (a device no provider serves) or {@code dropped} (the queue was full).
     */
    public void push(String provider, String outcome) {
        Counter.builder("parley.push")
                .description("push notifications, by provider type and outcome")
                .tag("provider", provider)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** The before-send hook answered: {@code pass}, {@code rewrite}, {@code reject} or {@code failed_open}. */
    public void beforeSendHook(String outcome) {
        Counter.builder("parley.before.send.hook")
                .description("before-message-send hook calls, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * The custom command handler answered: {@code regular}, {@code ephemeral}, {@code rejected},
     * {@code cancelled} or {@code failed}.
     */
    public void commandHandler(String outcome) {
        Counter.builder("parley.command.handler")
                .description("custom command handler calls, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * One link preview ended (PROTOCOL.md §7.25): {@code fetched}, {@code empty} (no Open Graph data),
     * {@code refused} (the guard said no), {@code failed}, {@code busy} (no fetch slot), or for enrichment
     * {@code enriched} and {@code dropped} (its queue was full).
     */
    public void linkPreview(String outcome) {
        Counter.builder("parley.link.previews")
                .description("link previews, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * One REST call finished.
     *
     * @param route the route template, such as {@code /users/{id}}, or {@code unmatched}; never the raw path,
     *     so that the number of series stays bounded
     */
    public void restRequest(String method, String route, int status, long nanos) {
        Timer.builder("parley.rest.requests")
                .description("REST latency by route template")
                .tag("method", method)
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Every metric in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }
}
