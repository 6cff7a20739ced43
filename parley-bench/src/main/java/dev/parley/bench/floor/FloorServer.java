package dev.parley.bench.floor;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor: the least a Netty server must do to pass the benchmarks. WebSocket on {@code /connect} with
 * a {@code health.check} first frame and heartbeat answers, {@code POST .../query} adds the socket to the
 * channel's group, {@code POST .../message} writes the body, wrapped as {@code message.new}, to the group.
 * No authentication, no JSON model, no storage. Sockets whose buffer is full are closed (as Parley does).
 */
public final class FloorServer implements AutoCloseable {
    private static final AttributeKey<String> ID = AttributeKey.valueOf("floor-id");
    private final Map<String, Channel> sockets = new ConcurrentHashMap<>();
    private final Map<String, ChannelGroup> channels = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory());
    private final Channel server;

    public FloorServer(String host, int port) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Http());
                    }
                })
                .bind(host, port)
                .sync()
                .channel();
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String[] path = q.path().split("/");
            if (q.path().equals("/connect")) {
                var hs = new WebSocketServerHandshakerFactory("ws://floor/connect", null, false).newHandshaker(req);
                hs.handshake(ctx.channel(), req);
                ctx.pipeline().remove(this);
                ctx.pipeline().addLast(new Ws());
                String id = Long.toString(ids.incrementAndGet());
                ctx.channel().attr(ID).set(id);
                sockets.put(id, ctx.channel());
                ctx.channel().closeFuture().addListener(f -> sockets.remove(id));
                ctx.writeAndFlush(new TextWebSocketFrame(healthCheck(id) + ",\"me\":{\"id\":\"floor\"}}"));
                return;
            }
            if (path.length == 5 && path[1].equals("channels")) {
                ChannelGroup g = channels.computeIfAbsent(
                        path[2] + ":" + path[3], k -> new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
                String body = req.content().toString(StandardCharsets.UTF_8);
                if (path[4].equals("query")) {
                    var conn = q.parameters().get("connection_id");
                    Channel s = conn == null ? null : sockets.get(conn.get(0));
                    if (s != null) {
                        g.add(s);
                    }
                } else if (path[4].equals("message")) {
                    ByteBuf event = Unpooled.copiedBuffer(
                            "{\"type\":\"message.new\",\"cid\":\"" + path[2] + ":" + path[3] + "\","
                                    + body.substring(body.indexOf('{') + 1),
                            StandardCharsets.UTF_8);
                    g.forEach(ch -> {
                        if (!ch.isWritable()) {
                            ch.close();
                        }
                    });
                    g.writeAndFlush(new TextWebSocketFrame(event));
                }
                respond(ctx, "{\"duration\":\"0ms\"}");
                return;
            }
            respond(ctx, "{}");
        }
    }

    private static String healthCheck(String id) {
        return "{\"type\":\"health.check\",\"connection_id\":\"" + id + "\",\"cid\":\"*\"";
    }

    private static void respond(ChannelHandlerContext ctx, String json) {
        var res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        ctx.writeAndFlush(res);
    }

    private static final class Ws extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                ctx.writeAndFlush(new TextWebSocketFrame(
                        healthCheck(ctx.channel().attr(ID).get()) + "}"));
            } else if (frame instanceof CloseWebSocketFrame c) {
                ctx.writeAndFlush(new CloseWebSocketFrame(c.statusCode(), "")).addListener(f -> ctx.close());
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** {@code FloorServer <host> <port>}: runs until killed. */
    public static void main(String[] args) throws InterruptedException {
        FloorServer f = new FloorServer(args[0], Integer.parseInt(args[1]));
        System.out.println("floor listening on " + args[0] + ":" + f.port());
        f.server.closeFuture().sync();
    }
}
