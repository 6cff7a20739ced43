package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import dev.parley.server.links.PageHttp;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * The link previews' HTTP client on the transport's event loops (PROTOCOL.md §7.25): one connection per GET, to the
 * address the guard checked, with Netty's HTTP/1.1 codec ({@code Connection: close}, no compression asked for).
 * The head is bounded ({@value #MAX_HEAD_BYTES} bytes of headers); the body is counted as it arrives and, at the
 * request's bound, the connection is closed and the answer is what was read. For {@code https}, TLS names the URL's
 * host (SNI) and checks the certificate against it ({@code HTTPS} endpoint identification). Thread-safe.
 */
public final class PageClient implements PageHttp {
    /** The most bytes of an answer's headers. */
    static final int MAX_HEAD_BYTES = 32 * 1024;

    private static final int MAX_STATUS_LINE = 8 * 1024;
    private static final String USER_AGENT = "Mozilla/5.0 (compatible; ParleyLinkPreview/1.0)";
    private static final String ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";

    private final Bootstrap bootstrap;
    private final SslContext tls;
    private volatile boolean closed;

    public PageClient(EventLoopGroup group, Class<? extends Channel> channelType) {
        this(group, channelType, defaultTls());
    }

    /**
     * @param tls the client's TLS: the JDK's trusted certificates, unless a test trusts its own; the host name check
     *     is set on every connection whatever this says
     */
    public PageClient(EventLoopGroup group, Class<? extends Channel> channelType, SslContext tls) {
        this.bootstrap = new Bootstrap()
                .group(requireNonNull(group, "group"))
                .channel(requireNonNull(channelType, "channelType"))
                .option(ChannelOption.TCP_NODELAY, true);
        this.tls = requireNonNull(tls, "tls");
    }

    /** The JDK's trusted certificates. */
    public static SslContext defaultTls() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS for link previews: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Answer> get(Request request) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("the node is stopping"));
        }
        URI url = request.url();
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        if (!https && !"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            return CompletableFuture.failedFuture(new IOException("not an http or https URL"));
        }
        String host = host(url);
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        try {
            ChannelFuture connecting = bootstrap
                    .clone()
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (https) {
                                ch.pipeline().addLast(tls(ch, host, port));
                            }
                            ch.pipeline()
                                    .addLast(new HttpClientCodec(
                                            new HttpDecoderConfig()
                                                    .setMaxInitialLineLength(MAX_STATUS_LINE)
                                                    .setMaxHeaderSize(MAX_HEAD_BYTES),
                                            false,
                                            false))
                                    .addLast(new Reader(request, answer));
                        }
                    })
                    .connect(new InetSocketAddress(request.address(), port));
            Channel ch = connecting.channel();
            var timer = ch.eventLoop()
                    .schedule(
                            () -> answer.completeExceptionally(new TimedOut(request.timeout())),
                            request.timeout().toNanos(),
                            TimeUnit.NANOSECONDS);
            answer.whenComplete((a, e) -> {
                timer.cancel(false);
                ch.close();
            });
            connecting.addListener(f -> {
                if (!f.isSuccess()) {
                    answer.completeExceptionally(f.cause()); // ConnectException and the like, named upstream
                    return;
                }
                ch.writeAndFlush(get(url, host, port, https)).addListener(w -> {
                    if (!w.isSuccess()) {
                        answer.completeExceptionally(new IOException("the request could not be sent", w.cause()));
                    }
                });
            });
        } catch (RuntimeException e) { // an event loop that is shutting down refuses the channel
            answer.completeExceptionally(new IOException("the node is stopping", e));
        }
        return answer;
    }

    private static String host(URI u) {
        String h = u.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** TLS that names {@code host} (SNI) and checks the certificate against it, not against the address. */
    private SslHandler tls(SocketChannel ch, String host, int port) {
        SslHandler handler = tls.newHandler(ch.alloc(), host, port);
        SSLEngine engine = handler.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return handler;
    }

    private static FullHttpRequest get(URI url, String host, int port, boolean https) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (https ? 443 : 80);
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        r.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.ACCEPT, ACCEPT)
                .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /**
     * Reads one answer: its head, then, when the request wants it, its body up to the request's bound, counted
     * part by part; at the bound (or the body's end) the answer is complete and the connection closes.
     */
    private static final class Reader extends ChannelInboundHandlerAdapter {
        private final Request request;
        private final CompletableFuture<Answer> answer;
        private int status;
        private @Nullable String location;
        private String type = "";
        private @Nullable ByteArrayOutputStream body;
        private long limit;

        Reader(Request request, CompletableFuture<Answer> answer) {
            this.request = request;
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            try {
                if (!answer.isDone()) {
                    read(msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void read(Object msg) throws IOException {
            if (msg instanceof HttpResponse r) {
                if (r.decoderResult().isFailure()) {
                    throw new IOException(
                            "the answer is not HTTP", r.decoderResult().cause());
                }
                if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    return; // 100 Continue and the like: the answer follows
                }
                status = r.status().code();
                location = r.headers().get(HttpHeaderNames.LOCATION);
                type = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                if (r.status().codeClass() != HttpStatusClass.SUCCESS
                        || !request.wantsBody().test(type)) {
                    complete(new byte[0]);
                    return;
                }
                long length = HttpUtil.getContentLength(r, -1L);
                limit = length >= 0 ? Math.min(length, request.maxBodyBytes()) : request.maxBodyBytes();
                body = new ByteArrayOutputStream((int) Math.min(limit, 64 * 1024));
            }
            if (msg instanceof HttpContent c && body != null) {
                if (c.decoderResult().isFailure()) {
                    throw new IOException(
                            "the body is not valid HTTP", c.decoderResult().cause());
                }
                int n = (int) Math.min(c.content().readableBytes(), limit - body.size());
                c.content().readBytes(body, n);
                if (body.size() >= limit || msg instanceof LastHttpContent) {
                    complete(body.toByteArray());
                }
            }
        }

        private void complete(byte[] bytes) {
            answer.complete(new Answer(status, location, type, bytes));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                answer.completeExceptionally(e.cause());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            answer.completeExceptionally(c);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            answer.completeExceptionally(new IOException("the site closed the connection mid-answer"));
            super.channelInactive(ctx);
        }
    }

    /** Later fetches fail; those under way finish. */
    @Override
    public void close() {
        closed = true;
    }
}
