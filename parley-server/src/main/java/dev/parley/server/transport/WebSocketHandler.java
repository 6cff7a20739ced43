package dev.parley.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.server.ChatNode;
import dev.parley.server.events.Events;
import dev.parley.server.ratelimit.FrameBudget;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames of an open socket: answers heartbeats (PROTOCOL.md §3.4), pings and closes, cuts sockets that
 * stay silent past the idle timeout with 1001, and tells the node when the socket is gone.
 */
final class WebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);

    static final int NORMAL_CLOSURE = 1000;
    static final int GOING_AWAY = 1001;
    static final int MESSAGE_TOO_BIG = 1009;

    /** Close code of a socket that sent more frames than its budget allows (RFC 6455: policy violation). */
    static final int POLICY_VIOLATION = 1008;

    private final ChatNode node;
    private final WsSession session;
    private final @Nullable FrameBudget budget;

    WebSocketHandler(ChatNode node, WsSession session) {
        this.node = node;
        this.session = session;
        this.budget = node.rateLimits().frameBudget();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (session.isClosing()) {
            return; // decoded from the last read before the socket stopped reading
        }
        if (budget != null && !budget.tryFrame(node.clock().instant())) {
            // Past the budget nothing more is read: what the client already sent is dropped with the socket.
            ctx.channel().config().setAutoRead(false);
            session.close(POLICY_VIOLATION, "too many frames: at most " + budget.limit() + " a minute");
            return;
        }
        switch (frame) {
            case TextWebSocketFrame text -> onText(text.text());
            case PingWebSocketFrame ping -> session.pong(ping.content().retain());
            case CloseWebSocketFrame close ->
                session.closing(
                        WebSocketCloseStatus.isValidStatusCode(close.statusCode())
                                ? close.statusCode()
                                : NORMAL_CLOSURE,
                        "");
            case BinaryWebSocketFrame binary -> sendError(ChatException.input("binary frames are not supported"));
            default -> {}
        }
    }

    private void onText(String text) {
        session.heartbeat(node.clock().instant());
        JsonNode msg;
        try {
            msg = Json.parseRequest(text, "frame");
        } catch (ChatException e) {
            sendError(e);
            return;
        }
        JsonNode first = msg.isArray() && !msg.isEmpty() ? msg.get(0) : msg;
        if (EventType.HEALTH_CHECK.wireName().equals(first.path("type").asText())
                && session.state() == WsSession.OPEN) {
            session.send(Unpooled.wrappedBuffer(Json.writeBytes(Events.healthCheck(
                    session.connectionId(), null, node.clock().instant()))));
        }
    }

    private void sendError(ChatException e) {
        var event = Json.object();
        event.put("type", "error");
        event.set("error", Events.envelope(e, ""));
        session.send(Unpooled.wrappedBuffer(Json.writeBytes(event)));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            session.close(GOING_AWAY, "no frame received within the idle timeout");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session.markClosed() == WsSession.OPEN) {
            node.blockingExecutor().execute(() -> disconnect());
        }
        super.channelInactive(ctx);
    }

    private void disconnect() {
        try {
            node.disconnect(session);
        } catch (RuntimeException e) {
            log.warn("cleaning up {} failed", session, e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            session.close(MESSAGE_TOO_BIG, "frame too large or malformed");
            return;
        }
        if (cause instanceof TooLongFrameException) { // a fragmented message past the bound, from the aggregator
            session.close(
                    MESSAGE_TOO_BIG, "message larger than " + node.config().maxFrameBytes() + " bytes");
            return;
        }
        log.debug("socket error on {}", session, cause);
        ctx.close();
    }
}
