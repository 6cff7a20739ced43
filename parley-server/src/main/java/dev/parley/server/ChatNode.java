package dev.parley.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.auth.Caller;
import dev.parley.server.cluster.RedisBroker;
import dev.parley.server.commands.Commands;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.CommandConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.Events;
import dev.parley.server.events.LocalBroker;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.filter.Filter;
import dev.parley.server.hooks.Webhooks;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.migration.ImportTasks;
import dev.parley.server.moderation.AppGrants;
import dev.parley.server.moderation.Blocklists;
import dev.parley.server.moderation.FlagReports;
import dev.parley.server.moderation.Moderation;
import dev.parley.server.moderation.ModerationChecks;
import dev.parley.server.moderation.ModerationConfigs;
import dev.parley.server.moderation.ModerationRules;
import dev.parley.server.moderation.ReviewQueue;
import dev.parley.server.push.PushPreferences;
import dev.parley.server.push.PushService;
import dev.parley.server.ratelimit.RateLimits;
import dev.parley.server.reads.Unread;
import dev.parley.server.reminders.ReminderScheduler;
import dev.parley.server.reminders.Reminders;
import dev.parley.server.reminders.UnreadReminders;
import dev.parley.server.search.SearchService;
import dev.parley.server.session.Session;
import dev.parley.server.store.ChatRows.UnreadTotals;
import dev.parley.server.store.Store;
import dev.parley.server.store.UserQuery;
import dev.parley.server.uploads.UploadStore;
import dev.parley.server.uploads.Uploads;
import dev.parley.server.usage.ConcurrencySamples;
import dev.parley.server.usage.ConnectionPolicy;
import dev.parley.server.usage.ConnectionRegistry;
import dev.parley.server.usage.MauCache;
import dev.parley.server.users.StoreWriter;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core of one Parley node, independent of the network: connects and disconnects, users, presence,
 * the chat core ({@link #chat()}: channels, messages, reads), app settings and usage metering. The transport calls it; it never imports Netty's channel types.
 *
 * <p>Blocking methods ({@link #connect}, {@link #disconnect}, the user operations) run on virtual
 * threads of {@link #blockingExecutor()}, never on an event loop.
 */
public final class ChatNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatNode.class);

    private final ServerConfig config;
    private final Clock clock;
    private final Store store;
    private final StoreWriter writer;
    private final UserService users;
    private final ConnectionRegistry registry;
    private final PresenceHub presence = new PresenceHub();
    private final ChannelHub watchers = new ChannelHub();
    private final EventPublisher events;
    private final Webhooks webhooks;
    private final PushService push;
    private final PushPreferences pushPreferences;
    private final Reminders reminders;
    private final ReminderScheduler reminderScheduler;
    private final UnreadReminders unreadReminders;
    private final dev.parley.server.exports.UserExport userExport;
    private final dev.parley.server.tasks.Tasks tasks;
    private final dev.parley.server.exports.Exports exports;
    private final Chat chat;
    private final Moderation moderation;
    private final Blocklists blocklists;
    private final FlagReports flagReports;
    private final ReviewQueue reviewQueue;
    private final ModerationConfigs moderationConfigs;
    private final ModerationRules moderationRules;
    private final ModerationChecks moderationChecks;
    private final Commands commands;
    private final SearchService search;
    private final Uploads uploads;
    private final ImportTasks imports;
    private final dev.parley.server.links.LinkPreviews linkPreviews;
    private final dev.parley.server.links.LinkEnrichment linkEnrichment;
    /** Replaced whole by {@link #patchSettings}, read without a lock. */
    private volatile AppSettings settings;

    /** This node's link to the other nodes; null when it runs alone. */
    private final @Nullable RedisBroker cluster;

    private final Authenticator authenticator;
    private final ExecutorService blocking = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-worker-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("parley-timer").daemon(true).factory());
    private final Metrics metrics;
    private final ConcurrencySamples concurrency = new ConcurrencySamples();
    private final ConnectionPolicy connectionPolicy;
    private final MauCache mau;
    private final RateLimits rateLimits;

    public ChatNode(ServerConfig config, Store store, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        String node = config.clustered() ? nodeId(config) : null;
        this.metrics = new Metrics(node);
        this.writer = new StoreWriter(store);
        this.users = new UserService(store, writer);
        this.registry = new ConnectionRegistry(clock);
        ChannelLocks locks = new ChannelLocks();
        LocalBroker local = new LocalBroker(watchers, presence, registry);
        String redisUrl = config.redisUrl();
        this.cluster = redisUrl == null || node == null
                ? null
                : new RedisBroker(
                        redisUrl,
                        node,
                        local,
                        watchers,
                        presence,
                        registry,
                        (cid, from, to) -> store.chat().eventsBySeq(cid, from, to, Sequencer_MAX_GAP),
                        cids -> store.chat().latestSeqs(cids));
        RedisBroker linked = cluster;
        this.webhooks = new Webhooks(
                store.hooks(),
                () -> settings,
                config,
                clock,
                linked == null ? () -> true : new Lease(linked, WEBHOOK_LEASE),
                metrics,
                linked == null,
                new dev.parley.server.hooks.WebhookMembers(store.chat(), users));
        this.events =
                new EventPublisher(store.chat(), cluster != null ? cluster : local, locks, metrics, webhooks.events());
        this.push = new PushService(
                store.push(), store.moderation(), () -> settings, config, clock, metrics, new PushPeers());
        this.pushPreferences = new PushPreferences(store.push(), clock);
        this.linkPreviews = dev.parley.server.links.LinkPreviews.of(config.linkPreviewPrivateHosts(), clock, metrics);
        this.linkEnrichment = new dev.parley.server.links.LinkEnrichment(linkPreviews, metrics);
        this.blocklists = new Blocklists(store.moderation(), clock);
        this.chat = new Chat(
                store.chat(),
                store.polls(),
                store.moderation(),
                users,
                presence,
                watchers,
                locks,
                events,
                webhooks.beforeSend(),
                push,
                linkEnrichment,
                store.drafts(),
                store.reminders(),
                store.locations(),
                blocklists,
                clock);
        AppGrants appGrants = new AppGrants(() -> settings);
        this.moderation = new Moderation(
                store.chat(), store.moderation(), chat.access(), users, events, clock, appGrants, store.policies());
        chat.channels().onCreate(moderation.bans()::applyFutureBans);
        this.flagReports = new FlagReports(store.chat(), store.moderation(), chat.access(), users, clock, appGrants);
        this.reviewQueue = new ReviewQueue(store.moderation(), flagReports, moderation.flags(), clock, appGrants);
        this.moderationConfigs = new ModerationConfigs(store.policies(), blocklists, clock, appGrants);
        this.moderationRules = new ModerationRules(store.policies(), clock, appGrants);
        this.moderationChecks = new ModerationChecks(
                moderationConfigs, blocklists, store.moderation(), store.chat(), reviewQueue, clock, appGrants);
        this.commands = new Commands(chat.messages(), moderation, chat.access(), webhooks.commandHandler(), clock);
        this.search = new SearchService(store.chat(), chat.access(), chat.views()::forViewer);
        this.reminders =
                new Reminders(store.reminders(), store.chat(), chat.access(), chat.views(), users, events, clock);
        this.reminderScheduler = new ReminderScheduler(store.reminders(), reminders, clock);
        this.userExport = new dev.parley.server.exports.UserExport(store.chat(), chat.views(), users);
        this.tasks = new dev.parley.server.tasks.Tasks(
                store.tasks(), clock, config.dataDir().resolve("tasks"), config.clustered());
        this.exports = new dev.parley.server.exports.Exports(
                tasks,
                store.exports(),
                store.chat(),
                users,
                new dev.parley.server.exports.ExportLinks(config.apiSecret()),
                clock);
        this.unreadReminders = new UnreadReminders(
                store.reminders(), store.chat(), chat.types(), chat.views(), users, events, () -> settings, clock);
        this.uploads = new Uploads(
                store.chat(),
                chat.access(),
                users,
                clock,
                new UploadStore(config.dataDir().resolve("uploads")),
                config.maxUploadBytes());
        this.imports = new ImportTasks(
                store, config.dataDir().resolve("imports"), config.apiSecret(), clock, users::writtenAround);
        AppSettings loaded = store.loadAppSettings().map(AppSettings::new).orElse(AppSettings.defaults());
        if (config.disableAuthChecks()) {
            loaded = loaded.withDisableAuthChecks(true);
        }
        this.settings = loaded;
        applyTypes(loaded);
        this.authenticator = new Authenticator(config.apiKey(), config.apiSecret(), clock, () -> settings);
        this.connectionPolicy = new ConnectionPolicy(() -> settings.connectionLimit(config), registry, metrics);
        RedisBroker clustered = cluster;
        if (clustered != null) {
            connectionPolicy.inCluster(new ConnectionPolicy.ClusterSockets() {
                @Override
                public int connections(String userId) {
                    return clustered.registry().connectionCount(userId);
                }

                @Override
                public List<String> oldest(String userId, int n, String except) {
                    return clustered.registry().oldest(userId, n, except);
                }
            });
        }
        this.mau = new MauCache(store, clock);
        this.rateLimits = RateLimits.inMemory(config, clock);
        registerGauges();
        if (cluster != null) {
            cluster.onControl(this::control);
            RedisBroker c = cluster;
            store.caches().onDrop(m -> c.broadcast(CONTROL_DROP + m));
            users.onChange(id -> c.broadcast(CONTROL_USER + id));
            blocklists.onChange(() -> c.broadcast(CONTROL_BLOCKLISTS));
            users.inCluster(cluster.registry());
            cluster.onReconnect(this::forgetWhatOthersChanged);
            cluster.onRequest(request ->
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> forOneOfMine(request), blocking));
            cluster.registry().onDeadNodesUsersOffline(this::offlineAfterNodeLoss);
            cluster.registry()
                    .onDeadNodesWatchesGone((cid, user) ->
                            blocking.execute(() -> chat.channels().stoppedWatchingOnLostNode(cid, user)));
            cluster.registry()
                    .onReassert(() -> registry.all().stream()
                            .filter(x -> !Caller.ANONYMOUS_ID.equals(x.userId()))
                            .map(x -> new dev.parley.server.cluster.ClusterRegistry.Socket(
                                    x.userId(), x.connectionId(), x.connectedAt()))
                            .toList());
            offlineAfterNodeLoss(cluster.registry().forgetPreviousRun());
        } else {
            // In a cluster other nodes' users are online; a node's own stale users are left to their next connect.
            resetStalePresence();
        }
        timer.scheduleAtFixedRate(this::flushPeak, 5, 5, TimeUnit.SECONDS);
        timer.scheduleAtFixedRate(this::sampleConcurrency, 0, 5, TimeUnit.SECONDS);
        webhooks.start();
        push.start();
        linkEnrichment.start(chat.edits()::enrich);
        reminderScheduler.start(ReminderScheduler.PERIOD);
        unreadReminders.start(UnreadReminders.PERIOD);
        imports.start();
        tasks.start();
    }

    /** What push reads of this node and the cluster (PROTOCOL.md §16.3). */
    private final class PushPeers implements PushService.Peers {
        @Override
        public java.util.Set<String> watching(String cid) {
            RedisBroker c = cluster;
            if (c != null) {
                java.util.Set<String> all = c.registry().watchingUsers(cid);
                if (all != null) {
                    return all;
                }
            }
            return watchers.watchingUsers(cid);
        }

        @Override
        public boolean online(String userId) {
            RedisBroker c = cluster;
            return registry.connectionCount(userId) > 0
                    || (c != null && c.registry().connectionCount(userId) > 0);
        }

        @Override
        public java.util.Map<String, ObjectNode> users(List<String> ids) {
            java.util.Map<String, ObjectNode> out = new java.util.HashMap<>();
            users.findAll(ids).forEach((id, u) -> out.put(id, u.toJson()));
            return out;
        }

        @Override
        public PushService.@Nullable Sample message(String messageId) {
            var m = store.chat().findMessage(messageId).orElse(null);
            if (m == null) {
                return null;
            }
            var ch = store.chat().findChannel(m.cid()).orElse(null);
            if (ch == null) {
                return null;
            }
            var type = chat.types().require(ch.type());
            ObjectNode message = m.doc().deepCopy();
            users.findAll(List.of(m.userId())).values().forEach(u -> message.set("user", u.toJson()));
            return new PushService.Sample(
                    message, dev.parley.server.chat.ChannelViews.channel(ch, type, null), type.name());
        }
    }

    /** Link previews: {@code GET /og} and the enrichment of sent messages (PROTOCOL.md §7.25). */
    public dev.parley.server.links.LinkPreviews linkPreviews() {
        return linkPreviews;
    }

    /** The node's push notifications. */
    public PushService push() {
        return push;
    }

    /** Users' push preferences. */
    public PushPreferences pushPreferences() {
        return pushPreferences;
    }

    /** Message reminders and saved-for-later messages (PROTOCOL.md §7.23). */
    public Reminders reminders() {
        return reminders;
    }

    /** A user's data export (PROTOCOL.md §7.31). */
    public dev.parley.server.exports.UserExport userExport() {
        return userExport;
    }

    /** Durable tasks (PROTOCOL.md §17.6): batches and exports. */
    public dev.parley.server.tasks.Tasks tasks() {
        return tasks;
    }

    /** Channel and user exports as tasks, and their download links (PROTOCOL.md §17.6). */
    public dev.parley.server.exports.Exports exports() {
        return exports;
    }

    /** The cluster's lease of webhook delivery: one node posts every webhook. */
    private static final String WEBHOOK_LEASE = "webhooks";

    /**
     * A lease of the cluster, asked of Redis at most every {@link #RENEW} and held for {@link #TTL}: if its node
     * dies, another takes it over within the time to live.
     */
    private static final class Lease implements java.util.function.BooleanSupplier {
        static final java.time.Duration TTL = java.time.Duration.ofSeconds(10);
        static final long RENEW = TimeUnit.SECONDS.toNanos(2);

        private final RedisBroker cluster;
        private final String name;
        private long checkedAt = System.nanoTime() - RENEW;
        private boolean held;

        Lease(RedisBroker cluster, String name) {
            this.cluster = cluster;
            this.name = name;
        }

        @Override
        public synchronized boolean getAsBoolean() {
            long now = System.nanoTime();
            if (now - checkedAt >= RENEW) {
                held = cluster.registry().holdLease(name, TTL);
                checkedAt = now;
            }
            return held;
        }
    }

    private void registerGauges() {
        metrics.gauge("parley.connections.open", "open WebSocket connections on this node", registry::totalConnections);
        metrics.gauge("parley.connected.users", "distinct users with an open socket", registry::connectedUsers);
        metrics.gauge(
                "parley.duplicate.connection.users",
                "users with more than one open socket",
                registry::usersWithSeveralConnections);
        metrics.gauge("parley.monthly.active.users", "users who connected this month (UTC)", mau::current);
    }

    private void sampleConcurrency() {
        Instant now = clock.instant();
        long open = currentConnections();
        concurrency.record(now, (int) Math.min(Integer.MAX_VALUE, open));
        if (cluster != null) {
            raiseClusterPeak(now, open);
        }
    }

    /** The cluster's peak of the day, sampled every 5 s (each node writes it; the store keeps the largest). */
    private volatile ConnectionRegistry.DayPeak clusterPeak = new ConnectionRegistry.DayPeak(LocalDate.MIN, 0);

    private synchronized void raiseClusterPeak(Instant now, long open) {
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        ConnectionRegistry.DayPeak p = clusterPeak;
        if (!p.day().equals(today)) {
            if (p.peak() > 0 && !p.day().equals(LocalDate.MIN)) {
                writer.recordPeak(p.day(), p.peak());
            }
            p = new ConnectionRegistry.DayPeak(today, 0);
        }
        if (open > p.peak()) {
            p = new ConnectionRegistry.DayPeak(today, (int) Math.min(Integer.MAX_VALUE, open));
        }
        clusterPeak = p;
    }

    /** Open sockets now: the cluster's on a node of one (this node's if Redis cannot be asked), else this node's. */
    public long currentConnections() {
        return clusterOr(ClusterRegistryCount.SOCKETS, registry.totalConnections());
    }

    /** Distinct users with a socket now, as {@link #currentConnections}. */
    public long currentUsers() {
        return clusterOr(ClusterRegistryCount.USERS, registry.connectedUsers());
    }

    /** Users with several sockets now, as {@link #currentConnections}. */
    public long currentUsersWithSeveral() {
        return clusterOr(ClusterRegistryCount.USERS_WITH_SEVERAL, registry.usersWithSeveralConnections());
    }

    /** The cluster's counts the usage figures read. */
    private enum ClusterRegistryCount {
        SOCKETS,
        USERS,
        USERS_WITH_SEVERAL
    }

    /** A count from the cluster's registry on a node of one, or {@code here} (alone, or when Redis fails). */
    private long clusterOr(ClusterRegistryCount what, long here) {
        RedisBroker c = cluster;
        if (c == null) {
            return here;
        }
        try {
            return switch (what) {
                case SOCKETS -> c.registry().totalConnections();
                case USERS -> c.registry().connectedUsers();
                case USERS_WITH_SEVERAL -> c.registry().countUsersWithAtLeast(2);
            };
        } catch (RuntimeException e) {
            c.countFailure("counting the cluster's " + what.name().toLowerCase(java.util.Locale.ROOT), e);
            return here;
        }
    }

    /** Today's peak of concurrent sockets: this node's, or on a node of a cluster the larger of it and the cluster's. */
    public ConnectionRegistry.DayPeak todaysPeak() {
        ConnectionRegistry.DayPeak mine = registry.todaysPeak();
        ConnectionRegistry.DayPeak all = clusterPeak;
        return cluster != null && all.day().equals(mine.day()) && all.peak() > mine.peak() ? all : mine;
    }

    /** Counters and gauges served on {@code /metrics}; the chat core counts messages and events here. */
    public Metrics metrics() {
        return metrics;
    }

    /** Per-minute peaks of concurrent connections, for the dashboard. */
    public ConcurrencySamples concurrency() {
        return concurrency;
    }

    /** The per-user connection limit and its policy. */
    public ConnectionPolicy connectionPolicy() {
        return connectionPolicy;
    }

    /** Users active this month (UTC), cached for a few seconds. */
    public long monthlyActiveUsers() {
        return mau.current();
    }

    /** The recorded daily peaks of concurrent connections from {@code from} to {@code to}. */
    public Map<LocalDate, Integer> peakConnections(LocalDate from, LocalDate to) {
        return store.peakConnections(from, to);
    }

    /** Users who connected in {@code month} (UTC), counted by the store. */
    public long countActiveUsers(YearMonth month) {
        return store.countActiveUsers(month);
    }

    /** Every rate limit: REST calls and connects, admin secret tries, socket frames. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    public ServerConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public Store store() {
        return store;
    }

    public UserService users() {
        return users;
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    /** Channels, messages, reactions and reads. */
    public Chat chat() {
        return chat;
    }

    /** Mutes, bans, flags and blocks. */
    /** Slash commands in sends, and the actions of their ephemeral messages. */
    public Commands commands() {
        return commands;
    }

    public Moderation moderation() {
        return moderation;
    }

    /** The blocklists (PROTOCOL.md §7.27). */
    public Blocklists blocklists() {
        return blocklists;
    }

    /** Flags, flag reports and their review (PROTOCOL.md §7.26). */
    public FlagReports flagReports() {
        return flagReports;
    }

    /** The review queue of moderation v2, over the flag reports (PROTOCOL.md §7.26). */
    public ReviewQueue reviewQueue() {
        return reviewQueue;
    }

    /** Moderation v2 configurations (PROTOCOL.md §7.28). */
    public ModerationConfigs moderationConfigs() {
        return moderationConfigs;
    }

    /** Moderation rules (PROTOCOL.md §7.28). */
    public ModerationRules moderationRules() {
        return moderationRules;
    }

    /** Checks, custom checks and bulk flag reviews (PROTOCOL.md §7.28). */
    public ModerationChecks moderationChecks() {
        return moderationChecks;
    }

    /** Message search. */
    public SearchService search() {
        return search;
    }

    /** Stream's import routes and the imports they start (PROTOCOL.md §17.5). */
    public ImportTasks imports() {
        return imports;
    }

    /** Channel file and image uploads. */
    public Uploads uploads() {
        return uploads;
    }

    /** Who watches which channel on this node (read-only: events leave through {@link #events()}). */
    public ChannelHub watchers() {
        return watchers;
    }

    public PresenceHub presence() {
        return presence;
    }

    /** The one way events leave the server. */
    public EventPublisher events() {
        return events;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AppSettings settings() {
        return settings;
    }

    /** The node's webhooks: health and dead letters for the operator. */
    public Webhooks webhooks() {
        return webhooks;
    }

    /** Virtual threads for blocking work. */
    public ExecutorService blockingExecutor() {
        return blocking;
    }

    /** Applies a {@code PATCH /app} body and persists it; the other nodes of a cluster reload it. */
    public synchronized AppSettings patchSettings(ObjectNode body) {
        AppSettings next = settings.patch(body, clock.instant());
        store.saveAppSettings(next.doc());
        settings = next;
        applyTypes(next);
        if (cluster != null) {
            cluster.broadcast(CONTROL_SETTINGS);
        }
        return next;
    }

    /**
     * Changes the server's own keys of the settings document (commands, channel type commands) and persists it;
     * the other nodes of a cluster reload it. {@code change} edits a copy and answers what the caller returns;
     * when it throws, nothing changes.
     */
    public synchronized <T> T changeSettings(java.util.function.Function<ObjectNode, T> change) {
        @SuppressWarnings("unchecked")
        T[] out = (T[]) new Object[1];
        AppSettings next = settings.edited(d -> out[0] = change.apply(d));
        store.saveAppSettings(next.doc());
        settings = next;
        applyTypes(next);
        if (cluster != null) {
            cluster.broadcast(CONTROL_SETTINGS);
        }
        return out[0];
    }

    /** The channel types as {@code s} defines them, with its commands (PROTOCOL.md §11.5, §15.5). */
    private void applyTypes(AppSettings s) {
        chat.types()
                .apply(
                        s.doc(),
                        type -> CommandConfig.objectsOf(s.doc(), type),
                        type -> PushConfig.typePush(s.doc(), type));
    }

    /** The most stored events one fill of a cluster node reads at once. */
    private static final int Sequencer_MAX_GAP = 300;

    private volatile boolean draining;

    /** Marks the node as stopping: {@link #unready()} says so from now on. */
    public void drain() {
        draining = true;
    }

    /** Whether the node is stopping ({@link #drain}). */
    public boolean draining() {
        return draining;
    }

    /**
     * Why a load balancer should not send this node new connections, or null when it may: the node is
     * stopping, or it cannot reach the cluster's Redis.
     */
    public @Nullable String unready() {
        if (draining) {
            return "draining: the node is stopping";
        }
        RedisBroker c = cluster;
        if (c != null && !c.connected()) {
            return "the cluster's Redis cannot be reached";
        }
        return null;
    }

    /** This node's link to the other nodes of its cluster; null when it runs alone. */
    public @Nullable RedisBroker cluster() {
        return cluster;
    }

    /**
     * Tells the other nodes of the cluster where this node serves, once its port is bound: the configured host,
     * or this machine's address when the node listens on every interface.
     */
    public void advertise(int port) {
        RedisBroker c = cluster;
        if (c == null) {
            return;
        }
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostAddress();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        c.registry().advertise(host.contains(":") ? "[" + host + "]:" + port : host + ":" + port);
    }

    /** This node's id in its cluster; null when it runs alone. */
    public @Nullable String nodeId() {
        return cluster == null ? null : cluster.nodeId();
    }

    private static final String CONTROL_SETTINGS = "settings";
    /** A control message: another node changed the blocklists. */
    private static final String CONTROL_BLOCKLISTS = "blocklists";

    /** A control message's prefix: what another node's write dropped of the store's memory. */
    private static final String CONTROL_DROP = "drop:";
    /** A control message's prefix: a user another node changed. */
    private static final String CONTROL_USER = "user:";

    /** A control message from another node of the cluster. */
    private void control(String message) {
        if (CONTROL_SETTINGS.equals(message)) {
            whileRunning(this::reloadSettings);
        } else if (CONTROL_BLOCKLISTS.equals(message)) {
            whileRunning(blocklists::reload);
        } else if (message.startsWith(CONTROL_DROP)) {
            store.caches().drop(message.substring(CONTROL_DROP.length()));
        } else if (message.startsWith(CONTROL_USER)) {
            String id = message.substring(CONTROL_USER.length());
            whileRunning(() -> users.reload(id));
        } else {
            log.warn("cluster: unknown control message '{}'", message);
        }
    }

    /** Runs {@code task} on a virtual thread unless the node is stopping (then it does not matter any more). */
    private void whileRunning(Runnable task) {
        try {
            blocking.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the node closed its executor between the check and now
        }
    }

    /**
     * After a reconnect to Redis: the other nodes' control messages sent meanwhile are lost, so whatever this
     * node keeps of the store and the app settings is read again.
     */
    private void forgetWhatOthersChanged() {
        store.caches().dropAll();
        blocking.execute(() -> {
            users.reloadAll();
            reloadSettings();
            blocklists.reload();
        });
    }

    private synchronized void reloadSettings() {
        AppSettings loaded = store.loadAppSettings().map(AppSettings::new).orElse(AppSettings.defaults());
        settings = config.disableAuthChecks() ? loaded.withDisableAuthChecks(true) : loaded;
        applyTypes(settings);
    }

    /** The configured node id, or this host's name and port (with a random part when the port is picked at start). */
    static String nodeId(ServerConfig config) {
        String id = config.nodeId();
        if (id != null) {
            return id;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "node";
        }
        String port = config.port() == 0
                ? "0-"
                        + Long.toHexString(
                                java.util.concurrent.ThreadLocalRandom.current().nextLong())
                : String.valueOf(config.port());
        String candidate = (host + ":" + port).replaceAll("[^A-Za-z0-9._:-]", "-");
        return candidate.length() > 64 ? candidate.substring(candidate.length() - 64) : candidate;
    }

    /**
     * The server side of {@code connectUser} (PROTOCOL.md §4.1 steps 4 to 10), after the transport has
     * checked the key and the token: get or create the user, merge {@code user_details}, mark the user
     * online, register the socket and return {@code me}. Blocking.
     *
     * @throws ChatException when the connect is refused; nothing is registered then
     */
    public ObjectNode connect(Authenticator.Identity identity, String userId, ObjectNode details, Session session) {
        rateLimits.admitConnect(identity.caller(), session.client(), session::remoteAddress);
        Instant now = clock.instant();
        if (identity.caller() instanceof Caller.Anonymous) {
            User anon = User.builder(Caller.ANONYMOUS_ID)
                    .role("anonymous")
                    .createdAt(now)
                    .updatedAt(now)
                    .lastActive(now)
                    .online(true)
                    .build();
            registry.register(session);
            return Events.me(anon);
        }
        boolean[] changed = {false};
        boolean[] created = {false};
        int[] sockets = {0};
        int[] inCluster = {0};
        List<String> tooMany = new ArrayList<>();
        // the change always returns a user
        User user = requireNonNull(
                users.update(
                        userId,
                        current -> {
                            Authenticator.checkRevocation(identity, current);
                            if (current != null && current.deletedAt() != null) {
                                throw ChatException.notAllowed("user '" + userId + "' was deleted and cannot connect");
                            }
                            if (current != null && current.deactivatedAt() != null) {
                                throw ChatException.notAllowed(
                                        "user '" + userId + "' is deactivated and cannot connect");
                            }
                            connectionPolicy.admit(userId, session.client());
                            User merged = UserRules.mergeConnect(current, userId, details, now);
                            changed[0] = current != null && merged != current;
                            created[0] = current == null;
                            return merged.toBuilder()
                                    .online(!merged.invisible())
                                    .lastActive(now)
                                    .build();
                        },
                        YearMonth.from(now.atZone(ZoneOffset.UTC)),
                        u -> {
                            users.pin(u);
                            sockets[0] = registry.register(session);
                            concurrency.record(now, registry.totalConnections());
                            inCluster[0] = clusterAdd(session, sockets[0]);
                            tooMany.addAll(connectionPolicy.registered(session, inCluster[0]));
                        }),
                "user");
        for (String old : tooMany) {
            events.close(
                    Audience.connection(old), ConnectionPolicy.CLOSE_OLDEST_CODE, connectionPolicy.closeOldestReason());
        }
        if (inCluster[0] == 1 && !user.invisible()) {
            events.publishIfHeard(
                    EventType.USER_PRESENCE_CHANGED.wireName(),
                    Audience.presenceOf(userId),
                    () -> Events.userEvent(EventType.USER_PRESENCE_CHANGED.wireName(), user, now));
        }
        if (changed[0]) {
            events.publishIfHeard(
                    EventType.USER_UPDATED.wireName(),
                    Audience.presenceOf(userId),
                    () -> Events.userEvent(EventType.USER_UPDATED.wireName(), user, now));
        }
        if (created[0] && !store.chat().hasOwnRows(userId)) {
            // A new user: one query instead of five (unread totals, mutes, channel mutes, blocks, devices).
            ObjectNode me = Moderation.withEmptyLists(Unread.put(Events.me(user), UnreadTotals.ZERO));
            me.putArray("devices");
            return me;
        }
        ObjectNode me = moderation.withLists(chat.reads().putCounters(Events.me(user), userId), user);
        me.set("devices", chat.devices().devicesOf(userId));
        return me;
    }

    /**
     * Forgets a closed socket: drops its subscriptions, and when it was its user's last socket, marks the
     * user offline with {@code last_active} at the close. Blocking; calling it twice is harmless.
     */
    public void disconnect(Session session) {
        presence.unsubscribeAll(session);
        chat.channels().disconnected(session);
        int here = registry.unregister(session);
        if (here < 0 || Caller.ANONYMOUS_ID.equals(session.userId())) {
            return;
        }
        if (clusterRemove(session, here) != 0) {
            return;
        }
        goOffline(session.userId());
    }

    /**
     * Records a registered socket in the cluster; returns its user's sockets in the whole cluster ({@code here}
     * when the node runs alone, or when Redis cannot be asked).
     */
    private int clusterAdd(Session session, int here) {
        if (cluster == null || Caller.ANONYMOUS_ID.equals(session.userId())) {
            return here;
        }
        try {
            return cluster.registry().add(session.userId(), session.connectionId(), session.connectedAt());
        } catch (RuntimeException e) {
            cluster.countFailure("recording socket " + session.connectionId() + " of " + session.userId(), e);
            return here;
        }
    }

    /** As {@link #clusterAdd}, for a closed socket: the user's sockets left in the cluster. */
    private int clusterRemove(Session session, int here) {
        if (cluster == null) {
            return here;
        }
        try {
            int left = cluster.registry().remove(session.userId(), session.connectionId());
            return left < 0 ? here : left;
        } catch (RuntimeException e) {
            cluster.countFailure("forgetting socket " + session.connectionId() + " of " + session.userId(), e);
            return here;
        }
    }

    /** Users whose last sockets were on a node that died (or on this node's previous run): offline now. */
    private void offlineAfterNodeLoss(List<String> userIds) {
        for (String id : userIds) {
            blocking.execute(() -> {
                RedisBroker c = cluster;
                if (c != null && c.registry().connectionCount(id) > 0) {
                    return; // back on another node meanwhile
                }
                goOffline(id);
            });
        }
    }

    /**
     * Subscribes a connection that lives on another node of the cluster, for a REST call that reached this
     * one: to the channels {@code cids} (as {@code watch: true} would) and to the presence of {@code presenceOf}.
     * Waits for the other node's answer; false when this node runs alone, the connection is open nowhere in
     * the cluster (or here), or the other node did not do it.
     */
    public boolean subscribeElsewhere(String userId, String connectionId, List<String> cids, List<String> presenceOf) {
        RedisBroker c = cluster;
        if (c == null || (cids.isEmpty() && presenceOf.isEmpty())) {
            return false;
        }
        String owner;
        try {
            owner = c.registry().nodeOf(userId, connectionId);
        } catch (RuntimeException e) {
            log.warn("cluster: cannot find the node of connection {}: {}", connectionId, e.toString());
            return false;
        }
        if (owner == null) {
            log.warn(
                    "cluster: connection {} of {} is open on no node: not subscribed to {}",
                    connectionId,
                    userId,
                    cids);
            closeUnsubscribed(userId, connectionId);
            return false;
        }
        if (owner.equals(c.nodeId())) {
            return false;
        }
        boolean ok = true;
        if (!cids.isEmpty()) {
            ok = c.request(owner, String.join("\n", concat(List.of("watch", userId, connectionId), cids)));
        }
        if (!presenceOf.isEmpty()) {
            ok &= c.request(owner, String.join("\n", concat(List.of("presence", userId, connectionId), presenceOf)));
        }
        if (!ok) {
            log.warn("cluster: node {} did not subscribe connection {} of {} to {}", owner, connectionId, userId, cids);
            closeUnsubscribed(userId, connectionId);
        }
        return ok;
    }

    /**
     * Closes a connection that a REST call asked to subscribe when that could not be done (its node did not
     * answer, or no node has it on record), wherever it is: with 1012 its client reconnects and queries its
     * channels again, rather than keep a socket that hears nothing of the channels it believes it watches.
     */
    private void closeUnsubscribed(String userId, String connectionId) {
        if (Caller.ANONYMOUS_ID.equals(userId)) {
            return; // never on record in the cluster: closing would only make it come back the same
        }
        events.close(
                Audience.connection(connectionId),
                1012, // the transport's SERVICE_RESTART, on which Stream's SDKs reconnect
                "this connection could not be subscribed to its channels; reconnect");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * Does what another node asks: for one of this node's connections ({@link #subscribeElsewhere}), or a
     * question for the operator's view ({@link #askNodes}). Null when not done.
     */
    private @Nullable String forOneOfMine(String request) {
        String[] parts = request.split("\n", -1);
        java.util.function.Function<String, @Nullable String> ops = operatorQuestions;
        if (ops != null && parts[0].startsWith("ops.")) {
            return ops.apply(request);
        }
        if (parts.length < 4) {
            return null;
        }
        Optional<Session> session =
                registry.find(parts[2]).filter(x -> x.userId().equals(parts[1]));
        log.debug("{} for {} of {} asked by another node: {}", parts[0], parts[2], parts[1], session.isPresent());
        if (session.isEmpty()) {
            return null;
        }
        List<String> args = List.of(parts).subList(3, parts.length);
        switch (parts[0]) {
            case "watch" -> {
                for (String cid : args) {
                    var ch = store.chat().findChannel(cid);
                    if (ch.isPresent()) {
                        var type = chat.access().typeOf(ch.get());
                        if (type != null) {
                            chat.channels().watch(session.get(), ch.get(), type);
                        }
                    }
                }
                return "";
            }
            case "presence" -> {
                presence.subscribe(session.get(), args);
                return "";
            }
            default -> {
                log.warn("cluster: unknown request '{}'", parts[0]);
                return null;
            }
        }
    }

    private volatile java.util.function.@Nullable Function<String, @Nullable String> operatorQuestions;

    /**
     * Answers the operator view's questions from other nodes (texts starting with {@code ops.}); the REST layer
     * sets it, as the view's JSON is its own.
     */
    public void answerOperatorQuestions(java.util.function.Function<String, @Nullable String> answers) {
        operatorQuestions = answers;
    }

    /**
     * Asks every other live node of the cluster {@code question} and returns their answers by node id (nodes
     * that did not answer are left out); empty when the node runs alone.
     */
    public Map<String, String> askNodes(String question) {
        RedisBroker c = cluster;
        Map<String, String> out = new java.util.TreeMap<>();
        if (c == null) {
            return out;
        }
        List<String> others;
        try {
            others = c.registry().liveNodes().stream()
                    .filter(n -> !n.equals(c.nodeId()))
                    .toList();
        } catch (RuntimeException e) {
            log.warn("cluster: cannot list the nodes: {}", e.toString());
            return out;
        }
        List<java.util.concurrent.Future<Optional<String>>> asked = new ArrayList<>();
        for (String n : others) {
            asked.add(blocking.submit(() -> c.ask(n, question)));
        }
        for (int i = 0; i < others.size(); i++) {
            String n = others.get(i);
            try {
                asked.get(i).get().ifPresent(answer -> out.put(n, answer));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("cluster: asking node {} failed: {}", others.get(i), e.toString());
            }
        }
        return out;
    }

    /** Marks a user with no socket left offline, with {@code last_active} now, and tells its presence subscribers. */
    private void goOffline(String userId) {
        Instant now = clock.instant();
        boolean[] wentOffline = {false};
        User user = users.update(
                userId,
                current -> {
                    if (current == null || registry.connectionCount(userId) > 0) {
                        return current;
                    }
                    wentOffline[0] = current.online();
                    return current.toBuilder().online(false).lastActive(now).build();
                },
                null,
                u -> {
                    if (registry.connectionCount(userId) == 0) {
                        users.unpin(userId);
                    }
                });
        if (wentOffline[0] && user != null) {
            events.publishIfHeard(
                    EventType.USER_PRESENCE_CHANGED.wireName(),
                    Audience.presenceOf(user.id()),
                    () -> Events.userEvent(EventType.USER_PRESENCE_CHANGED.wireName(), user, now));
        }
        if (user != null) {
            onlineAgainElsewhere(userId);
        }
    }

    /**
     * In a cluster, after an offline write: when the user has a socket on another node again, that node's
     * online write may have committed before this one, so the user is written online again. A node's online
     * write that commits after this check is the last one anyway.
     */
    private void onlineAgainElsewhere(String userId) {
        RedisBroker c = cluster;
        if (c == null) {
            return;
        }
        try {
            if (c.registry().connectionCount(userId) == 0) {
                return;
            }
        } catch (RuntimeException e) {
            c.countFailure("counting the sockets of " + userId, e);
            return;
        }
        Instant now = clock.instant();
        boolean[] back = {false};
        User user = users.update(
                userId,
                current -> {
                    if (current == null || current.online()) {
                        return current;
                    }
                    back[0] = true;
                    return current.toBuilder().online(true).lastActive(now).build();
                },
                null);
        if (back[0] && user != null) {
            events.publishIfHeard(
                    EventType.USER_PRESENCE_CHANGED.wireName(),
                    Audience.presenceOf(user.id()),
                    () -> Events.userEvent(EventType.USER_PRESENCE_CHANGED.wireName(), user, now));
        }
    }

    /** Closes one connection of this node with {@code code}; empty when it is not open here. */
    public Optional<Session> closeConnection(String connectionId, int code, String reason) {
        Optional<Session> s = registry.find(connectionId);
        s.ifPresent(x -> events.close(Audience.connection(connectionId), code, reason));
        return s;
    }

    /** Closes every socket of a user: an error frame that names why, then close 1000 so clients stop. */
    public void closeSessionsOf(String userId, ChatException why) {
        String reason = why.getMessage();
        events.disconnect(
                Audience.user(userId),
                Events.connectionError(why, clock.instant()),
                1000,
                reason == null ? "" : reason); // the close frame's reason: empty when the error has none
    }

    /** Marks users that a previous run left online as offline: no socket survives a restart. */
    private void resetStalePresence() {
        Filter online = Filter.parse(Json.object().put("online", true));
        for (int page = 0; page < 100_000; page++) {
            List<User> stale = store.queryUsers(new UserQuery(online, List.of(), UserQuery.MAX_LIMIT, 0, true));
            if (stale.isEmpty()) {
                return;
            }
            for (User u : stale) {
                users.update(
                        u.id(),
                        c -> c == null ? null : c.toBuilder().online(false).build(),
                        null);
            }
            log.info("marked {} users offline that were online when the server last stopped", stale.size());
        }
    }

    private void flushPeak() {
        try {
            ConnectionRegistry.DayPeak prev = registry.previousDayPeak();
            if (prev != null) {
                writer.recordPeak(prev.day(), prev.peak());
            }
            ConnectionRegistry.DayPeak p = todaysPeak();
            writer.recordPeak(p.day(), p.peak());
        } catch (RuntimeException e) {
            log.warn("could not record the peak of concurrent connections", e);
        }
    }

    /** Writes the day's peak, then waits for pending writes and closes the store. */
    @Override
    public void close() {
        timer.shutdownNow();
        linkEnrichment.close();
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("blocking work still running after 10 s at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushPeak();
        reminderScheduler.close();
        tasks.close();
        unreadReminders.close();
        imports.close();
        webhooks.close();
        push.close();
        chat.close();
        if (cluster != null) {
            cluster.close();
        }
        writer.close();
        store.close();
    }
}
