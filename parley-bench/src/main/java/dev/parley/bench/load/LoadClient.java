package dev.parley.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One simulated user's socket: opens the WebSocket, sends the dialect's hello, resolves {@link #ready}
 * with the first frame (connect latency is measured from the TCP connect to that frame), answers pings,
 * sends heartbeats, and records the delivery latency of every bench message it reads (warm-up messages
 * are ignored). Runs on its channel's event loop only.
 */
public final class LoadClient extends SimpleChannelInboundHandler<Object> {
    private final Generator gen;
    private final WebSocketClientHandshaker handshaker;
    final String userId;
    private final String token;
    private final long startNanos;
    /** Completes with this client once accepted; fails when refused or closed first. */
    public final CompletableFuture<LoadClient> ready = new CompletableFuture<>();

    private final java.util.Map<Integer, CompletableFuture<String>> replies = new java.util.HashMap<>();

    @SuppressWarnings("NullAway.Init") // set in channelActive, before any other callback runs
    private Channel channel;

    private String connectionId = "";
    private @Nullable ScheduledFuture<?> heartbeats;
    private int seq = 1;
    private long heartbeatSentNanos;
    private long floodStartNanos;
    private volatile long received;
    private volatile int closeCode = -1;

    LoadClient(Generator gen, WebSocketClientHandshaker handshaker, String userId, String token) {
        this.gen = gen;
        this.handshaker = handshaker;
        this.userId = userId;
        this.token = token;
        this.startNanos = System.nanoTime();
    }

    public String connectionId() {
        return connectionId;
    }

    public String userId() {
        return userId;
    }

    public String token() {
        return token;
    }

    public long received() {
        return received;
    }

    /** The close code the server sent, or -1. */
    public int closeCode() {
        return closeCode;
    }

    public boolean isOpen() {
        return channel != null && channel.isActive();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        handshaker.handshake(channel);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            try {
                handshaker.finishHandshake(channel, (FullHttpResponse) msg);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            String hello = gen.dialect.hello(userId, token);
            if (hello != null) {
                seq = 2;
                channel.writeAndFlush(new TextWebSocketFrame(hello));
            }
            return;
        }
        switch (msg) {
            case TextWebSocketFrame t -> onText(t.text());
            case PingWebSocketFrame p ->
                channel.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
            case CloseWebSocketFrame c -> {
                closeCode = c.statusCode();
                channel.close();
            }
            default -> {}
        }
    }

    private void onText(String frame) {
        // Centrifuge writes several replies and pushes into one frame, one per line
        if (ready.isDone() && frame.indexOf('\n') >= 0) {
            for (String part : frame.split("\n")) {
                if (!part.isBlank()) {
                    onMessage(part);
                }
            }
            return;
        }
        onMessage(frame);
    }

    private void onMessage(String text) {
        if (!ready.isDone()) {
            long micros = (System.nanoTime() - startNanos) / 1000;
            if (gen.dialect.accepted(text)) {
                connectionId = gen.dialect.connectionId(text);
                gen.connectLatency.record(micros);
                gen.connectsOk.increment();
                if (gen.heartbeatSeconds > 0) {
                    long h = gen.heartbeatSeconds;
                    heartbeats = channel.eventLoop().scheduleAtFixedRate(this::heartbeat, h, h, TimeUnit.SECONDS);
                }
                if (gen.slow.test(this)) {
                    channel.config().setAutoRead(false);
                }
                ready.complete(this);
            } else {
                fail(new IllegalStateException("refused: " + text));
            }
            return;
        }
        if (text.contains(Dialect.WARMUP_TEXT)) {
            return; // a warm-up message: neither a delivery nor a heartbeat answer
        }
        received++;
        long sent = Dialect.sendMicros(text);
        if (sent > 0) {
            gen.delivered.increment();
            gen.deliveryLatency.record(Generator.nowMicros() - sent);
            return;
        }
        if (heartbeatSentNanos != 0 && floodStartNanos == 0) {
            gen.heartbeatRtt.record((System.nanoTime() - heartbeatSentNanos) / 1000);
            heartbeatSentNanos = 0;
        }
        int id = replyId(text);
        if (id > 0) {
            CompletableFuture<String> f = replies.remove(id);
            if (f != null) {
                f.complete(text);
            }
        }
    }

    private static int replyId(String text) {
        if (!text.startsWith("{\"id\":")) {
            return -1;
        }
        int v = 0;
        for (int p = 6; p < text.length() && Character.isDigit(text.charAt(p)); p++) {
            v = v * 10 + (text.charAt(p) - '0');
        }
        return v;
    }

    private void heartbeat() {
        if (channel.isActive()) {
            heartbeatSentNanos = System.nanoTime();
            channel.writeAndFlush(new TextWebSocketFrame(gen.dialect.heartbeat(userId, seq++)));
        }
    }

    /**
     * Sends {@code perSecond} heartbeats a second, in bursts every 10 ms, while reading nothing: the slow
     * consumer of W5 without channels. The time from here to the server's close goes to the cut histogram.
     */
    public void flood(int perSecond) {
        channel.eventLoop().execute(() -> {
            channel.config().setAutoRead(false);
            floodStartNanos = System.nanoTime();
            int burst = Math.max(1, perSecond / 100);
            channel.eventLoop()
                    .scheduleAtFixedRate(
                            () -> {
                                if (!channel.isActive()) {
                                    throw new IllegalStateException("closed"); // ends the schedule
                                }
                                for (int i = 0; i < burst; i++) {
                                    channel.write(new TextWebSocketFrame(gen.dialect.heartbeat(userId, seq++)));
                                }
                                channel.flush();
                            },
                            10,
                            10,
                            TimeUnit.MILLISECONDS);
        });
    }

    /** Sends a command frame built with the next sequence number and completes with the reply to it. */
    public CompletableFuture<String> command(java.util.function.IntFunction<String> frame) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            int id = seq++;
            replies.put(id, reply);
            channel.writeAndFlush(new TextWebSocketFrame(frame.apply(id)));
        });
        return reply;
    }

    /** Closes with 1000, as {@code disconnectUser()} does; the server closes the TCP connection. */
    public void close() {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(1000, "bench done"));
            channel.eventLoop().schedule(() -> channel.close(), 5, TimeUnit.SECONDS);
        }
    }

    private void fail(Throwable e) {
        if (!ready.isDone()) {
            gen.connectsFailed.increment();
            ready.completeExceptionally(e);
        }
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        fail(new IllegalStateException("closed before the first frame"));
        if (floodStartNanos != 0) {
            gen.cutLatency.record((System.nanoTime() - floodStartNanos) / 1000);
        }
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            gen.onClosed(this);
        }
        replies.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
        replies.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }
}
