package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.server.ChatNode;
import dev.parley.server.exports.ExportLinks;
import dev.parley.server.exports.Exports;
import dev.parley.server.uploads.UploadStore;
import dev.parley.server.uploads.Uploads;
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
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files served without a token, where the URL itself is the capability:
 *
 * <ul>
 *   <li>{@link #uploads}: uploaded files at {@code GET /uploads/<id>/<name>} (the random id, as with a CDN URL),
 *       with the stored content type, {@code nosniff}, and as an attachment unless the type is safe to show inline
 *       (images, audio, video, PDF);
 *   <li>{@link #exports}: export files at {@code GET /export_files/<task id>/<file>} (PROTOCOL.md §17.6), behind a
 *       signed, expiring link ({@link ExportLinks}); a bad or expired one is code 17.
 * </ul>
 *
 * A missing file is code 16. The file is looked up and opened on a virtual thread ({@link HttpExchanges} holds later
 * requests of the connection back meanwhile, so answers keep their order), then sent as a file region: its bytes are
 * never held in memory, however slowly the client reads.
 */
final class FileDownloads {
    private static final Logger log = LoggerFactory.getLogger(FileDownloads.class);

    /** A file found for a request, and how to describe it. */
    record Found(Path path, long size, String contentType, String cacheControl, String disposition) {}

    /** Finds the file a request names, or throws the error to answer; blocking. */
    @FunctionalInterface
    interface Source {
        Found find(String path, Map<String, List<String>> query);
    }

    private final ChatNode node;
    private final String prefix;
    private final Source source;

    private FileDownloads(ChatNode node, String prefix, Source source) {
        this.node = requireNonNull(node, "node");
        this.prefix = requireNonNull(prefix, "prefix");
        this.source = requireNonNull(source, "source");
    }

    static FileDownloads uploads(ChatNode node) {
        return new FileDownloads(node, Uploads.PREFIX, (path, query) -> {
            UploadStore.StoredFile f = Uploads.idOf(path)
                    .flatMap(id -> node.uploads().store().find(id))
                    .orElseThrow(() -> ChatException.notFound("no upload at " + path));
            String name =
                    URLEncoder.encode(f.fileName(), StandardCharsets.UTF_8).replace("+", "%20");
            return new Found(
                    f.path(),
                    f.size(),
                    f.contentType(),
                    "public, max-age=31536000, immutable",
                    (Uploads.servedInline(f.contentType()) ? "inline" : "attachment") + "; filename*=UTF-8''" + name);
        });
    }

    static FileDownloads exports(ChatNode node) {
        return new FileDownloads(node, ExportLinks.PREFIX, (path, query) -> {
            Exports.Download d = node.exports().download(path, first(query, "expires"), first(query, "signature"));
            return new Found(
                    d.path(),
                    d.size(),
                    "application/x-ndjson",
                    "private, no-store",
                    "attachment; filename=\"" + d.path().getFileName() + "\"");
        });
    }

    boolean handles(HttpMethod method, String path) {
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) && path.startsWith(prefix);
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        Map<String, List<String>> query = new QueryStringDecoder(req.uri()).parameters();
        try {
            node.blockingExecutor().execute(() -> {
                Answer answer = answer(path, query, head);
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
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The file goes from the page cache to the socket: never a copy in memory, whatever the reader's speed. */
    private static io.netty.channel.ChannelFuture writeFile(ChannelHandlerContext ctx, Answer answer) {
        ctx.write(answer.head());
        ctx.write(answer.file());
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** A response (a full one for errors and HEAD), and the open file to send after it, or null. */
    private record Answer(HttpResponse head, @Nullable DefaultFileRegion file) {}

    private Answer answer(String path, Map<String, List<String>> query, boolean head) {
        Found f;
        try {
            f = source.find(path, query);
        } catch (ChatException e) {
            return new Answer(error(e), null);
        }
        DefaultFileRegion region = null;
        long size = f.size();
        if (!head) {
            try {
                FileChannel channel = FileChannel.open(f.path(), StandardOpenOption.READ);
                size = channel.size();
                region = new DefaultFileRegion(channel, 0, size);
            } catch (IOException e) {
                log.warn("cannot read {}", f.path(), e);
                return new Answer(error(ChatException.notFound("no file at " + path)), null);
            }
        }
        HttpResponse res = head
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, f.cacheControl());
        res.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, f.disposition());
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
