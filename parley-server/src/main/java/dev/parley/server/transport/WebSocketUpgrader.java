package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.ChatNode;
import dev.parley.server.events.Events;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /connect} handshake (PROTOCOL.md §3, §4.1). Checks key, {@code json} and token on the event
 * loop, accepts the upgrade in every case, then either refuses with one error frame and a close with 1000
 * (§3.3), or hands the user work to {@link ChatNode#connect} on a virtual thread and writes its
 * {@code health.check} as the first frame. After the upgrade the HTTP handlers leave the pipeline.
 */
final class WebSocketUpgrader {
    private static final Logger log = LoggerFactory.getLogger(WebSocketUpgrader.class);

    static final int NORMAL_CLOSURE = 1000;

    private final ChatNode node;

    WebSocketUpgrader(ChatNode node) {
        this.node = node;
    }

    /** @param query the request's query parameters, decoded once by the caller */
    void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> query) {
        if (!req.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            HttpHandler.writeError(
                    ctx, ChatException.input("a WebSocket upgrade needs a Sec-WebSocket-Key header"), false);
            return;
        }
        ConnectParams params = null;
        ChatException refusal = null;
        try {
            params = ConnectParams.parse(query, req.headers(), node.authenticator());
        } catch (ChatException e) {
            refusal = e;
        }
        int maxFrame = node.config().maxFrameBytes();
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(wsUrl(req), null, true, maxFrame).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        Channel ch = ctx.channel();
        String userId = params != null ? params.userId() : "";
        String client = params != null ? params.client() : req.headers().get("x-stream-client");
        WsSession session = new WsSession(
                ch,
                UUID.randomUUID().toString(),
                userId,
                client,
                req.headers().get(HttpHeaderNames.USER_AGENT),
                node.clock().instant(),
                node.metrics());
        ChannelPipeline p = ch.pipeline();
        try {
            handshaker.handshake(ch, req).addListener(f -> {
                if (!f.isSuccess()) {
                    ch.close();
                }
            });
        } catch (WebSocketHandshakeException e) { // thrown before anything is written or the pipeline changes
            HttpHandler.writeError(ctx, ChatException.input("not a valid WebSocket upgrade: " + e.getMessage()), false);
            return;
        }
        p.remove(HttpHandler.class);
        if (p.get(BodyLimit.class) != null) {
            p.remove(BodyLimit.class); // an HTTP handler too: an open socket keeps no HTTP state
        }
        if (p.get(UploadHandler.class) != null) {
            p.remove(UploadHandler.class);
        }
        HttpExchanges.leave(p); // HTTP deadlines end here; the socket's own idle timeout follows
        p.addLast(new WebSocketFrameAggregator(maxFrame));
        long idleMillis = node.config().idleTimeout().toMillis();
        p.addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(new WebSocketHandler(node, session));
        if (refusal != null) {
            refuse(ch, session, refusal);
            return;
        }
        ConnectParams ok = requireNonNull(params, "params"); // parsed: nothing refused it
        try {
            node.blockingExecutor().execute(() -> connect(ch, session, ok));
        } catch (RejectedExecutionException e) {
            refuse(ch, session, new ChatException(ErrorCode.INTERNAL, "server is shutting down"));
        }
    }

    private void connect(Channel ch, WsSession session, ConnectParams params) {
        ObjectNode me;
        try {
            me = node.connect(params.identity(), params.userId(), params.userDetails(), session);
        } catch (ChatException e) {
            ch.eventLoop().execute(() -> refuse(ch, session, e));
            return;
        } catch (RuntimeException e) {
            ChatException cause = unwrap(e);
            if (cause == null) {
                log.error("connect of user '{}' failed", params.userId(), e);
                cause = new ChatException(ErrorCode.INTERNAL, "internal error; the server log has details");
            }
            ChatException refusal = cause;
            ch.eventLoop().execute(() -> refuse(ch, session, refusal));
            return;
        }
        ObjectNode hc =
                Events.healthCheck(session.connectionId(), me, node.clock().instant());
        io.netty.buffer.ByteBuf frame = Unpooled.wrappedBuffer(Json.writeBytes(hc));
        try {
            // The socket opens on its event loop: a frame that loop writes for an event delivered meanwhile would
            // otherwise go out before the handshake frame queued from here, and Stream's SDKs take the first frame
            // of a socket for its health.check (docs/PROTOCOL.md §3).
            ch.eventLoop().execute(() -> opened(session, frame));
        } catch (RejectedExecutionException e) {
            frame.release();
            node.disconnect(session);
        }
    }

    /** On the socket's event loop: writes the handshake frame, then what was held back. */
    private void opened(WsSession session, io.netty.buffer.ByteBuf healthCheck) {
        if (!session.open(healthCheck)) {
            try {
                node.blockingExecutor().execute(() -> node.disconnect(session));
            } catch (RejectedExecutionException e) {
                log.debug("server stopping: the closed socket {} is left to the shutdown", session.connectionId());
            }
            return;
        }
        node.metrics().connected();
    }

    private void refuse(Channel ch, WsSession session, ChatException e) {
        session.markClosed();
        node.metrics().connectRefused(e.code());
        ObjectNode frame = Events.connectionError(e, node.clock().instant());
        ch.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(Json.writeBytes(frame))));
        String reason = e.getMessage();
        session.closing(NORMAL_CLOSURE, reason);
    }

    private static @Nullable ChatException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ChatException c) {
                return c;
            }
        }
        return null;
    }

    private static String wsUrl(FullHttpRequest req) {
        String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
        return "ws://" + host + "/connect";
    }
}
