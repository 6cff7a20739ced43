package dev.parley.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The client side of a benchmark in one process: a Netty event loop that opens sockets to one target
 * from a rotating set of loopback source addresses, the counters and histograms they fill, and the REST
 * calls of the Stream dialect (watch a channel, send a message), which go through {@code java.net.http}.
 */
public final class Generator implements AutoCloseable {
    final Dialect dialect;
    final int heartbeatSeconds;
    final Predicate<LoadClient> slow;
    private final String host;
    private final int port;
    private final List<String> sources;
    private final AtomicInteger nextSource = new AtomicInteger();
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final HttpClient http;
    private final String apiKey;

    public final Histogram connectLatency = new Histogram();
    public final Histogram deliveryLatency = new Histogram();
    /** Heartbeat round trips of sockets that read (W1, W5). */
    public final Histogram heartbeatRtt = new Histogram();
    /** From the start of a flood to the server's close, for W5's slow consumers. */
    public final Histogram cutLatency = new Histogram();

    public final LongAdder connectsOk = new LongAdder();
    public final LongAdder connectsFailed = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder closedByServer = new LongAdder();
    /** Sockets the server closed, with the close code they got (-1: no close frame read). */
    public final Queue<int[]> closes = new ConcurrentLinkedQueue<>();

    public Generator(
            Dialect dialect,
            String host,
            int port,
            List<String> sources,
            String apiKey,
            int heartbeatSeconds,
            int threads,
            Predicate<LoadClient> slow) {
        this(dialect, host, port, sources, apiKey, heartbeatSeconds, threads, slow, 0);
    }

    /**
     * @param receiveBuffer the sockets' SO_RCVBUF in bytes, 0 for the kernel's; a small one makes a slow
     *     consumer's backlog reach the server's bound sooner (the smoke test)
     */
    public Generator(
            Dialect dialect,
            String host,
            int port,
            List<String> sources,
            String apiKey,
            int heartbeatSeconds,
            int threads,
            Predicate<LoadClient> slow,
            int receiveBuffer) {
        if (!host.startsWith("127.") && !host.equals("localhost")) {
            throw new IllegalArgumentException("host: " + host + " (expected: a loopback address)");
        }
        this.dialect = dialect;
        this.host = host;
        this.port = port;
        this.sources = List.copyOf(sources);
        this.apiKey = apiKey;
        this.heartbeatSeconds = heartbeatSeconds;
        this.slow = slow;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(
                threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        if (receiveBuffer > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Forgets what was measured so far (after a warm-up). */
    public void resetStats() {
        connectLatency.reset();
        deliveryLatency.reset();
        heartbeatRtt.reset();
        cutLatency.reset();
        connectsOk.reset();
        connectsFailed.reset();
        delivered.reset();
        closedByServer.reset();
        closes.clear();
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** Opens one socket for {@code userId}; the future completes when the server accepted it. */
    public CompletableFuture<LoadClient> connect(String userId, String token) {
        URI uri = URI.create("ws://" + host + ":" + port + dialect.socketPath(userId, token));
        var handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20);
        LoadClient client = new LoadClient(this, handshaker, userId, token);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), client);
            }
        });
        InetSocketAddress local = sources.isEmpty()
                ? null
                : new InetSocketAddress(sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size())), 0);
        ChannelFuture f = local == null ? b.connect(host, port) : b.connect(new InetSocketAddress(host, port), local);
        f.addListener(done -> {
            if (!done.isSuccess() && !client.ready.isDone()) {
                connectsFailed.increment();
                client.ready.completeExceptionally(done.cause());
            }
        });
        return client.ready;
    }

    void onClosed(LoadClient c) {
        closedByServer.increment();
        closes.add(new int[] {c.closeCode()});
    }

    /** Watches a channel as {@code client}: {@code POST /channels/{type}/{id}/query} or a subscribe command. */
    public CompletableFuture<Void> watch(LoadClient client, String type, String id, List<String> members) {
        String frame = dialect.subscribeFrame(type + ":" + id, 0);
        if (frame != null) {
            return client.command(seq -> dialect.subscribeFrame(type + ":" + id, seq))
                    .thenApply(r -> {
                        if (r.contains("\"error\"")) {
                            throw new IllegalStateException("subscribe refused: " + r);
                        }
                        return null;
                    });
        }
        StringBuilder m = new StringBuilder();
        for (String member : members) {
            m.append(m.isEmpty() ? "" : ",").append('"').append(member).append('"');
        }
        String body = "{\"watch\":true,\"state\":true,\"data\":{\"members\":[" + m + "]}}";
        return post(client, "/channels/" + type + "/" + id + "/query", body, true);
    }

    /**
     * Sends a message stamped with the current time as {@code client}: {@code POST
     * /channels/{type}/{id}/message} or a publish command.
     */
    public CompletableFuture<Void> send(LoadClient client, String type, String id) {
        return send(client, client.userId(), client.token(), type, id);
    }

    /**
     * As {@link #send(LoadClient, String, String)}, through REST as {@code userId} (a member of the
     * channel) whatever the socket's user; the socket is used only by dialects that publish over it.
     */
    public CompletableFuture<Void> send(LoadClient socket, String userId, String token, String type, String id) {
        return send(socket, userId, token, type, id, "bench-ts=" + nowMicros());
    }

    /**
     * As {@link #send(LoadClient, String, String, String, String)} with the given text: {@link
     * Dialect#WARMUP_TEXT} sends a warm-up message that readers ignore.
     */
    public CompletableFuture<Void> send(
            LoadClient socket, String userId, String token, String type, String id, String text) {
        if (dialect.publishFrame(type + ":" + id, text, 0) != null) {
            return socket.command(seq -> dialect.publishFrame(type + ":" + id, text, seq))
                    .thenApply(r -> null);
        }
        String body = "{\"message\":{\"id\":\"" + UUID.randomUUID() + "\",\"text\":\"" + text + "\"}}";
        return post(userId, token, "", "/channels/" + type + "/" + id + "/message", body);
    }

    private CompletableFuture<Void> post(LoadClient client, String path, String body, boolean withConnection) {
        return post(client.userId(), client.token(), withConnection ? client.connectionId() : "", path, body);
    }

    private CompletableFuture<Void> post(String userId, String token, String connectionId, String path, String body) {
        String query = "?api_key=" + apiKey + "&user_id=" + userId
                + (connectionId.isEmpty() ? "" : "&connection_id=" + connectionId);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path + query))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", token)
                .header("stream-auth-type", "jwt")
                .header("X-Stream-Client", "parley-bench-0.1")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return null;
        });
    }

    @Override
    public void close() {
        http.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
