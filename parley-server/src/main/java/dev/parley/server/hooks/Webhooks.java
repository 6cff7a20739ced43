package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.HookConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.events.EventHooks;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.store.HookStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The node's webhooks (PROTOCOL.md §15): the outbox the publisher writes to, the dispatcher that posts it, and
 * what the operator sees and does (health, dead letters, retry, discard).
 */
public final class Webhooks implements AutoCloseable {
    /** Most dead letters in one page. */
    public static final int MAX_PAGE = 500;

    /**
     * What a message's, reaction's, member's or channel's webhook payload carries of the store when it is posted
     * (PROTOCOL.md §15.2): the channel's first {@value #MAX_MEMBERS} members, each with its read state.
     */
    @FunctionalInterface
    public interface Members {
        Members NONE = (cid, out) -> out.append("[]");

        /**
         * Appends at most {@value #MAX_MEMBERS} members of {@code cid} to {@code out} as a JSON array, each with
         * {@code channel_unread_count}, {@code total_unread_count} and {@code unread_channels}; {@code []} when the
         * channel is gone.
         */
        void appendJson(String cid, StringBuilder out);
    }

    /** Most members a payload carries. */
    public static final int MAX_MEMBERS = 50;

    private final HookStore store;
    private final HookOutbox outbox;
    private final Members members;
    private final WebhookDispatcher dispatcher;
    private final BooleanSupplier delivering;
    private final Clock clock;
    private final BeforeSendHook beforeSend;
    private final CommandHandler commandHandler;
    /** The HTTP client of every hook: the JDK's until the transport supplies its own ({@link #useHttp}). */
    private volatile HookHttp http = new JdkHookHttp();

    /**
     * @param delivering whether this node delivers (always alone; in a cluster while it holds the lease)
     * @param alone whether this node writes every row of the outbox (no cluster): then the rows it commits go to
     *     its dispatcher at once, and the outbox is read once a second for retries and a previous run's rows; in
     *     a cluster the delivering node reads the outbox at each round, so that one channel's rows of several
     *     nodes are posted in the order of their ids
     */
    public Webhooks(
            HookStore store,
            Supplier<AppSettings> settings,
            ServerConfig config,
            Clock clock,
            BooleanSupplier delivering,
            Metrics metrics,
            boolean alone,
            Members members) {
        this.store = requireNonNull(store, "store");
        this.members = requireNonNull(members, "members");
        this.clock = requireNonNull(clock, "clock");
        this.delivering = requireNonNull(delivering, "delivering");
        WebhookDispatcher[] d = new WebhookDispatcher[1];
        this.outbox = new HookOutbox(store, settings, clock, rows -> d[0].offer(rows));
        this.dispatcher = new WebhookDispatcher(
                store,
                outbox::hooks,
                config.apiKey(),
                config.apiSecret(),
                config.webhookDelivery(),
                clock,
                delivering,
                metrics,
                () -> http,
                alone,
                this::payloadOf);
        d[0] = dispatcher;
        SyncHook sync = new SyncHook(config.apiKey(), config.apiSecret(), () -> http);
        this.beforeSend = new BeforeSendHook(settings, sync, metrics);
        this.commandHandler = new CommandHandler(settings, sync, metrics);
        metrics.gauge("parley.webhook.delivered", "webhook events answered 2xx since the start", () ->
                (double) dispatcher.deliveredCount());
    }

    /**
     * The body posted for a row: its payload, and for a channel's message, reaction, member and channel events the
     * channel's members as they are now (the payload as stored when they cannot be read).
     */
    String payloadOf(HookStore.Delivery row) {
        String type = row.eventType();
        String cid = row.orderKey();
        if (cid.startsWith("user:")
                || cid.equals("app")
                || !(type.startsWith("message.")
                        || type.startsWith("reaction.")
                        || type.startsWith("member.")
                        || type.startsWith("channel."))) {
            return row.payload();
        }
        String payload = row.payload();
        int end = payload.lastIndexOf('}');
        if (end < 0) {
            return payload;
        }
        // Added to the stored text as it is: the payload is not parsed again.
        StringBuilder out = new StringBuilder(payload.length() + 1024);
        out.append(payload, 0, end);
        int last = out.length() - 1;
        while (last >= 0 && Character.isWhitespace(out.charAt(last))) {
            last--;
        }
        out.append(last >= 0 && out.charAt(last) == '{' ? "" : ",").append("\"members\":");
        try {
            members.appendJson(cid, out);
        } catch (RuntimeException e) {
            return payload;
        }
        return out.append('}').toString();
    }

