package dev.parley.server.push;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.config.AppSettings;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.hooks.WebhookDispatcher;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.PushStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push notifications of new messages (PROTOCOL.md §16). A send hands its message over ({@link #newMessage})
 * without waiting: the job joins a bounded queue ({@value #QUEUE_CAPACITY}; when full the job is dropped and
 * counted, a send is never slowed) that one thread ({@code parley-push}) works through. For each job it picks
 * the members to notify: not the author, not watching the channel (with {@code push_config.offline_only}: no
 * socket at all), not having muted the channel or the author, and whose preferences (channel over user, with
 * pauses) let the message through. Each of their devices gets one request to the provider it names (APNs,
 * Firebase); a webhook provider gets one signed POST per message naming the receivers. A device the provider
 * calls invalid is removed; a 429, 5xx or timeout is tried again {@value #ATTEMPTS} times in all.
 *
 * <p>In a cluster the node that stored the message sends its push: every message has exactly one.
 */
public final class PushService implements PushIntake, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);

    static final int QUEUE_CAPACITY = 10_000;

    /** Most requests to providers in flight at once. */
    static final int MAX_IN_FLIGHT = 256;

    static final int ATTEMPTS = 3;

    /** Most receivers of one message's push (a larger channel's members past it get none, and it is logged). */
    static final int MAX_RECEIVERS = 10_000;

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** What push reads of the rest of the node: who watches, who is online, users and messages. */
    public interface Peers {
        /** The users watching {@code cid} on any node. */
        Set<String> watching(String cid);

        /** Whether the user has a socket open on any node. */
        boolean online(String userId);

        /** The users of {@code ids} that exist, as their user objects. */
        Map<String, ObjectNode> users(List<String> ids);

        /** A stored message with its channel, for {@code /check_push}; null when there is none. */
        @Nullable
        Sample message(String messageId);
    }

    /** A message and its channel as the templates see them. */
    public record Sample(ObjectNode message, ObjectNode channel, String channelType) {}

    /**
     * A new message to push.
     *
     * @param candidates the users who may be notified (members, or a thread's participants), author excluded,
     *     and none who muted the channel or the author as far as the channel's roster tells
     * @param unread each candidate's unread messages and channels after this message, for the badge
     * @param mutesUnknown candidates the roster does not hold (past its bound, or a thread participant who left):
     *     their mutes are read from the store
     */
    public record NewMessage(
            String cid,
            String channelType,
            ObjectNode channel,
            ObjectNode message,
            ObjectNode sender,
            List<String> candidates,
            Map<String, int[]> unread,
            Set<String> mutesUnknown) {
        public NewMessage {
            requireNonNull(cid, "cid");
            requireNonNull(channelType, "channelType");
            candidates = List.copyOf(candidates);
            mutesUnknown = Set.copyOf(mutesUnknown);
        }
    }

    /** The enabled providers of one settings document, worked out once per document. */
    private record Enabled(AppSettings settings, List<PushConfig.Provider> providers) {}

    private volatile @Nullable Enabled enabled;

    private final PushStore store;
    private final ModerationStore moderation;
    private final Supplier<AppSettings> settings;
    private final Clock clock;
    private final Metrics metrics;
    private final Peers peers;
    private final SecretKeySpec key;
    private final String apiKey;
    private final PushHttp http;
    private final PushTemplates templates = new PushTemplates();
    private final ApnsSender apns;
    private final FcmSender fcm;
    private final BlockingQueue<NewMessage> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ExecutorService blocking = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-push-", 0).factory());
    private final Thread worker;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    public PushService(
            PushStore store,
            ModerationStore moderation,
            Supplier<AppSettings> settings,
            ServerConfig config,
            Clock clock,
            Metrics metrics,
            Peers peers) {
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.peers = requireNonNull(peers, "peers");
        this.key = new SecretKeySpec(config.apiSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.apiKey = config.apiKey();
        this.http = new PushHttp(config.pushCaFile());
        this.apns = new ApnsSender(http, clock, TIMEOUT);
        this.fcm = new FcmSender(http, clock, TIMEOUT);
        this.worker = Thread.ofPlatform().name("parley-push").daemon(true).unstarted(this::run);
        metrics.gauge("parley.push.queued", "new messages waiting for their push", () -> (double) queue.size());
    }

    public void start() {
        worker.start();
    }

    /** The templates, for checking a provider's before it is stored. */
    public PushTemplates templates() {
        return templates;
    }

    /** The enabled providers of the current settings. */
    private List<PushConfig.Provider> enabledProviders(AppSettings s) {
        Enabled e = enabled;
        if (e == null || e.settings() != s) {
            e = new Enabled(
                    s,
                    PushConfig.providers(s.doc()).stream()
                            .filter(PushConfig.Provider::enabled)
                            .toList());
            enabled = e;
        }
        return e.providers();
    }

    @Override
    public boolean wants(String channelType) {
        AppSettings s = settings.get();
        return !closed && !enabledProviders(s).isEmpty() && PushConfig.typePush(s.doc(), channelType);
    }

    /** Hands a new message over; never blocks. Nothing happens when no provider is set. */
    @Override
    public void newMessage(NewMessage m) {
        if (m.candidates().isEmpty() || !wants(m.channelType())) {
            return;
        }
        if (!queue.offer(m)) {
            dropped.incrementAndGet();
            metrics.push("all", "dropped");
        }
    }

    private void run() {
        while (!closed) {
            NewMessage m;
            try {
                m = queue.poll(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (m == null) {
                continue;
            }
            try {
                deliver(m);
            } catch (RuntimeException e) {
                log.warn("push: the push of a message in {} failed: {}", m.cid(), e.toString());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The receivers of a message: candidates that push may reach, by the rules of the class comment. */
    List<String> receivers(NewMessage m, AppSettings s) {
        Set<String> watching = peers.watching(m.cid());
        boolean offlineOnly = PushConfig.offlineOnly(s.doc());
        List<String> left = new ArrayList<>();
        for (String u : m.candidates()) {
            if (left.size() >= MAX_RECEIVERS) {
                log.warn("push: {} has more than {} receivers; the others get no push", m.cid(), MAX_RECEIVERS);
                break;
            }
            if (!watching.contains(u) && !(offlineOnly && peers.online(u))) {
                left.add(u);
            }
        }
        if (left.isEmpty()) {
            return left;
        }
        Instant now = clock.instant();
        Map<String, PushStore.Preference> own = new HashMap<>();
        Map<String, PushStore.Preference> channel = new HashMap<>();
        for (PushStore.Preference p : store.preferences(left, m.cid())) {
            (p.userLevel() ? own : channel).put(p.userId(), p);
        }
        Set<String> mentioned = new HashSet<>();
        m.message()
                .path("mentioned_users")
                .forEach(u -> mentioned.add(u.path("id").asText()));
        String author = m.sender().path("id").asText();
        List<String> out = new ArrayList<>();
        for (String u : left) {
            if (!allowed(own.get(u), channel.get(u), mentioned.contains(u), now)) {
                continue;
            }
            if (m.mutesUnknown().contains(u)
                    && (moderation.channelMutes(u, now).stream()
                                    .anyMatch(x -> x.cid().equals(m.cid()))
                            || moderation.userMutes(u, now).stream()
                                    .anyMatch(x -> x.targetId().equals(author)))) {
                continue;
            }
            out.add(u);
        }
        return out;
    }

    /** Whether a user's preferences let a message through: a pause of either level stops it, then the levels. */
    static boolean allowed(
            PushStore.@Nullable Preference user,
            PushStore.@Nullable Preference channel,
            boolean mentioned,
            Instant now) {
        for (PushStore.Preference p : new PushStore.Preference[] {user, channel}) {
            if (p != null && p.disabledUntil() != null && p.disabledUntil().isAfter(now)) {
                return false;
            }
        }
        String level = "all";
        if (user != null && user.chatLevel() != null && !user.chatLevel().equals("default")) {
            level = user.chatLevel();
        }
        if (channel != null
                && channel.chatLevel() != null
                && !channel.chatLevel().equals("default")) {
            level = channel.chatLevel();
        }
        return switch (level) {
            case "none" -> false;
            case "mentions", "direct_mentions", "all_mentions" -> mentioned;
            default -> true;
        };
    }

    private void deliver(NewMessage m) throws InterruptedException {
        AppSettings s = settings.get();
        List<PushConfig.Provider> providers = enabledProviders(s);
        if (providers.isEmpty() || !PushConfig.typePush(s.doc(), m.channelType())) {
            return;
        }
        List<String> receivers = receivers(m, s);
        if (receivers.isEmpty()) {
            return;
        }
        Map<String, List<DeviceRow>> devices = store.devices(receivers);
        Map<String, ObjectNode> users = peers.users(receivers);
        for (PushConfig.Provider p : providers) {
            if (p.type().equals("webhook")) {
                postWebhook(p, m, receivers, users, devices);
            }
        }
        for (String u : receivers) {
            for (DeviceRow d : devices.getOrDefault(u, List.of())) {
                PushConfig.Provider p = PushConfig.providerFor(providers, d.pushProvider(), d.pushProviderName());
                if (p == null) {
                    metrics.push(d.pushProvider(), "no_provider");
                    continue;
                }
                ObjectNode context = context(
                        m,
                        users.getOrDefault(u, Json.object().put("id", u)),
                        m.unread().get(u));
                Request r;
                try {
                    r = request(p, d, context, null, null, null);
                } catch (ChatException e) {
                    metrics.push(p.type(), "failed");
                    failed.incrementAndGet();
                    log.warn("push: provider {}/{}: {}", p.type(), p.name(), e.getMessage());
                    continue;
                }
                inFlight.acquire();
                attempt(p, d, r).whenComplete((o, e) -> inFlight.release());
            }
        }
    }

    /** One rendered request: what goes to the provider for one device. */
    record Request(
            ObjectNode body,
            @Nullable ObjectNode notification,
            @Nullable ObjectNode data) {}

    private Request request(
            PushConfig.Provider p,
            DeviceRow d,
            ObjectNode context,
            @Nullable String apnTemplate,
            @Nullable String firebaseTemplate,
            @Nullable String firebaseDataTemplate) {
        if (p.type().equals("apn")) {
            String t = apnTemplate != null
                    ? apnTemplate
                    : or(p.text("apn_notification_template"), PushTemplates.DEFAULT_APN);
            return new Request(templates.render(t, context), null, null);
        }
        ObjectNode n = templates.render(
                firebaseTemplate != null
                        ? firebaseTemplate
                        : or(p.text("firebase_notification_template"), PushTemplates.DEFAULT_FIREBASE_NOTIFICATION),
                context);
        ObjectNode data = templates.render(
                firebaseDataTemplate != null
                        ? firebaseDataTemplate
                        : or(p.text("firebase_data_template"), PushTemplates.DEFAULT_FIREBASE_DATA),
                context);
        String apn = p.text("firebase_apn_template");
        ObjectNode apnPayload = apn.isEmpty() ? null : templates.render(apn, context);
        return new Request(FcmSender.message(d.id(), n, data, apnPayload), n, data);
    }

    private static String or(String s, String otherwise) {
        return s.isEmpty() ? otherwise : s;
    }

    private CompletableFuture<Outcome> attempt(PushConfig.Provider p, DeviceRow d, Request r) {
        return retrying(
                        p.type(),
                        n -> p.type().equals("apn") ? apns.send(p, d.id(), r.body()) : fcm.send(p, d.id(), r.body()),
                        1)
                .thenApply(o -> {
                    record(p, d, o);
                    return o;
                });
    }

    /**
     * Runs {@code call} (given the attempt's number) until it answers something other than {@link Outcome.Kind#RETRY},
     * {@value #ATTEMPTS} times at most, waiting 1 s, then 2 s, between attempts; an exception counts as a retry.
     */
    private CompletableFuture<Outcome> retrying(
            String provider, java.util.function.IntFunction<CompletableFuture<Outcome>> call, int n) {
        return call.apply(n).exceptionally(PushService::unanswered).thenCompose(o -> {
            if (o.kind() == Outcome.Kind.RETRY && n < ATTEMPTS && !closed) {
                metrics.push(provider, "retry");
                Executor later = CompletableFuture.delayedExecutor(n, TimeUnit.SECONDS, blocking);
                return CompletableFuture.supplyAsync(() -> null, later)
                        .thenCompose(x -> retrying(provider, call, n + 1));
            }
            return CompletableFuture.completedFuture(o);
        });
    }

    /** A request that got no answer (a timeout, a refused connection): worth another attempt. */
    static Outcome unanswered(Throwable e) {
        return new Outcome(
                Outcome.Kind.RETRY, Outcome.shorten(String.valueOf(e.getCause() != null ? e.getCause() : e)));
    }

    private void record(PushConfig.Provider p, DeviceRow d, Outcome o) {
        switch (o.kind()) {
            case SENT -> {
                sent.incrementAndGet();
                metrics.push(p.type(), "sent");
            }
            case INVALID_DEVICE -> {
                metrics.push(p.type(), "invalid_device");
                log.info(
                        "push: {} says device {} of {} is invalid ({}); removed",
                        p.type(),
                        d.id(),
                        d.userId(),
                        o.detail());
                blocking.execute(() -> {
                    try {
                        store.deleteDevice(d.id());
                    } catch (RuntimeException e) {
                        log.warn("push: could not remove device {}: {}", d.id(), e.toString());
                    }
                });
            }
            default -> {
                failed.incrementAndGet();
                metrics.push(p.type(), "failed");
                log.warn("push: {}/{} to a device of {}: {}", p.type(), p.name(), d.userId(), o.detail());
            }
        }
    }

    /** The templates' context for one receiver. */
    static ObjectNode context(NewMessage m, ObjectNode receiver, int @Nullable [] unread) {
        ObjectNode c = Json.object();
        c.put("event_type", "message.new");
        ObjectNode sender = m.sender().deepCopy();
        if (sender.path("name").asText("").isEmpty()) {
            sender.put("name", sender.path("id").asText());
        }
        c.set("sender", sender);
        c.set("receiver", receiver);
        c.set("user", receiver);
        c.set("channel", m.channel());
        c.set("message", m.message());
        c.put("unread_count", unread == null ? 0 : unread[0]);
        c.put("unread_channels", unread == null ? 0 : unread[1]);
        c.putArray("members");
        c.putArray("otherMembers");
        return c;
    }

    /** A webhook provider's POST of one message: the event, and who is to be notified with their devices. */
    private void postWebhook(
            PushConfig.Provider p,
            NewMessage m,
            List<String> receivers,
            Map<String, ObjectNode> users,
            Map<String, List<DeviceRow>> devices)
            throws InterruptedException {
        ObjectNode body = Json.object();
        body.put("type", "push.message.new");
        body.put("cid", m.cid());
        body.set("channel", m.channel());
        body.set("message", m.message());
        body.set("user", m.sender());
        ArrayNode list = body.putArray("receivers");
        for (String u : receivers) {
            ObjectNode r = list.addObject();
            r.set("user", users.getOrDefault(u, Json.object().put("id", u)));
            int[] unread = m.unread().get(u);
            r.put("unread_count", unread == null ? 0 : unread[0]);
            ArrayNode ds = r.putArray("devices");
            for (DeviceRow d : devices.getOrDefault(u, List.of())) {
                ds.addObject()
                        .put("id", d.id())
                        .put("push_provider", d.pushProvider())
                        .put("push_provider_name", d.pushProviderName() == null ? "" : d.pushProviderName());
            }
        }
        body.put("created_at", dev.parley.protocol.Timestamps.format(clock.instant()));
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        inFlight.acquire();
        webhookPost(p, bytes, id).whenComplete((o, e) -> inFlight.release());
    }

    private CompletableFuture<Outcome> webhookPost(PushConfig.Provider p, byte[] body, String id) {
        return retrying(
                        "webhook",
                        n -> {
                            Map<String, String> headers = new LinkedHashMap<>();
                            headers.put("content-type", "application/json");
                            headers.put("user-agent", "parley-push");
                            headers.put("x-api-key", apiKey);
                            headers.put("x-signature", WebhookDispatcher.sign(key, body));
                            headers.put("x-webhook-id", id);
                            headers.put("x-webhook-attempt", String.valueOf(n));
                            return http.post(URI.create(p.text("webhook_url")), headers, body, TIMEOUT)
                                    .thenApply(a -> a.status() / 100 == 2
                                            ? Outcome.SENT
                                            : Outcome.of(a.status(), a.body(), false));
                        },
                        1)
                .thenApply(o -> {
                    if (o.kind() == Outcome.Kind.SENT) {
                        sent.incrementAndGet();
                        metrics.push("webhook", "sent");
                    } else {
                        failed.incrementAndGet();
                        metrics.push("webhook", "failed");
                        log.warn("push: webhook provider {}: {}", p.name(), o.detail());
                    }
                    return o;
                });
    }

    // ---- /check_push ----

    /**
     * {@code POST /check_push}: renders the templates for a user and a message (a stored one, or a sample) and,
     * unless {@code skip_devices}, sends them to the user's devices, answering each device's error.
     */
    public ObjectNode check(ObjectNode body) {
        String userId = body.path("user_id").asText("");
        if (userId.isEmpty()) {
            throw ChatException.input("CheckPush failed with error: \"user_id is required\"");
        }
        Map<String, ObjectNode> found = peers.users(List.of(userId));
        ObjectNode receiver = found.get(userId);
        if (receiver == null) {
            throw ChatException.notFound("CheckPush failed with error: \"user '" + userId + "' does not exist\"");
        }
        String apnTemplate = text(body, "apn_template");
        String firebaseTemplate = text(body, "firebase_template");
        String firebaseData = text(body, "firebase_data_template");
        Map<String, String> asked = new LinkedHashMap<>();
        if (apnTemplate != null) {
            asked.put("apn_template", apnTemplate);
        }
        if (firebaseTemplate != null) {
            asked.put("firebase_template", firebaseTemplate);
        }
        if (firebaseData != null) {
            asked.put("firebase_data_template", firebaseData);
        }
        asked.forEach(templates::check);
        String wantedType = text(body, "push_provider_type");
        String wantedName = text(body, "push_provider_name");
        boolean skip = body.path("skip_devices").asBoolean(false);
        Sample sample = sample(text(body, "message_id"));
        ObjectNode sender = sample.message().path("user") instanceof ObjectNode u
                ? u
                : Json.object().put("id", userId);
        NewMessage m = new NewMessage(
                sample.channel().path("cid").asText(),
                sample.channelType(),
                sample.channel(),
                sample.message(),
                sender,
                List.of(userId),
                Map.of(),
                Set.of());
        ObjectNode context = context(m, receiver, null);
        List<PushConfig.Provider> providers = PushConfig.providers(
                        settings.get().doc())
                .stream()
                .filter(PushConfig.Provider::enabled)
                .filter(p -> wantedType == null || p.type().equals(wantedType))
                .filter(p -> wantedName == null || p.name().equals(wantedName))
                .toList();
        ObjectNode out = Json.object();
        ArrayNode general = Json.array();
        if (providers.isEmpty()) {
            general.add("no enabled push provider"
                    + (wantedType == null && wantedName == null ? "" : " matches the type and name asked for"));
        }
        DeviceRow probe = new DeviceRow("check-push", userId, "apn", null, clock.instant());
        for (PushConfig.Provider p : providers) {
            try {
                if (p.type().equals("apn") && !out.has("rendered_apn_template")) {
                    out.put(
                            "rendered_apn_template",
                            Json.write(request(p, probe, context, apnTemplate, null, null)
                                    .body()));
                } else if (p.type().equals("firebase") && !out.has("rendered_firebase_template")) {
                    Request r = request(p, probe, context, null, firebaseTemplate, firebaseData);
                    out.put("rendered_firebase_template", Json.write(requireNonNull(r.notification(), "notification")));
                    ObjectNode rendered = out.putObject("rendered_message");
                    r.body()
                            .path("message")
                            .path("data")
                            .properties()
                            .forEach(e -> rendered.set(e.getKey(), e.getValue()));
                }
            } catch (ChatException e) {
                general.add(p.type() + " provider " + p.name() + ": " + e.getMessage());
            }
        }
        out.put("skip_devices", skip);
        ObjectNode deviceErrors = out.putObject("device_errors");
        if (!skip) {
            List<DeviceRow> mine = store.devices(List.of(userId)).getOrDefault(userId, List.of());
            if (mine.isEmpty()) {
                general.add("user '" + userId + "' has no devices");
            }
            Map<String, CompletableFuture<Outcome>> sending = new LinkedHashMap<>();
            Map<String, PushConfig.Provider> used = new HashMap<>();
            for (DeviceRow d : mine) {
                PushConfig.Provider p = PushConfig.providerFor(providers, d.pushProvider(), d.pushProviderName());
                if (p == null) {
                    deviceErrors
                            .putObject(d.id())
                            .put("provider", d.pushProvider())
                            .put("provider_name", d.pushProviderName() == null ? "" : d.pushProviderName())
                            .put(
                                    "error_message",
                                    "no enabled " + d.pushProvider() + " provider"
                                            + (d.pushProviderName() == null ? "" : " named " + d.pushProviderName()));
                    continue;
                }
                used.put(d.id(), p);
                try {
                    Request r = request(p, d, context, apnTemplate, firebaseTemplate, firebaseData);
                    CompletableFuture<Outcome> f =
                            p.type().equals("apn") ? apns.send(p, d.id(), r.body()) : fcm.send(p, d.id(), r.body());
                    sending.put(d.id(), f.exceptionally(PushService::unanswered));
                } catch (ChatException e) {
                    sending.put(
                            d.id(),
                            CompletableFuture.completedFuture(
                                    new Outcome(Outcome.Kind.FAILED, String.valueOf(e.getMessage()))));
                }
            }
            for (DeviceRow d : mine) {
                CompletableFuture<Outcome> f = sending.get(d.id());
                if (f == null) {
                    continue;
                }
                Outcome o;
                try {
                    o = f.get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ChatException.input("CheckPush was interrupted");
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    o = new Outcome(Outcome.Kind.FAILED, "no answer");
                }
                PushConfig.Provider p = requireNonNull(used.get(d.id()), "provider");
                record(p, d, o);
                if (o.kind() != Outcome.Kind.SENT) {
                    deviceErrors
                            .putObject(d.id())
                            .put("provider", p.type())
                            .put("provider_name", p.name())
                            .put(
                                    "error_message",
                                    (o.kind() == Outcome.Kind.INVALID_DEVICE ? "invalid device, removed: " : "")
                                            + o.detail());
                }
            }
        }
        out.set("general_errors", general);
        return out;
    }

    private Sample sample(@Nullable String messageId) {
        if (messageId != null) {
            Sample s = peers.message(messageId);
            if (s == null) {
                throw ChatException.notFound(
                        "CheckPush failed with error: \"message '" + messageId + "' does not exist\"");
            }
            return s;
        }
        ObjectNode channel = Json.object()
                .put("type", "messaging")
                .put("id", "check-push")
                .put("cid", "messaging:check-push")
                .put("name", "Check push");
        ObjectNode message = Json.object()
                .put("id", "check-push")
                .put("text", "This is a test push notification")
                .put("type", "regular");
        return new Sample(message, channel, "messaging");
    }

    private static @Nullable String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        if (!v.isTextual()) {
            throw ChatException.input("CheckPush failed with error: \"" + field + " must be a string\"");
        }
        return v.asText();
    }

    /** Pushes sent (provider took them) since the start. */
    public long sentCount() {
        return sent.get();
    }

    public long failedCount() {
        return failed.get();
    }

    public long droppedCount() {
        return dropped.get();
    }

    /** Stops taking jobs; requests in flight are abandoned. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        http.close();
        blocking.shutdownNow();
    }
}
