package dev.parley.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.parley.server.events.Audience;
import dev.parley.server.events.Broker;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.Frames;
import dev.parley.server.events.LocalBroker;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.usage.ConnectionRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of a node in a cluster (docs/PROTOCOL.md §8.5): delivers every event to this node's connections
 * through {@link LocalBroker}, as one node alone does, and publishes it to the other nodes through Redis sharded
 * pub/sub, encoded once ({@link Envelope}). Each node subscribes only to what its connections need:
 *
 * <ul>
 *   <li>{@code parley:c:<cid>} while a connection of this node watches the channel;
 *   <li>{@code parley:u:<user>} while the user has a connection on this node;
 *   <li>{@code parley:p:<user>} while a connection of this node follows the user's presence, or the user has a
 *       connection here (presence events go to a user's own connections too);
 *   <li>{@code parley:all}, always: events for one connection by id, whose node the sender does not know, and
 *       the cluster's control messages ({@link #broadcast});
 *   <li>{@code parley:n:<node>}, always: requests to this node and answers to its own ({@link #request}).
 * </ul>
 *
 * <p>A subscription is in place before the watch, presence query or connect that needs it returns (a bounded
 * wait), so an event published after that reaches the connection. Redis pub/sub delivers at most once: an event
 * published while a node's link to Redis is down does not reach that node's connections (they recover by
 * querying their channels when they reconnect). Commands wait in a bounded queue while Redis is away; sends
 * and every other request keep working, PostgreSQL being the truth. Thread-safe.
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    /** Commands queued while Redis is unreachable; past it, publishes fail at once (and are logged). */
    static final int REQUEST_QUEUE = 65_536;

    /** How long a watch, a presence query or a connect waits for its subscription. */
    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);

    private static final String PREFIX = "parley:";
    private static final String ALL = PREFIX + "all";
    private static final String CONTROL_TYPE = "parley.control";
    private static final String REQUEST_TYPE = "parley.request";
    private static final String REPLY_TYPE = "parley.reply";
    /** Requests to other nodes waiting for their answer; past it a request fails at once. */
    static final int MAX_PENDING = 10_000;
    /** How often the positions of the channels watched here are compared with the store's. */
    static final Duration POSITION_CHECK = Duration.ofSeconds(5);

    /** How long a request to another node waits for its answer. */
    static final Duration REQUEST_WAIT = Duration.ofSeconds(3);

    private static final int STRIPES = 256;

    private final String node;
    private final LocalBroker local;
    private final ChannelHub watchers;
    private final PresenceHub presence;
    private final ConnectionRegistry sockets;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> pub;
    private final StatefulRedisPubSubConnection<String, byte[]> sub;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Object[] stripes = new Object[STRIPES];
    private final AtomicLong failures = new AtomicLong();
    private volatile Consumer<String> control = message -> {};
    private volatile Runnable reconnected = () -> {};
    private volatile Function<String, CompletableFuture<@Nullable String>> requests =
            request -> CompletableFuture.completedFuture(null);
    private final Map<String, CompletableFuture<Optional<String>>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private final ClusterRegistry cluster;
    private final Function<Collection<String>, Map<String, Long>> latestSeqs;
    private final java.util.concurrent.ExecutorService fills = java.util.concurrent.Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-cluster-fill-", 0).factory());
    private final Sequencer sequencer;
    private final java.util.concurrent.ScheduledExecutorService checks =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("parley-cluster-positions")
                    .daemon(true)
                    .factory());
    /** For tests: incoming channel envelopes to lose, as Redis would for a slow or reconnecting subscriber. */
    private final java.util.concurrent.atomic.AtomicInteger toLose = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Connects to Redis and subscribes to {@code parley:all}.
     *
     * @throws IllegalStateException when Redis cannot be reached, naming its URL without a password
     */
    public RedisBroker(
            String redisUrl,
            String nodeId,
            LocalBroker local,
            ChannelHub watchers,
            PresenceHub presence,
            ConnectionRegistry sockets,
            Sequencer.Store events,
            Function<Collection<String>, Map<String, Long>> latestSeqs) {
        this.latestSeqs = requireNonNull(latestSeqs, "latestSeqs");
        this.sequencer = new Sequencer(events, fills, this::deliverFilled, this::fellBehind);
        this.node = requireNonNull(nodeId, "nodeId");
        this.local = requireNonNull(local, "local");
        this.watchers = requireNonNull(watchers, "watchers");
        this.presence = requireNonNull(presence, "presence");
        this.sockets = requireNonNull(sockets, "sockets");
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        RedisURI uri = RedisURI.create(requireNonNull(redisUrl, "redisUrl"));
        uri.setTimeout(SUBSCRIBE_WAIT);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(SUBSCRIBE_WAIT))
                .build());
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        StatefulRedisConnection<String, byte[]> p = null;
        try {
            p = client.connect(codec);
            this.pub = p;
            this.sub = client.connectPubSub(codec);
        } catch (RuntimeException e) {
            if (p != null) {
                p.close();
            }
            client.shutdown();
            throw new IllegalStateException(
                    "cannot reach Redis at " + redisUrl.replaceAll("//[^@/]*@", "//***@") + ": " + e.getMessage(), e);
        }
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String topic, byte[] message) {
                receive(message);
            }
        });
        try {
            this.cluster = new ClusterRegistry(client, nodeId, java.time.Clock.systemUTC());
        } catch (RuntimeException e) {
            sub.close();
            pub.close();
            client.shutdown();
            throw e;
        }
        refresh(ALL, () -> true);
        refresh(PREFIX + "n:" + node, () -> true);
        watchers.onChange(this::channelChanged);
        watchers.inCluster(cluster);
        cluster.onReassertWatches(watchers::localWatches);
        checks.scheduleWithFixedDelay(
                this::checkPositions, POSITION_CHECK.toMillis(), POSITION_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(
                    io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                // After a reconnect whatever was published meanwhile is lost for this node: look for it.
                fills.execute(RedisBroker.this::checkPositions);
                reconnected.run();
            }
        });
        sockets.onChange(this::userChanged);
        presence.onChange(this::presenceChanged);
    }

    /** The cluster's sockets and nodes. */
    public ClusterRegistry registry() {
        return cluster;
    }

    /** This node's id, as its envelopes carry it. */
    public String nodeId() {
        return node;
    }

    /**
     * Runs {@code handler} each time a connection to Redis is made again (on a Redis thread, must not block):
     * the other nodes' messages published while it was away are lost.
     */
    public void onReconnect(Runnable handler) {
        reconnected = requireNonNull(handler, "handler");
    }

    /** Runs {@code handler} with each control message another node {@link #broadcast}s (on a Redis thread). */
    public void onControl(Consumer<String> handler) {
        control = requireNonNull(handler, "handler");
    }

    /**
     * Answers requests other nodes send this one ({@link #request}): {@code handler} runs the request's text
     * and completes with its answer, null for "not done". It is called on a Redis thread and must not block.
     */
    public void onRequest(Function<String, CompletableFuture<@Nullable String>> handler) {
        requests = requireNonNull(handler, "handler");
    }

    /**
     * Asks node {@code nodeId} to do something for a connection it holds (watch a channel for it, for example)
     * and waits up to {@link #REQUEST_WAIT} for its answer; false when it said no, did not answer, or too many
     * requests are waiting.
     */
    public boolean request(String nodeId, String text) {
        return ask(nodeId, text).isPresent();
    }

    /**
     * Asks node {@code nodeId} and returns its answer (its list of connections, for example); empty when it
     * said no, did not answer within {@link #REQUEST_WAIT}, or too many requests are waiting.
     */
    public Optional<String> ask(String nodeId, String text) {
        if (pending.size() >= MAX_PENDING) {
            failed("request to " + nodeId, new IllegalStateException(MAX_PENDING + " requests waiting"));
            return Optional.empty();
        }
        String id = node + "#" + requestIds.incrementAndGet();
        CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            send(PREFIX + "n:" + nodeId, control(REQUEST_TYPE, id + "\n" + text));
            return answer.get(REQUEST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            failed("request to " + nodeId, e);
            return Optional.empty();
        } finally {
            pending.remove(id);
        }
    }

    private byte[] control(String type, String text) {
        Frames frames =
                new Frames(io.netty.buffer.Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)), Map.of());
        return Envelope.encode(node, Envelope.Kind.CONTROL, type, Audience.connection("*"), frames, 0);
    }

    /** Runs another node's request and sends the answer: its id, then "+" and the answer, or "-". */
    private void answer(String origin, String text) {
        int cut = text.indexOf('\n');
        if (cut < 0) {
            return;
        }
        String id = text.substring(0, cut);
        CompletableFuture<@Nullable String> done;
        try {
            done = requests.apply(text.substring(cut + 1));
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((result, e) -> send(
                PREFIX + "n:" + origin,
                control(REPLY_TYPE, id + "\n" + (e == null && result != null ? "+" + result : "-"))));
    }

    private void answered(String text) {
        int cut = text.indexOf('\n');
        if (cut > 0 && cut + 1 < text.length()) {
            CompletableFuture<Optional<String>> waiting = pending.get(text.substring(0, cut));
            if (waiting != null) {
                waiting.complete(text.charAt(cut + 1) == '+' ? Optional.of(text.substring(cut + 2)) : Optional.empty());
            }
        }
    }

    /** Sends a control message to every other node (for example: the app settings changed). */
    public void broadcast(String message) {
        send(ALL, control(CONTROL_TYPE, message));
    }

    @Override
    public void publish(Delivery delivery) {
        try {
            forEachTopic(
                    delivery.audience(),
                    delivery.frames(),
                    (topic, audience, frames) -> send(
                            topic,
                            Envelope.encode(
                                    node, Envelope.Kind.EVENT, delivery.type(), audience, frames, 0, delivery.seq())));
        } finally {
            deliverHere(delivery);
        }
    }

    /** Delivers to this node's connections; a channel's stored events in sequence order ({@link Sequencer}). */
    private void deliverHere(Delivery delivery) {
        if (delivery.seq() > 0 && delivery.audience() instanceof Audience.Watchers w) {
            sequencer.offer(w.cid(), delivery.seq(), () -> local.publish(delivery), delivery.frames()::release);
        } else {
            local.publish(delivery);
        }
    }

    @Override
    public void disconnect(Audience audience, @Nullable Frames frames, int code, String reason) {
        try {
            forEachTopic(
                    audience,
                    frames,
                    (topic, a, f) -> send(topic, Envelope.encode(node, Envelope.Kind.DISCONNECT, reason, a, f, code)));
        } finally {
            local.disconnect(audience, frames, code, reason);
        }
    }

    private interface TopicSink {
        void accept(String topic, Audience audience, @Nullable Frames frames);
    }

    /** The topics that carry an audience to the other nodes, each with the part of it that topic's nodes need. */
    private static void forEachTopic(Audience audience, @Nullable Frames frames, TopicSink sink) {
        switch (audience) {
            case Audience.Watchers w -> sink.accept(PREFIX + "c:" + w.cid(), w, frames);
            case Audience.Users u -> {
                for (String user : u.userIds()) {
                    Frames mine = frames == null ? null : new Frames(frames.frameOf(user), Map.of());
                    sink.accept(
                            PREFIX + "u:" + user,
                            new Audience.Users(java.util.List.of(user), u.unlessWatching()),
                            mine);
                }
            }
            case Audience.PresenceOf p -> sink.accept(PREFIX + "p:" + p.userId(), p, frames);
            case Audience.Connection c -> sink.accept(ALL, c, frames);
        }
    }

    private void send(String topic, byte[] envelope) {
        RedisFuture<Long> f;
        try {
            f = pub.async().spublish(topic, envelope);
        } catch (RedisException e) {
            failed("publish to " + topic, e);
            return;
        }
        f.whenComplete((n, e) -> {
            if (e != null) {
                failed("publish to " + topic, e);
            }
        });
    }

    private void receive(byte[] message) {
        Envelope e;
        try {
            e = Envelope.decode(message);
        } catch (IllegalArgumentException bad) {
            log.warn("cluster: dropped an envelope that does not decode: {}", bad.getMessage());
            return;
        }
        Frames frames = e.frames();
        if (e.origin().equals(node)) {
            if (frames != null) {
                frames.release();
            }
            return;
        }
        try {
            if (e.kind() == Envelope.Kind.CONTROL) {
                String text = frames == null ? "" : frames.common().toString(StandardCharsets.UTF_8);
                if (frames != null) {
                    frames.release();
                }
                switch (e.type()) {
                    case CONTROL_TYPE -> control.accept(text);
                    case REQUEST_TYPE -> answer(e.origin(), text);
                    case REPLY_TYPE -> answered(text);
                    default -> log.warn("cluster: unknown control type {} from node {}", e.type(), e.origin());
                }
                return;
            }
            switch (e.kind()) {
                case EVENT -> {
                    if (frames != null) {
                        if (e.seq() > 0 && e.audience() instanceof Audience.Watchers && lose()) {
                            frames.release();
                            return;
                        }
                        deliverHere(new Delivery(e.type(), e.audience(), frames, e.seq()));
                    }
                }
                case DISCONNECT -> local.disconnect(e.audience(), frames, e.code(), e.type());
                case CONTROL -> throw new IllegalStateException("handled above");
            }
        } catch (RuntimeException failure) {
            log.warn("cluster: delivering an event from node {} failed", e.origin(), failure);
        }
    }

    private void channelChanged(String cid) {
        // Under the topic's lock, so that a stop racing with a start cannot end the position the start began.
        refresh(PREFIX + "c:" + cid, () -> watchers.localWatcherCount(cid) > 0, change -> followChanged(cid, change));
    }

    private void followChanged(String cid, int change) {
        if (change > 0) {
            // Subscribed first, then the position read: what is published from here on is above it or filled.
            Long latest = null;
            try {
                latest = latestSeqs.apply(java.util.List.of(cid)).get(cid);
            } catch (RuntimeException e) {
                log.warn("cluster: cannot read the position of {}: {}", cid, e.toString());
            }
            sequencer.start(cid, latest == null ? 0 : latest);
            log.debug("following {} from {}", cid, latest);
        } else if (change < 0) {
            log.debug("no longer following {}", cid);
            sequencer.stop(cid);
        }
    }

    /** Compares the positions of the channels watched here with the store's and fills what is missing. */
    private void checkPositions() {
        try {
            Map<String, Long> mine = sequencer.positions();
            java.util.List<String> cids = new java.util.ArrayList<>(mine.keySet());
            for (int from = 0; from < cids.size(); from += 500) {
                Map<String, Long> latest = latestSeqs.apply(cids.subList(from, Math.min(cids.size(), from + 500)));
                latest.forEach((cid, seq) -> {
                    Long have = mine.get(cid);
                    if (have != null && seq > have) {
                        sequencer.catchUp(cid, seq);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("cluster: checking channel positions failed: {}", e.toString());
        }
    }

    /** A stored event a fill read: to this node's watchers of its channel, as it was stored (no per-user counters). */
    private void deliverFilled(Sequencer.StoredEventDelivery d) {
        Frames frames =
                new Frames(io.netty.buffer.Unpooled.wrappedBuffer(d.event().json()), Map.of());
        local.publish(new Delivery(
                d.event().type(), Audience.watchers(d.cid()), frames, d.event().seq()));
    }

    /** Closes this node's watchers of a channel that fell too far behind: they reconnect and query it again. */
    private void fellBehind(String cid) {
        local.disconnect(Audience.watchers(cid), null, 1012, "fell behind the channel's events; reconnect");
    }

    private boolean lose() {
        return toLose.get() > 0 && toLose.getAndDecrement() > 0;
    }

    /** For tests: the next {@code n} channel envelopes from other nodes are lost. */
    void loseIncoming(int n) {
        toLose.addAndGet(n);
    }

    /** For tests: the last sequence number delivered of a channel watched here, or null. */
    @Nullable
    Long position(String cid) {
        return sequencer.last(cid);
    }

    private void userChanged(String user) {
        refresh(PREFIX + "u:" + user, () -> sockets.connectionCount(user) > 0);
        presenceChanged(user);
    }

    private void presenceChanged(String user) {
        refresh(
                PREFIX + "p:" + user,
                () -> sockets.connectionCount(user) > 0
                        || !presence.subscribersOf(user).isEmpty());
    }

    /**
     * Subscribes to {@code topic} when {@code wanted} holds and unsubscribes when it no longer does. The
     * condition is read under the topic's lock, so concurrent changes end in the state the last one saw.
     */
    private void refresh(String topic, BooleanSupplier wanted) {
        refresh(topic, wanted, change -> {});
    }

    /** As {@link #refresh(String, BooleanSupplier)}, then {@code then} with 1 (subscribed), -1 or 0, still locked. */
    private void refresh(String topic, BooleanSupplier wanted, java.util.function.IntConsumer then) {
        synchronized (stripes[(topic.hashCode() & 0x7fffffff) % STRIPES]) {
            int change = 0;
            try {
                if (wanted.getAsBoolean()) {
                    if (subscribed.add(topic)) {
                        await(sub.async().ssubscribe(topic), "subscribe to " + topic);
                        log.debug("subscribed to {}", topic);
                        change = 1;
                    }
                } else if (subscribed.remove(topic)) {
                    log.debug("unsubscribing from {}", topic);
                    sub.async().sunsubscribe(topic).whenComplete((v, e) -> {
                        if (e != null) {
                            failed("unsubscribe from " + topic, e);
                        }
                    });
                    change = -1;
                }
            } catch (RedisException e) { // the connection is closed: the node is stopping
                failed("subscription change of " + topic, e);
            }
            then.accept(change);
        }
    }

    private void await(RedisFuture<Void> f, String what) {
        try {
            f.get(SUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The command stays queued: lettuce sends it when Redis is back and resubscribes after a reconnect.
            failed(what, e);
        }
    }

    private void failed(String what, Throwable e) {
        long n = failures.incrementAndGet();
        if (n == 1 || Long.bitCount(n) == 1) {
            log.warn("cluster: {} failed ({} failures so far): {}", what, n, e.toString());
        }
    }

    /** Whether both links to Redis are up (publishing and subscribing). */
    public boolean connected() {
        return pub.isOpen() && sub.isOpen();
    }

    /** Counts a failed Redis call made elsewhere for this node (the registry's, by the connect path). */
    public void countFailure(String what, Throwable e) {
        failed(what, e);
    }

    /** Redis commands that failed since start (publishes, subscriptions, the registry's scripts). */
    public long failures() {
        return failures.get() + cluster.failures();
    }

    /** Whether this node is subscribed to a topic; for tests. */
    boolean subscribedTo(String topic) {
        return subscribed.contains(PREFIX + topic);
    }

    @Override
    public void close() {
        checks.shutdownNow();
        fills.shutdownNow();
        try {
            cluster.close();
            sub.close();
            pub.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