    /** Posts with {@code client} from now on (the transport's, on its event loops); the previous one closes. */
    public void useHttp(HookHttp client) {
        HookHttp before = http;
        http = requireNonNull(client, "client");
        before.close();
    }

    /** Starts the dispatcher. */
    public void start() {
        dispatcher.start();
    }

    /** The before-message-send hook, asked by every send. */
    public BeforeSendHook beforeSend() {
        return beforeSend;
    }

    /** The custom command handler, asked by sends and actions of custom commands. */
    public CommandHandler commandHandler() {
        return commandHandler;
    }

    /** What the event publisher hands its events to. */
    public EventHooks events() {
        return outbox;
    }

    /** The body of {@code GET /hook/events}: every event the server posts to webhooks. */
    public static ObjectNode hookEvents() {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("events");
        HookConfig.EVENTS.forEach((name, description) -> {
            ObjectNode e = list.addObject().put("name", name).put("description", description);
            e.putArray("products").add("chat");
        });
        return out;
    }

    /** The operator's view: the hooks, the outbox's size and age, counts and the latest failure. */
    public ObjectNode health() {
        ObjectNode out = Json.object();
        ArrayNode hooks = out.putArray("hooks");
        for (HookConfig.Hook h : outbox.hooks()) {
            ObjectNode o =
                    hooks.addObject().put("id", h.id()).put("url", h.url().toString());
            ArrayNode types = o.putArray("event_types");
            h.events().stream().sorted().forEach(types::add);
        }
        HookStore.Counts counts = store.counts();
        out.put("pending", counts.pending());
        out.put("dead_letters", counts.dead());
        Instant oldest = counts.oldestPending();
        if (oldest == null) {
            out.putNull("oldest_pending_at");
        } else {
            out.put("oldest_pending_at", Timestamps.format(oldest));
        }
        out.put("delivering_node", delivering.getAsBoolean());
        out.put("delivered_since_start", dispatcher.deliveredCount());
        out.put("failed_attempts_since_start", dispatcher.failedAttempts());
        WebhookDispatcher.LastFailure f = dispatcher.lastFailure();
        if (f == null) {
            out.putNull("last_failure");
        } else {
            out.putObject("last_failure")
                    .put("hook_id", f.hookId())
                    .put("event_type", f.eventType())
                    .put("error", f.error())
                    .put("at", Timestamps.format(f.at()));
        }
        return out;
    }

    /** A page of dead letters after {@code afterId}, oldest first, each with its payload. */
    public ObjectNode deadLetters(long afterId, int limit) {
        List<HookStore.Delivery> rows = store.deadLetters(afterId, Math.min(limit, MAX_PAGE));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("dead_letters");
        for (HookStore.Delivery r : rows) {
            ObjectNode o = list.addObject();
            o.put("id", r.id());
            o.put("hook_id", r.hookId());
            o.put("event_type", r.eventType());
            o.put("order_key", r.orderKey());
            o.put("created_at", Timestamps.format(r.createdAt()));
            o.put("attempts", r.attempts());
            o.put("last_attempt_at", Timestamps.format(r.nextAttemptAt()));
            o.put("last_error", r.lastError());
            o.set("payload", Json.parse(r.payload(), "payload"));
        }
        if (rows.size() == Math.min(limit, MAX_PAGE) && !rows.isEmpty()) {
            out.put("next", rows.getLast().id());
        }
        return out;
    }

    /** Makes dead letters pending again (those of {@code ids}, or all): answers how many. */
    public int retry(@Nullable Collection<Long> ids) {
        int n = store.retryDead(ids, clock.instant());
        dispatcher.rescan();
        return n;
    }

    /** Deletes dead letters (those of {@code ids}, or all): answers how many. */
    public int discard(@Nullable Collection<Long> ids) {
        return store.discardDead(ids);
    }

    /** Stops delivering, then commits what the outbox writer holds. */
    @Override
    public void close() {
        dispatcher.close();
        outbox.close();
        http.close();
    }
}
