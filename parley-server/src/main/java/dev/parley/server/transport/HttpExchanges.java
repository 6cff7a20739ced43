package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.events.Events;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The request/answer exchanges of one HTTP/1.1 connection, between the codec and the handlers that answer:
 * answers leave in the order the requests came, and every wait on the client has a deadline.
 *
 * <p><b>Order.</b> One request is answered at a time. Once a request has arrived whole, the connection stops
 * reading until its final answer is written. Requests that the codec had already decoded from the same read
 * (a pipelining client) are held back and passed on one by one, each after the previous answer. At most
 * {@link #MAX_HELD_REQUESTS} are held: a request past that is dropped with everything after it, and the
 * connection closes once the held requests are answered (the last answer says {@code Connection: close});
 * a pipelining client must retry what was not answered. Since reading stops, what is held is bounded by one
 * read of the socket.
 *
 * <p><b>Deadlines.</b> They run only while the connection waits on the client:
 * <ul>
 *   <li>waiting for a request of which no byte has come: {@code keepAlive} after the last answer, or
 *       {@code head} after connecting; past it the connection closes without an answer;
 *   <li>a request head begun: {@code head} from its first byte (from connecting, on a new connection); past
 *       it 408 (code 23) and the connection closes;
 *   <li>a body: {@code body} from the end of its head, plus one second for every {@code minRate} bytes
 *       received, so that a large upload at a steady rate is not cut; past it 408 and the connection closes.
 * </ul>
 * Time the server takes to answer does not count, nor time in which a handler behind this one stopped
 * reading on purpose (auto-read off): a deadline reached then starts over.
 *
 * <p>A byte of the next request is seen by {@link #wire()}, which sits before the codec. Bytes of the next
 * request that come in the same read as the end of the previous one are not seen as such: if the client then
 * stalls, its connection closes at the keep-alive deadline without a 408. After a WebSocket upgrade both
 * handlers leave the pipeline ({@link #leave}). One instance per connection; event loop only.
 */
final class HttpExchanges extends ChannelDuplexHandler {
    /** Pipelined requests held back on one connection while an earlier one is answered. */
    static final int MAX_HELD_REQUESTS = 16;

    /** How long a 408 may take to leave before the connection is closed without it. */
    static final long TIMEOUT_ANSWER_GRACE_MILLIS = 1_000;

    private enum Phase {
        IDLE,
        HEAD,
        BODY,
        SERVER
    }

    private final long headNanos;
    private final long bodyNanos;
    private final long keepAliveNanos;
    private final int minRate;
    private final Wire wire = new Wire();

    private final ArrayDeque<HttpObject> held = new ArrayDeque<>();
    private int heldRequests;

    @SuppressWarnings("NullAway.Init") // set in handlerAdded, before Netty calls any other method
    private ChannelHandlerContext ctx;

    private Phase phase = Phase.IDLE;
    private long deadline = Long.MAX_VALUE;
    private long bodyBytes;
    private @Nullable ScheduledFuture<?> timer;
    private long timerAt;
    private int unanswered;
    private boolean requestOpen;
    private boolean answeringFinal;
    private boolean finalAnswerSent;
    private boolean overflowed;
    private boolean paused;
    private boolean draining;

    /**
     * @param head time to a complete request head
     * @param body time to a complete body, before what {@code minRate} adds
     * @param keepAlive time a kept-alive connection may wait for its next request
     * @param minRate bytes per second of body that earn one more second; 0 earns nothing
     */
    HttpExchanges(Duration head, Duration body, Duration keepAlive, int minRate) {
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
        this.keepAliveNanos = keepAlive.toNanos();
        this.minRate = minRate;
    }

    /** The handler to place before the HTTP codec: it notices the first byte of a request. */
    ChannelHandler wire() {
        return wire;
    }

    /** Takes both handlers out of {@code pipeline}, as after a WebSocket upgrade. */
    static void leave(ChannelPipeline pipeline) {
        HttpExchanges exchanges = pipeline.get(HttpExchanges.class);
        if (exchanges != null) {
            pipeline.remove(exchanges.wire);
            pipeline.remove(exchanges);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        phase = Phase.IDLE;
        arm(now() + headNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
        if (paused) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean partOfOpenRequest = requestOpen && held.isEmpty() && !(msg instanceof HttpRequest);
        if ((finalAnswerSent && !partOfOpenRequest) || overflowed) {
            ReferenceCountUtil.release(msg); // the connection closes once the answers are out
            return;
        }
        if (!held.isEmpty() || (unanswered > 0 && !requestOpen)) {
            hold(http);
            return;
        }
        pass(http);
        settle();
    }

    private void hold(HttpObject msg) {
        if (msg instanceof HttpRequest) {
            if (heldRequests == MAX_HELD_REQUESTS) {
                overflowed = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            heldRequests++;
        }
        held.add(msg);
    }

    private void pass(HttpObject msg) {
        if (msg instanceof HttpRequest) {
            unanswered++;
            requestOpen = true;
            phase = Phase.BODY;
            bodyBytes = 0;
            arm(now() + bodyNanos);
        }
        if (msg instanceof HttpContent c) {
            bodyBytes += c.content().readableBytes();
        }
        if (msg instanceof LastHttpContent) {
            requestOpen = false;
            settle(); // stop reading before the request is handled: it may be answered at once
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse res) {
            answeringFinal = res.status().codeClass() != HttpStatusClass.INFORMATIONAL;
            if (answeringFinal && overflowed && unanswered == 1 && held.isEmpty()) {
                HttpUtil.setKeepAlive(res, false);
            }
            if (answeringFinal && !HttpUtil.isKeepAlive(res)) {
                finalAnswerSent = true;
                releaseHeld();
            }
        }
        if (msg instanceof LastHttpContent && answeringFinal) {
            answeringFinal = false;
            boolean close = finalAnswerSent;
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> answered(f.isSuccess(), close));
            ctx.write(msg, p);
            return;
        }
        ctx.write(msg, promise);
    }

    private void answered(boolean written, boolean close) {
        if (!written || ctx.isRemoved()) {
            return;
        }
        unanswered = Math.max(0, unanswered - 1);
        if (close) {
            if (overflowed) {
                ctx.close();
            }
            return; // whoever wrote the answer closes after it
        }
        drain();
    }

    private void drain() {
        if (draining) {
            return; // an answer written synchronously while passing a held request on
        }
        draining = true;
        try {
            while (!held.isEmpty() && !(unanswered > 0 && !requestOpen) && !ctx.isRemoved()) {
                HttpObject next = held.poll();
                if (next instanceof HttpRequest) {
                    heldRequests--;
                }
                pass(next);
            }
        } finally {
            draining = false;
        }
        settle();
    }

    /** Brings reading and the deadline in line with the state of the exchanges. */
    private void settle() {
        if (ctx.isRemoved() || finalAnswerSent) {
            return;
        }
        if (requestOpen) {
            resume();
        } else if (unanswered > 0 || !held.isEmpty()) {
            phase = Phase.SERVER;
            deadline = Long.MAX_VALUE;
            pause();
        } else if (phase == Phase.BODY || phase == Phase.SERVER) {
            phase = Phase.IDLE;
            arm(now() + keepAliveNanos);
            resume();
        }
    }

    /** The first byte of a read: the next request has begun if none was under way. */
    private void bytesArrived() {
        if (phase == Phase.IDLE && !finalAnswerSent && ctx != null && !ctx.isRemoved()) {
            phase = Phase.HEAD;
            arm(Math.min(deadline, now() + headNanos));
        }
    }

    private void pause() {
        if (!paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resume() {
        if (paused) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Sets the deadline; the timer fires no later than it, and fires early only to look again. */
    private void arm(long at) {
        deadline = at;
        if (timer == null || timerAt > at) {
            cancelTimer();
            timerAt = at;
            timer = ctx.executor().schedule(this::expire, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (ctx.isRemoved() || finalAnswerSent || !ctx.channel().isActive() || deadline == Long.MAX_VALUE) {
            return;
        }
        long now = now();
        long due = phase == Phase.BODY && minRate > 0 ? deadline + bodyBytes * 1_000_000_000L / minRate : deadline;
        if (now < due) {
            timerAt = due;
            timer = ctx.executor().schedule(this::expire, due - now, TimeUnit.NANOSECONDS);
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // a handler behind this one stopped reading: the wait is the server's, so the client's time starts over
            if (phase == Phase.BODY) {
                bodyBytes = 0;
            }
            arm(now + (phase == Phase.BODY ? bodyNanos : headNanos));
            return;
        }
        switch (phase) {
            case IDLE -> ctx.close();
            case HEAD -> timeOut("the request head did not arrive within " + millis(headNanos) + " ms");
            case BODY -> {
                if (unanswered > 0) {
                    timeOut("the request body did not arrive within its time (" + millis(bodyNanos)
                            + " ms, plus one second for every " + minRate + " bytes received)");
                } else {
                    ctx.close(); // answered already (a refused body still arriving)
                }
            }
            case SERVER -> {}
        }
    }

    private void timeOut(String message) {
        finalAnswerSent = true;
        releaseHeld();
        ctx.channel().config().setAutoRead(false);
        ChatException e = new ChatException(ErrorCode.REQUEST_TIMEOUT, message);
        HttpHandler.respond(ctx, e.statusCode(), Events.envelope(e, ""), false)
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> ctx.close(), TIMEOUT_ANSWER_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void releaseHeld() {
        HttpObject m;
        while ((m = held.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        heldRequests = 0;
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Sees every read before the codec, so that a request's first byte starts the head deadline. */
    private final class Wire extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytesArrived();
            ctx.fireChannelRead(msg);
        }
    }
}
