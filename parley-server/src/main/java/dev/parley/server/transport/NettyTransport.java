package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import dev.parley.server.ChatNode;
import dev.parley.server.api.RestApi;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.session.Session;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side: one Netty server for REST and WebSocket on one port, epoll on Linux, NIO elsewhere.
 * The whole pipeline is in {@link #initializer}.
 */
public final class NettyTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /** Close code sent to every socket at shutdown: clients reconnect (PROTOCOL.md §3.5). */
    public static final int SERVICE_RESTART = 1012;

    private final ChatNode node;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final boolean epoll;
    private final InFlight requests = new InFlight();

    /** How long a stopping node waits for its event loops to end, past their own 5 s timeout. */
    static final java.time.Duration GROUP_STOP = java.time.Duration.ofSeconds(10);

    /** How long a stopping node waits for the answers of REST requests it accepted. */
    static final java.time.Duration REQUEST_DRAIN = java.time.Duration.ofSeconds(10);

    public NettyTransport(ChatNode node) {
        this.node = requireNonNull(node, "node");
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(0, io);
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends Channel> client = epoll
                ? io.netty.channel.epoll.EpollSocketChannel.class
                : io.netty.channel.socket.nio.NioSocketChannel.class;
        node.webhooks().useHttp(new HookClient(group, client));
        node.linkPreviews().useHttp(new PageClient(group, client));
        RestApi api = new RestApi(node);
        WebSocketUpgrader upgrader = new WebSocketUpgrader(node);
        int high = node.config().outboundHighWaterBytes();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                .childHandler(initializer(api, upgrader));
        try {
            this.serverChannel = b.bind(new InetSocketAddress(
                            node.config().host(), node.config().port()))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while binding", e);
        } catch (Exception e) { // bind failures arrive as undeclared IOExceptions
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "cannot listen on " + node.config().host() + ":"
                            + node.config().port() + ": " + e.getMessage(),
                    e);
        }
    }

    private ChannelInitializer<SocketChannel> initializer(RestApi api, WebSocketUpgrader upgrader) {
        int maxBody = node.config().maxBodyBytes();
        int maxUpload = node.config().maxUploadBytes();
        OpsPages pages = new OpsPages(node);
        HttpDataFactory uploadFiles = uploadFiles(maxUpload);
        ServerConfig c = node.config();
        ConnectionsPerAddress perAddress =
                c.maxConnectionsPerAddress() > 0 ? new ConnectionsPerAddress(c.maxConnectionsPerAddress()) : null;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (perAddress != null) {
                    ch.pipeline().addLast(perAddress); // decides at once, then leaves the pipeline
                }
                HttpExchanges exchanges = new HttpExchanges(
                        c.requestHeadTimeout(), c.requestBodyTimeout(), c.keepAliveTimeout(), c.requestBodyMinRate());
                ch.pipeline()
                        .addLast(exchanges.wire())
                        .addLast(new HttpServerCodec(8192, 16384, 8192))
                        .addLast(exchanges)
                        .addLast(new BodyLimit(maxBody, maxUpload))
                        .addLast(new UploadHandler(node, api, uploadFiles))
                        .addLast(new BoundedAggregator(Math.max(maxBody, maxUpload)))
                        .addLast(new HttpHandler(node, api, upgrader, pages, requests));
            }
        };
    }

    /** Where upload bodies go while they arrive: parts past a few KiB to files next to the upload store. */
    private HttpDataFactory uploadFiles(int maxUpload) {
        DefaultHttpDataFactory factory = new DefaultHttpDataFactory(UploadHandler.IN_MEMORY_BYTES);
        factory.setBaseDir(node.uploads().store().prepareIncoming().toString());
        factory.setDeleteOnExit(false); // the handler deletes every file; a JVM hook per upload would only leak
        factory.setMaxLimit(maxUpload);
        return factory;
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** REST requests accepted and not yet answered. */
    public int requestsInFlight() {
        return requests.count();
    }

    /** Whether the native epoll transport is in use. */
    public boolean epoll() {
        return epoll;
    }

    /** Stops accepting, closes every socket with 1012 and waits for their clean-up. */
    @Override
    public void close() {
        close(java.time.Duration.ZERO);
    }

    /** Slices the sockets are closed in when a drain window is given. */
    static final int DRAIN_SLICES = 20;

    /**
     * Stops accepting, then closes every socket with 1012, spread evenly over {@code window} (in
     * {@value #DRAIN_SLICES} slices) so that their clients do not all reconnect to the other nodes at once,
     * and waits for their clean-up and for the answers of the REST requests already accepted (at most {@link
     * #REQUEST_DRAIN}), which close their connections once written.
     */
    public void close(java.time.Duration window) {
        serverChannel.close().syncUninterruptibly();
        // Wait (briefly) for the close frames to leave: an event loop that shuts down closes its
        // channels before running queued writes, and clients would then see 1006 instead of 1012.
        List<ChannelFuture> closing = new ArrayList<>();
        List<Session> open = new ArrayList<>(node.registry().all());
        int slices = window.isZero() ? 1 : Math.min(DRAIN_SLICES, Math.max(1, open.size()));
        long pause = window.toNanos() / slices;
        for (int i = 0; i < slices; i++) {
            if (i > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(pause);
            }
            for (Session s : open.subList(i * open.size() / slices, (i + 1) * open.size() / slices)) {
                if (s instanceof WsSession ws) {
                    closing.add(ws.closing(SERVICE_RESTART, "server restart"));
                } else {
                    s.close(SERVICE_RESTART, "server restart");
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        int unanswered = requests.awaitNone(REQUEST_DRAIN);
        if (unanswered > 0) {
            log.warn("stopping with {} REST requests unanswered after {}", unanswered, REQUEST_DRAIN);
        }
        // Bounded: a stopping node once waited here forever, its event loops gone but their group's end never
        // reported, so that SIGTERM never ended the process.
        if (!group.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(GROUP_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn(
                    "the event loops did not report their end within {}; stopping without waiting for them",
                    GROUP_STOP);
        }
        log.debug("transport stopped");
    }
}
