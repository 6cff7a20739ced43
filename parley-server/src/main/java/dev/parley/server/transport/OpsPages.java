package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.ChatNode;
import dev.parley.server.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The non-JSON pages: Prometheus {@code /metrics} (no API key; off with {@code --disable-metrics}) and the
 * operator dashboard under {@code /dashboard}, static files from the jar's resources with Chart.js from its
 * WebJar. Only the files named in {@link #FILES} are served, so no path reaches the class path unchecked.
 */
final class OpsPages {
    private static final String CHART_JS_WEBJAR = "META-INF/resources/webjars/chart.js/%s/dist/chart.umd.min.js";
    private static final String CHART_JS_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

    /** Served path to class-path resource (null: the Chart.js WebJar) and content type. */
    private record File(@Nullable String resource, String contentType) {}

    private static final Map<String, File> FILES = Map.of(
            "/dashboard", new File("parley/dashboard/index.html", "text/html; charset=utf-8"),
            "/dashboard/app.js", new File("parley/dashboard/app.js", "text/javascript; charset=utf-8"),
            "/dashboard/style.css", new File("parley/dashboard/style.css", "text/css; charset=utf-8"),
            "/dashboard/vendor/chart.umd.min.js", new File(null, "text/javascript; charset=utf-8"));

    /** Scripts and styles from this server only; the page talks to this server only. */
    private static final String CSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final ChatNode node;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    OpsPages(ChatNode node) {
        this.node = node;
    }

    /** Whether this path is one of the pages. */
    boolean handles(String path) {
        return path.equals("/metrics") || FILES.containsKey(path) || path.startsWith("/dashboard/");
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            HttpHandler.writeError(
                    ctx,
                    new ChatException(ErrorCode.NOT_FOUND, "method " + req.method() + " is not allowed on " + path),
                    keepAlive);
            return;
        }
        if (path.equals("/metrics")) {
            metrics(ctx, keepAlive);
            return;
        }
        File f = FILES.get(path);
        if (f == null) {
            HttpHandler.writeError(ctx, new ChatException(ErrorCode.NOT_FOUND, "no page at " + path), keepAlive);
            return;
        }
        byte[] body = cache.computeIfAbsent(path, p -> load(f));
        write(ctx, body, f.contentType(), keepAlive, true);
    }

    private void metrics(ChannelHandlerContext ctx, boolean keepAlive) {
        if (!node.config().metricsEnabled()) {
            HttpHandler.writeError(
                    ctx,
                    new ChatException(ErrorCode.NOT_FOUND, "/metrics is disabled on this server (--disable-metrics)"),
                    keepAlive);
            return;
        }
        try {
            // gauges may read the store (MAU), so the scrape runs off the event loop
            node.blockingExecutor().execute(() -> {
                byte[] text = node.metrics().scrape().getBytes(StandardCharsets.UTF_8);
                ctx.channel().eventLoop().execute(() -> write(ctx, text, Metrics.CONTENT_TYPE, keepAlive, false));
            });
        } catch (RejectedExecutionException e) {
            HttpHandler.writeError(ctx, new ChatException(ErrorCode.INTERNAL, "server is shutting down"), false);
        }
    }

    private static void write(ChannelHandlerContext ctx, byte[] body, String type, boolean keepAlive, boolean page) {
        FullHttpResponse res =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        if (page) {
            res.headers().set("Content-Security-Policy", CSP);
            res.headers().set("X-Content-Type-Options", "nosniff");
            res.headers().set("Referrer-Policy", "no-referrer");
        }
        HttpUtil.setKeepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static byte[] load(File f) {
        String resource = f.resource() != null ? f.resource() : CHART_JS_WEBJAR.formatted(chartJsVersion());
        try (InputStream in = OpsPages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " in the server jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String chartJsVersion() {
        try (InputStream in = OpsPages.class.getClassLoader().getResourceAsStream(CHART_JS_POM)) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js WebJar is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
