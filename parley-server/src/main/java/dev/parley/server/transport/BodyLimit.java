package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.migration.ImportTasks;
import dev.parley.server.uploads.Uploads;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The body limit of each request, checked before aggregation: uploads ({@link Uploads#isUploadRoute}) may
 * carry up to {@code maxUpload} bytes, an import file {@link ImportTasks#MAX_FILE_BYTES}, every other request
 * {@code maxBody}. A request over its limit (by
 * its Content-Length, or by the bytes that arrive) is answered at once with code 22 and
 * {@code Connection: close}; the rest of its body is then read and dropped, so that a client still sending
 * sees the answer rather than a broken pipe, and the connection closes when the body ends, after
 * {@link #MAX_DRAIN_BYTES} more bytes, or after {@link #DRAIN_SECONDS}, whichever comes first. One instance
 * per connection; event loop only. A refusal fires {@link #REFUSED} down the pipeline, so that a handler
 * holding a partial request (an upload) can drop it; a request that waits for {@code 100 Continue} has sent
 * no body, so its connection closes as soon as the answer is written.
 */
final class BodyLimit extends ChannelInboundHandlerAdapter {
    /** Bytes of a refused body read and dropped at most before the connection is closed anyway. */
    static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    /** Seconds a refused request may take to finish sending before the connection is closed anyway. */
    static final int DRAIN_SECONDS = 10;

    /** User event fired when a request is refused: the rest of its body will not come down the pipeline. */
    static final Object REFUSED = "BodyLimit.REFUSED";

    private final int maxBody;
    private final int maxUpload;
    private long limit;
    private long seen;
    private boolean dropping;
    private long drained;
    /** The refusal's response; set whenever {@code dropping}. */
    private io.netty.channel.@Nullable ChannelFuture answered;

    BodyLimit(int maxBody, int maxUpload) {
        this.maxBody = maxBody;
        this.maxUpload = maxUpload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && req.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg); // its URI or Content-Length may not parse: the handler answers 400
            return;
        }
        if (msg instanceof HttpRequest req) {
            dropping = false;
            seen = 0;
            String path = HttpHandler.routingPath(req.uri());
            String method = req.method().name();
            limit = ImportTasks.isUploadRoute(method, path)
                    ? ImportTasks.MAX_FILE_BYTES
                    : Uploads.isUploadRoute(method, path) ? maxUpload : maxBody;
            if (HttpUtil.getContentLength(req, -1L) > limit) {
                reject(ctx, msg);
                return;
            }
        }
        if (msg instanceof HttpContent c) {
            if (dropping) {
                drained += c.content().readableBytes();
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if ((last || drained > MAX_DRAIN_BYTES) && answered != null) {
                    answered.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                }
                return;
            }
            seen += c.content().readableBytes();
            if (seen > limit) {
                reject(ctx, msg);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void reject(ChannelHandlerContext ctx, Object msg) {
        dropping = true;
        drained = 0;
        boolean last = msg instanceof LastHttpContent
                || (msg instanceof HttpRequest req && HttpUtil.is100ContinueExpected(req));
        ReferenceCountUtil.release(msg);
        ctx.fireUserEventTriggered(REFUSED);
        ChatException e =
                new ChatException(ErrorCode.PAYLOAD_TOO_BIG, "request body is larger than " + limit + " bytes");
        answered = HttpHandler.respond(ctx, e.statusCode(), dev.parley.server.events.Events.envelope(e, ""), false);
        if (last) {
            answered.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        } else {
            ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
        }
    }
}
