package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import dev.parley.server.hooks.HookHttp;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The hooks' HTTP client on the transport's event loops (PROTOCOL.md §15.2): HTTP/1.1 with keep-alive, idle
 * connections kept per host and port (at most {@value #MAX_IDLE_PER_ORIGIN}), one request at a time per
 * connection, TLS for {@code https} with the JDK's trust store and host name check. A request gets its time limit
 * for the whole answer; past it, or on any error, its connection is closed. Thread-safe.
 */
final class HookClient implements HookHttp {
    /** Idle keep-alive connections kept per host and port. */
    static final int MAX_IDLE_PER_ORIGIN = 64;

    private final Bootstrap bootstrap;
    private final SslContext tls;
    /** Idle connections by origin ({@code scheme://host:port}); guarded by itself. */
    private final Map<String, Deque<Channel>> idle = new HashMap<>();

    private volatile boolean closed;

    HookClient(EventLoopGroup group, Class<? extends Channel> channelType) {
        this(group, channelType, defaultTls());
    }

    /** @param tls the client's TLS: the JDK's trusted certificates and a host name check, unless a test trusts its own */
    HookClient(EventLoopGroup group, Class<? extends Channel> channelType, SslContext tls) {
        this.bootstrap = new Bootstrap()
                .group(requireNonNull(group, "group"))
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
        this.tls = requireNonNull(tls, "tls");
    }

    private static SslContext defaultTls() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS for webhooks: " + e.getMessage(), e);
        }
    }

    /** One exchange: what the response handler completes. */
    private static final class Exchange {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        final int maxAnswerBytes;

        Exchange(int maxAnswerBytes) {
            this.maxAnswerBytes = maxAnswerBytes;
        }
    }

    @Override
    public CompletableFuture<Answer> post(
            URI url, Map<String, String> headers, byte[] body, Duration timeout, int maxAnswerBytes) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the node is stopping"));
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        boolean secure = scheme.equals("https");
        String host = url.getHost();
        if (host == null || !(secure || scheme.equals("http"))) {
            return CompletableFuture.failedFuture(new IOException("not an http or https URL: " + url));
        }
        int port = url.getPort() > 0 ? url.getPort() : secure ? 443 : 80;
        String origin = scheme + "://" + host + ":" + port;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(body));
        headers.forEach((k, v) -> request.headers().set(k, v));
        request.headers().set(HttpHeaderNames.HOST, url.getPort() > 0 ? host + ":" + port : host);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        Exchange x = new Exchange(maxAnswerBytes);
        Channel pooled = takeIdle(origin);
        if (pooled != null) {
            send(pooled, origin, request, x, timeout);
        } else {
            ChannelFuture connecting = bootstrap
                    .clone()
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (secure) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                            }
                            ch.pipeline()
                                    .addLast(new HttpClientCodec())
                                    .addLast(new HttpObjectAggregator(Math.max(maxAnswerBytes, 1024)))
                                    .addLast(new Answers());
                        }
                    })
                    .connect(host, port);
            connecting.addListener(f -> {
                if (f.isSuccess()) {
                    send(connecting.channel(), origin, request, x, timeout);
                } else {
                    request.release();
                    x.answer.completeExceptionally(new IOException("cannot connect to " + origin, f.cause()));
                }
            });
        }
        return x.answer;
    }

    private void send(Channel ch, String origin, FullHttpRequest request, Exchange x, Duration timeout) {
        ch.attr(Answers.CURRENT).set(x);
        ch.attr(Answers.ORIGIN).set(origin);
        var timer = ch.eventLoop()
                .schedule(
                        () -> {
                            if (x.answer.completeExceptionally(new TimedOut(timeout))) {
                                ch.close();
                            }
                        },
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        x.answer.whenComplete((a, e) -> timer.cancel(false));
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                x.answer.completeExceptionally(new IOException("write to " + origin + " failed", f.cause()));
                ch.close();
            }
        });
    }

    /** Completes each channel's current exchange with its response; gives the channel back when it is reusable. */
    private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        static final io.netty.util.AttributeKey<Exchange> CURRENT = io.netty.util.AttributeKey.valueOf("hookExchange");
        static final io.netty.util.AttributeKey<String> ORIGIN = io.netty.util.AttributeKey.valueOf("hookOrigin");

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            Exchange x = ctx.channel().attr(CURRENT).getAndSet(null);
            if (x == null) {
                ctx.close(); // an answer nobody asked for
                return;
            }
            byte[] body = ByteBufUtil.getBytes(r.content());
            boolean reusable = HttpUtil.isKeepAlive(r);
            if (x.answer.complete(new Answer(r.status().code(), body)) && reusable) {
                giveBack(ctx.channel().attr(ORIGIN).get(), ctx.channel());
            } else {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange x = ctx.channel().attr(CURRENT).getAndSet(null);
            if (x != null) {
                x.answer.completeExceptionally(
                        cause instanceof TooLongFrameException ? new TooLong(x.maxAnswerBytes) : cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange x = ctx.channel().attr(CURRENT).getAndSet(null);
            if (x != null) {
                x.answer.completeExceptionally(new IOException("the receiver closed the connection"));
            }
            forget(ctx.channel());
        }
    }

    private @Nullable Channel takeIdle(String origin) {
        synchronized (idle) {
            Deque<Channel> q = idle.get(origin);
            while (q != null && !q.isEmpty()) {
                Channel c = q.pollLast();
                if (c.isActive()) {
                    return c;
                }
            }
            return null;
        }
    }

    private void giveBack(@Nullable String origin, Channel ch) {
        if (origin == null || closed) {
            ch.close();
            return;
        }
        boolean kept;
        synchronized (idle) {
            Deque<Channel> q = idle.computeIfAbsent(origin, o -> new ArrayDeque<>());
            kept = q.size() < MAX_IDLE_PER_ORIGIN;
            if (kept) {
                q.addLast(ch);
            }
        }
        if (!kept) {
            ch.close();
        }
    }

    private void forget(Channel ch) {
        synchronized (idle) {
            idle.values().forEach(q -> q.remove(ch));
        }
    }

    /** Closes the idle connections; later posts fail. */
    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            idle.values().forEach(q -> q.forEach(Channel::close));
            idle.clear();
        }
    }
}
