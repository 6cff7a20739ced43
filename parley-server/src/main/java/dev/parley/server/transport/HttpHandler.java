package dev.parley.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.ChatNode;
import dev.parley.server.api.HttpCall;
import dev.parley.server.api.HttpResult;
import dev.parley.server.api.RestApi;
import dev.parley.server.events.Events;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * Every HTTP request: CORS preflights, the {@code /connect} upgrade, and REST calls, which run on a
 * virtual thread. {@link HttpExchanges}, ahead of this handler, passes one request at a time and stops
 * reading until it is answered, so answers on one connection keep their order.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    static final String ALLOWED_HEADERS =
            "Authorization, Content-Type, stream-auth-type, X-Stream-Client, x-client-request-id, X-Stream-Ext";

    private static final Set<String> FORWARDED_HEADERS = Set.of(
            "authorization",
            "stream-auth-type",
            "x-stream-client",
            "content-type",
            "user-agent",
            "x-client-request-id",
            "host",
            "x-forwarded-proto");

    private final ChatNode node;
    private final RestApi api;
    private final WebSocketUpgrader upgrader;
    private final OpsPages pages;
    private final FileDownloads uploads;
    private final FileDownloads exportFiles;
    private final InFlight requests;

    HttpHandler(ChatNode node, RestApi api, WebSocketUpgrader upgrader, OpsPages pages, InFlight requests) {
        this.node = node;
        this.requests = requests;
        this.api = api;
        this.upgrader = upgrader;
        this.pages = pages;
        this.uploads = FileDownloads.uploads(node);
        this.exportFiles = FileDownloads.exports(node);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            ChatException e = cause instanceof TooLongFrameException
                    ? new ChatException(ErrorCode.HEADER_TOO_BIG, "request line or headers are too large")
                    : ChatException.input("malformed HTTP request");
            writeError(ctx, e, false);
            return;
        }
        QueryStringDecoder decoder = new QueryStringDecoder(req.uri());
        String path;
        try {
            path = normalise(decoder.path());
            decoder.parameters(); // decoded lazily: a bad escape must be refused here, not where it is read
        } catch (IllegalArgumentException e) {
            writeError(
                    ctx,
                    ChatException.input("the request URI is not valid percent-encoding"),
                    HttpUtil.isKeepAlive(req));
            return;
        }
        if (req.method().equals(HttpMethod.OPTIONS)) {
            writePreflight(ctx, req);
            return;
        }
        if (uploads.handles(req.method(), path)) {
            uploads.serve(ctx, req, path);
            return;
        }
        if (exportFiles.handles(req.method(), path)) {
            exportFiles.serve(ctx, req, path);
            return;
        }
        if (pages.handles(path)) {
            pages.serve(ctx, req, path);
            return;
        }
        if (path.equals("/connect")) {
            if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE, ""))) {
                writeError(ctx, ChatException.input("/connect expects a WebSocket upgrade"), HttpUtil.isKeepAlive(req));
                return;
            }
            upgrader.upgrade(ctx, req, decoder.parameters());
            return;
        }
        HttpCall call = toCall(req, path, decoder, ByteBufUtil.getBytes(req.content()), hostOf(ctx));
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        requests.enter();
        try {
            node.blockingExecutor().execute(() -> {
                try {
                    HttpResult result = api.handle(call);
                    // A stopping node answers, then closes the connection: the client's next request goes to
                    // another node.
                    boolean keep = keepAlive && !node.draining();
                    ctx.channel().eventLoop().execute(() -> {
                        try {
                            respond(ctx, result.status(), result.body(), result.headers(), keep)
                                    .addListener(f -> {
                                        requests.leave();
                                        if (!keep) {
                                            ctx.close();
                                        }
                                    });
                        } catch (RuntimeException e) {
                            requests.leave();
                            throw e;
                        }
                    });
                } catch (RejectedExecutionException stopped) { // the event loop stopped: nobody is left to answer
                    requests.leave();
                } catch (RuntimeException e) {
                    requests.leave();
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            requests.leave();
            writeError(ctx, new ChatException(ErrorCode.INTERNAL, "server is shutting down"), false);
        }
    }

    /** The caller's IP address without port, or empty when unknown. */
    static String hostOf(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress()
                : "";
    }

    static HttpCall toCall(
            HttpRequest req, String path, QueryStringDecoder decoder, byte[] body, String remoteAddress) {
        Map<String, String> query = new HashMap<>();
        for (Map.Entry<String, List<String>> e : decoder.parameters().entrySet()) {
            if (!e.getValue().isEmpty()) {
                query.put(e.getKey(), e.getValue().get(0));
            }
        }
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : req.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (FORWARDED_HEADERS.contains(name)) {
                headers.putIfAbsent(name, h.getValue());
            }
        }
        return new HttpCall(req.method().name(), path, query, headers, body, null, remoteAddress);
    }

    /**
     * The normalised path of {@code uri} for the handlers ahead of this one, which only pick a limit or a
     * route by it; {@code /} when its percent-encoding is bad, which this handler then answers with 400.
     */
    static String routingPath(String uri) {
        try {
            return normalise(new QueryStringDecoder(uri).path());
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    static String normalise(String path) {
        String p = path.isEmpty() ? "/" : path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static void writePreflight(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        cors(res);
        String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked != null ? asked : ALLOWED_HEADERS);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static void cors(HttpResponse res) {
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        res.headers()
                .set(
                        HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
                        "X-Ratelimit-Limit, X-Ratelimit-Remaining, X-Ratelimit-Reset");
    }

    static void writeError(ChannelHandlerContext ctx, ChatException e, boolean keepAlive) {
        write(ctx, e.statusCode(), Events.envelope(e, ""), keepAlive);
    }

    static void write(ChannelHandlerContext ctx, int status, ObjectNode body, boolean keepAlive) {
        write(ctx, status, body, Map.of(), keepAlive);
    }

    static void write(
            ChannelHandlerContext ctx, int status, ObjectNode body, Map<String, String> headers, boolean keepAlive) {
        var f = respond(ctx, status, body, headers, keepAlive);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes a JSON response; with {@code keepAlive} false it says {@code Connection: close} but leaves closing to the caller. */
    static io.netty.channel.ChannelFuture respond(
            ChannelHandlerContext ctx, int status, ObjectNode body, boolean keepAlive) {
        return respond(ctx, status, body, Map.of(), keepAlive);
    }

    private static io.netty.channel.ChannelFuture respond(
            ChannelHandlerContext ctx, int status, ObjectNode body, Map<String, String> headers, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(Json.writeBytes(body)));
        cors(res);
        headers.forEach(res.headers()::set);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        HttpUtil.setKeepAlive(res, keepAlive);
        return ctx.writeAndFlush(res);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
