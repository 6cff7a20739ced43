package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates HTTP bodies up to a limit; a larger body is answered with code 22 in the error envelope. */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    BoundedAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpHandler.writeError(
                ctx,
                new ChatException(ErrorCode.PAYLOAD_TOO_BIG, "request body is larger than " + maxBytes + " bytes"),
                false);
    }
}
