package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.uploads.Uploads;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * The body limit of each request, checked before aggregation: uploads ({@link Uploads#isUploadRoute}) may
 * carry up to {@code maxUpload} bytes, every other request {@code maxBody}. A request over its limit (by
 * its Content-Length, or by the bytes that arrive) is answered with code 22 and the connection is closed;
 * the rest of its body is dropped. One instance per connection; event loop only.
 */
final class BodyLimit extends ChannelInboundHandlerAdapter {
    private final int maxBody;
    private final int maxUpload;
    private long limit;
    private long seen;
    private boolean dropping;

    BodyLimit(int maxBody, int maxUpload) {
        this.maxBody = maxBody;
        this.maxUpload = maxUpload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            dropping = false;
            seen = 0;
            String path = HttpHandler.normalise(new QueryStringDecoder(req.uri()).path());
            limit = Uploads.isUploadRoute(req.method().name(), path) ? maxUpload : maxBody;
            if (HttpUtil.getContentLength(req, -1L) > limit) {
                reject(ctx, msg);
                return;
            }
        }
        if (msg instanceof HttpContent c) {
            if (dropping) {
                ReferenceCountUtil.release(msg);
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
        ReferenceCountUtil.release(msg);
        HttpHandler.writeError(ctx, new ChatException(ErrorCode.PAYLOAD_TOO_BIG,
                "request body is larger than " + limit + " bytes"), false);
    }
}
