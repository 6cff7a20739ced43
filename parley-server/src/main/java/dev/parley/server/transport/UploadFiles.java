package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.server.ChatNode;
import dev.parley.server.uploads.UploadStore;
import dev.parley.server.uploads.Uploads;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves uploaded files at {@code GET /uploads/<id>/<name>} without a token (the random id is the
 * capability, as with a CDN URL), with the stored content type, {@code nosniff}, and as an attachment
 * unless the type is safe to show inline (images, audio, video, PDF). The file is read on a virtual
 * thread; {@link HttpExchanges} holds later requests of the connection back meanwhile, so answers keep their order.
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
                FullHttpResponse res = response(path, head);
                ctx.channel().eventLoop().execute(() -> {
                    HttpUtil.setKeepAlive(res, keepAlive);
                    var f = ctx.writeAndFlush(res);
                    if (!keepAlive) {
                        f.addListener(ChannelFutureListener.CLOSE);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    private FullHttpResponse response(String path, boolean head) {
        Optional<UploadStore.StoredFile> file = Uploads.idOf(path).flatMap(id -> node.uploads().store().find(id));
        if (file.isEmpty()) {
            return error(ChatException.notFound("no upload at " + path));
        }
        UploadStore.StoredFile f = file.get();
        byte[] bytes;
        try {
            bytes = head ? new byte[0] : Files.readAllBytes(f.path());
        } catch (IOException e) {
            log.warn("cannot read upload {}", f.id(), e);
            return error(ChatException.notFound("no upload at " + path));
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(bytes));
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
        String name = URLEncoder.encode(f.fileName(), StandardCharsets.UTF_8).replace("+", "%20");
        res.headers().set(HttpHeaderNames.CONTENT_DISPOSITION,
                (Uploads.servedInline(f.contentType()) ? "inline" : "attachment") + "; filename*=UTF-8''" + name);
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(head ? f.size() : bytes.length));
        return res;
    }

    private static FullHttpResponse error(ChatException e) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(e.statusCode()),
                Unpooled.wrappedBuffer(dev.parley.protocol.Json.writeBytes(dev.parley.server.Events.envelope(e, ""))));
        HttpHandler.cors(res);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        return res;
    }
}
