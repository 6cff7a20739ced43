package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.server.ChatNode;
import dev.parley.server.exports.ExportLinks;
import dev.parley.server.exports.Exports;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves export files at {@code GET /export_files/<task id>/<file>} (PROTOCOL.md §17.6) without a token: the signed,
 * expiring link is the capability ({@link ExportLinks}); a bad or expired one is code 17, a missing file code 16.
 * As {@link UploadFiles} does, the link is checked and the file opened on a blocking thread, then sent as a file
 * region, never held in memory.
 */
final class ExportFiles {
    private static final Logger log = LoggerFactory.getLogger(ExportFiles.class);

    private final ChatNode node;

    ExportFiles(ChatNode node) {
        this.node = node;
    }

    static boolean handles(HttpMethod method, String path) {
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) && path.startsWith(ExportLinks.PREFIX);
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        Map<String, List<String>> query = new QueryStringDecoder(req.uri()).parameters();
        try {
            node.blockingExecutor().execute(() -> {
                Answer answer = answer(path, first(query, "expires"), first(query, "signature"), head);
                ctx.channel().eventLoop().execute(() -> {
                    HttpUtil.setKeepAlive(answer.head(), keepAlive);
                    var f = answer.file() == null ? ctx.writeAndFlush(answer.head()) : writeFile(ctx, answer);
                    if (!keepAlive) {
                        f.addListener(ChannelFutureListener.CLOSE);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    private static @Nullable String first(Map<String, List<String>> query, String key) {
        List<String> v = query.get(key);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static io.netty.channel.ChannelFuture writeFile(ChannelHandlerContext ctx, Answer answer) {
        ctx.write(answer.head());
        ctx.write(answer.file());
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private record Answer(HttpResponse head, @Nullable DefaultFileRegion file) {}

    private Answer answer(String path, @Nullable String expires, @Nullable String signature, boolean head) {
        Exports.Download d;
        try {
            d = node.exports().download(path, expires, signature);
        } catch (ChatException e) {
            return new Answer(error(e), null);
        }
        DefaultFileRegion region = null;
        long size = d.size();
        if (!head) {
            try {
                FileChannel channel = FileChannel.open(d.path(), StandardOpenOption.READ);
                size = channel.size();
                region = new DefaultFileRegion(channel, 0, size);
            } catch (IOException e) {
                log.warn("cannot read export file {}", d.path(), e);
                return new Answer(error(ChatException.notFound("no export file at " + path)), null);
            }
        }
        HttpResponse res = head
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "private, no-store");
        res.headers()
                .set(
                        HttpHeaderNames.CONTENT_DISPOSITION,
                        "attachment; filename=\"" + d.path().getFileName() + "\"");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(size));
        return new Answer(res, region);
    }

    private static FullHttpResponse error(ChatException e) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(e.statusCode()),
                Unpooled.wrappedBuffer(
                        dev.parley.protocol.Json.writeBytes(dev.parley.server.events.Events.envelope(e, ""))));
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        return res;
    }
}
