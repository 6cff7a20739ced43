package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.server.ChatNode;
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
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves uploaded files at {@code GET /uploads/<id>/<name>} without a token (the random id is the
 * capability, as with a CDN URL), with the stored content type, {@code nosniff}, and as an attachment
 * unless the type is safe to show inline (images, audio, video, PDF). The file is looked up and opened on a
 * virtual thread ({@link HttpExchanges} holds later requests of the connection back meanwhile, so answers keep
 * their order), then sent as a file region: its bytes are never held in memory, however slowly the client reads.
 */
final class UploadFiles {
    private static final Logger log = LoggerFactory.getLogger(UploadFiles.class);

    private final ChatNode node;

    UploadFiles(ChatNode node) {
        this.node = node;
    }

    static boolean handles(HttpMethod method, String path) {
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) && path.startsWith(Uploads.PREFIX);
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        try {
            node.blockingExecutor().execute(() -> {
                Answer answer = answer(path, head);
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

    /** The file goes from the page cache to the socket: never a copy in memory, whatever the reader's speed. */
    private static io.netty.channel.ChannelFuture writeFile(ChannelHandlerContext ctx, Answer answer) {
        ctx.write(answer.head());
        ctx.write(answer.file());
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** A response (a full one for errors and HEAD), and the open file to send after it, or null. */
    private record Answer(HttpResponse head, @Nullable DefaultFileRegion file) {}

    private Answer answer(String path, boolean head) {
        Optional<UploadStore.StoredFile> file =
                Uploads.idOf(path).flatMap(id -> node.uploads().store().find(id));
        if (file.isEmpty()) {
            return new Answer(error(ChatException.notFound("no upload at " + path)), null);
        }
        UploadStore.StoredFile f = file.get();
        DefaultFileRegion region = null;
        long size = f.size();
        if (!head) {
            try {
                FileChannel channel = FileChannel.open(f.path(), StandardOpenOption.READ);
                size = channel.size();
                region = new DefaultFileRegion(channel, 0, size);
            } catch (IOException e) {
                log.warn("cannot read upload {}", f.id(), e);
                return new Answer(error(ChatException.notFound("no upload at " + path)), null);
            }
        }
        HttpResponse res = head
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
        String name = URLEncoder.encode(f.fileName(), StandardCharsets.UTF_8).replace("+", "%20");
        res.headers()
                .set(
                        HttpHeaderNames.CONTENT_DISPOSITION,
                        (Uploads.servedInline(f.contentType()) ? "inline" : "attachment") + "; filename*=UTF-8''"
                                + name);
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
