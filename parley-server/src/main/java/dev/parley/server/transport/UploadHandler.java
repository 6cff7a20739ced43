package dev.parley.server.transport;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.ChatNode;
import dev.parley.server.api.HttpCall;
import dev.parley.server.api.HttpResult;
import dev.parley.server.api.RestApi;
import dev.parley.server.events.Events;
import dev.parley.server.migration.ImportTasks;
import dev.parley.server.uploads.Uploads;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upload requests ({@link Uploads#isUploadRoute}), taken out of the pipeline before the aggregator so that
 * no upload body is ever held in memory. For each one:
 * <ol>
 *   <li>the head alone is checked on a virtual thread ({@link RestApi#admit}: key, token, channel, uploads
 *       on, permission) while the channel reads nothing. A refusal is answered at once with
 *       {@code Connection: close} and never with {@code 100 Continue}; the connection then closes, after
 *       reading and dropping what the client still sends for at most {@link BodyLimit#DRAIN_SECONDS} and
 *       {@link BodyLimit#MAX_DRAIN_BYTES}, so that a client sending without {@code Expect} sees the answer;</li>
 *   <li>once admitted, {@code 100 Continue} if asked for; the body goes chunk by chunk to Netty's multipart
 *       decoder, which runs on a virtual thread (it writes to disk) and keeps parts past
 *       {@link #IN_MEMORY_BYTES} in files of the upload store's incoming folder. At most {@link #QUEUE_HIGH}
 *       bytes wait for the decoder; past that the channel stops reading until they are decoded;</li>
 *   <li>at the last chunk, the decoded form goes to {@link RestApi#handle}, which moves the file into the
 *       store; then the answer.</li>
 * </ol>
 * An upload that receives no byte for the stall timeout is answered 408 (code 23) and the connection
 * closed. Its files are deleted on every path: after the answer, on a refusal, a decoder error, a stall,
 * the body limit ({@link BodyLimit#REFUSED}) or the connection closing. Requests that arrive behind an
 * upload wait (at most {@link #MAX_WAITING_BYTES}) until it is answered, so answers keep their order. One
 * instance per connection; event loop only, except the decoder, which only its upload's
 * {@link SerialExecutor} touches.
 */
final class UploadHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);

    /** Parts up to this size stay in memory; larger ones go to disk as they arrive. */
    static final long IN_MEMORY_BYTES = 16 * 1024;

    /** Most parts in one upload body; more is code 4. */
    static final int MAX_PARTS = 16;

    /** Most bytes the decoder may hold while it waits for the end of a part's headers (or the first boundary). */
    static final int MAX_PART_HEADER_BYTES = 8 * 1024;

    /** Largest text field (such as {@code user}) read; a larger one is code 4. */
    static final int MAX_FIELD_BYTES = 16 * 1024;

    /** Body bytes queued for the decoder before the channel stops reading. */
    static final long QUEUE_HIGH = 256 * 1024;

    /** Queued bytes under which a channel stopped by {@link #QUEUE_HIGH} reads again. */
    static final long QUEUE_LOW = 64 * 1024;

    /**
     * Bytes that may arrive while the channel is told not to read (those already read from the socket):
     * body bytes during the head's checks, or the requests behind an upload. Past it the connection closes.
     */
    static final long MAX_WAITING_BYTES = 1024 * 1024;

    private final ChatNode node;
    private final RestApi api;
    private final HttpDataFactory files;
    private final long stallNanos;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private @Nullable Upload current;

    UploadHandler(ChatNode node, RestApi api, HttpDataFactory files) {
        this.node = node;
        this.api = api;
        this.files = files;
        this.stallNanos = node.config().uploadStallTimeout().toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (current != null) {
            if (!current.lastSeen && msg instanceof HttpContent c) {
                current.content(ctx, c);
            } else {
                wait(ctx, msg);
            }
            return;
        }
        if (msg instanceof HttpRequest req
                && req.decoderResult().isSuccess()
                && supportedExpectation(req)
                && isStreamed(req.method().name(), HttpHandler.routingPath(req.uri()))) {
            current = new Upload(ctx, req);
            current.admit();
            if (msg instanceof HttpContent c) {
                current.content(ctx, c);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether the route's body is streamed here: a channel upload (a form) or an import file (raw bytes). */
    static boolean isStreamed(String method, String path) {
        return Uploads.isUploadRoute(method, path) || ImportTasks.isUploadRoute(method, path);
    }

    /** Other expectations than 100-continue are left to the aggregator, which answers 417. */
    private static boolean supportedExpectation(HttpRequest req) {
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        return expect == null || HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    /** Holds a message that came behind the current upload until it is answered. */
    private void wait(ChannelHandlerContext ctx, Object msg) {
        waiting.add(msg);
        waitingBytes += msg instanceof HttpContent c ? c.content().readableBytes() : 1024;
        if (waitingBytes > MAX_WAITING_BYTES) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == BodyLimit.REFUSED && current != null && !current.lastSeen) {
            // BodyLimit has answered 22 and drops the rest of the body: let it read, and forget this upload.
            current.abort();
            current = null;
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.abort();
            current = null;
        }
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (current != null) {
            current.abort();
            current = null;
        }
        releaseWaiting();
    }

    private void releaseWaiting() {
        for (Object m = waiting.poll(); m != null; m = waiting.poll()) {
            ReferenceCountUtil.release(m);
        }
        waitingBytes = 0;
    }

    /** Ends the current upload and goes on with what waited behind it. */
    private void finished(ChannelHandlerContext ctx, Upload upload) {
        if (current != upload) {
            return;
        }
        current = null;
        waitingBytes = 0;
        ctx.channel().config().setAutoRead(true);
        while (current == null && !waiting.isEmpty()) {
            channelRead(ctx, waiting.poll());
        }
        if (current != null && !waiting.isEmpty()) {
            // A pipelined upload started: the rest waits behind it again.
            ArrayDeque<Object> rest = new ArrayDeque<>(waiting);
            waiting.clear();
            rest.forEach(m -> channelRead(ctx, m));
        }
    }

    private enum State {
        ADMITTING,
        RECEIVING,
        REFUSED,
        DONE
    }

    /** One upload request. Fields are the event loop's, except {@code decoder} (serial tasks only) and the atomics. */
    private final class Upload {
        private final ChannelHandlerContext ctx;
        private final HttpRequest head;
        private final HttpCall call;
        private final boolean keepAlive;
        private final boolean expectContinue;
        private final String endpoint;
        private final SerialExecutor serial = new SerialExecutor(node.blockingExecutor());
        private final ArrayDeque<HttpContent> early = new ArrayDeque<>();
        private final AtomicLong queued = new AtomicLong();
        private final AtomicBoolean paused = new AtomicBoolean();
        private final AtomicBoolean aborted = new AtomicBoolean();
        private State state = State.ADMITTING;
        private boolean lastSeen;
        private long earlyBytes;
        private long drained;
        private long lastByteNanos;
        private @Nullable ScheduledFuture<?> stallTimer;
        private @Nullable HttpPostRequestDecoder decoder;
        /** The body of an import file, which is not a form; null for a channel upload. */
        private @Nullable RawBody raw;

        private final boolean rawBody;

        Upload(ChannelHandlerContext ctx, HttpRequest head) {
            this.ctx = ctx;
            this.head = head;
            QueryStringDecoder q = new QueryStringDecoder(head.uri());
            String path = HttpHandler.normalise(q.path());
            this.call = HttpHandler.toCall(head, path, q, new byte[0], HttpHandler.hostOf(ctx));
            this.keepAlive = HttpUtil.isKeepAlive(head);
            this.expectContinue = HttpUtil.is100ContinueExpected(head);
            this.rawBody = ImportTasks.isUploadRoute(head.method().name(), path);
            this.endpoint = rawBody ? "UploadImportFile" : path.endsWith("/image") ? "UploadImage" : "UploadFile";
        }

        /** Checks the head on a virtual thread while the channel reads nothing. */
        void admit() {
            ctx.channel().config().setAutoRead(false);
            try {
                node.blockingExecutor().execute(() -> {
                    Optional<HttpResult> answer = check();
                    ctx.executor().execute(() -> admitted(answer));
                });
            } catch (RejectedExecutionException e) {
                admitted(Optional.of(error(new ChatException(ErrorCode.INTERNAL, "server is shutting down"))));
            }
        }

        private Optional<HttpResult> check() {
            try {
                Optional<HttpResult> refusal = api.admit(call);
                if (refusal.isEmpty() && !rawBody && !HttpPostRequestDecoder.isMultipart(head)) {
                    refusal = Optional.of(error(ChatException.input(endpoint + " failed with error: \"Content-Type "
                            + "must be multipart/form-data with a boundary\"")));
                }
                return refusal;
            } catch (RuntimeException e) {
                log.error("cannot check upload {}", call.path(), e);
                return Optional.of(
                        error(new ChatException(ErrorCode.INTERNAL, "internal error; the server log has details")));
            }
        }

        private void admitted(Optional<HttpResult> refusal) {
            if (state != State.ADMITTING) {
                return; // aborted meanwhile
            }
            if (refusal.isPresent()) {
                refuse(refusal.get(), !lastSeen && !expectContinue);
                return;
            }
            state = State.RECEIVING;
            serial.execute(this::openDecoder);
            if (expectContinue && !lastSeen) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
            lastByteNanos = System.nanoTime();
            stallTimer = ctx.executor().schedule(this::checkStall, stallNanos, TimeUnit.NANOSECONDS);
            for (HttpContent c = early.poll(); c != null; c = early.poll()) {
                decode(c);
            }
            earlyBytes = 0;
            if (!lastSeen && !paused.get()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        void content(ChannelHandlerContext ctx, HttpContent c) {
            boolean last = c instanceof LastHttpContent;
            if (c.decoderResult().isFailure()) {
                ReferenceCountUtil.release(c);
                lastSeen = true;
                fail(ChatException.input("malformed HTTP request"));
                return;
            }
            switch (state) {
                case ADMITTING -> {
                    early.add(c);
                    earlyBytes += c.content().readableBytes();
                    lastSeen = last;
                    if (earlyBytes > MAX_WAITING_BYTES) {
                        ctx.close();
                    }
                }
                case RECEIVING -> decode(c);
                case REFUSED -> {
                    drained += c.content().readableBytes();
                    ReferenceCountUtil.release(c);
                    lastSeen = last;
                    if (last || drained > BodyLimit.MAX_DRAIN_BYTES) {
                        ctx.close();
                    }
                }
                case DONE -> ReferenceCountUtil.release(c);
            }
        }

        /** Hands a chunk to the decoder; at the last one, the form to the API. */
        private void decode(HttpContent c) {
            int n = c.content().readableBytes();
            lastByteNanos = System.nanoTime();
            if (queued.addAndGet(n) > QUEUE_HIGH && paused.compareAndSet(false, true)) {
                ctx.channel().config().setAutoRead(false);
            }
            serial.execute(() -> offer(c, n));
            if (c instanceof LastHttpContent) {
                lastSeen = true;
                ctx.channel().config().setAutoRead(false);
                serial.execute(this::complete);
            }
        }

        private void openDecoder() {
            if (aborted.get()) {
                return;
            }
            try {
                if (rawBody) {
                    raw = new RawBody(node.imports().incoming());
                    return;
                }
                decoder = new HttpPostRequestDecoder(
                        files, head, StandardCharsets.UTF_8, MAX_PARTS, MAX_PART_HEADER_BYTES);
                decoder.setDiscardThreshold(0);
            } catch (IOException e) {
                decodeFailed(new java.io.UncheckedIOException(e));
            } catch (RuntimeException e) {
                decodeFailed(e);
            }
        }

        private void offer(HttpContent c, int n) {
            try {
                if (raw != null && !aborted.get()) {
                    raw.write(c.content());
                } else if (decoder != null && !aborted.get()) {
                    decoder.offer(c);
                }
            } catch (IOException e) {
                decodeFailed(new java.io.UncheckedIOException(e));
            } catch (RuntimeException e) {
                decodeFailed(e);
            } finally {
                c.release();
                if (queued.addAndGet(-n) <= QUEUE_LOW && paused.compareAndSet(true, false)) {
                    ctx.executor().execute(() -> {
                        if (current == this && state == State.RECEIVING && !lastSeen) {
                            ctx.channel().config().setAutoRead(true);
                        }
                    });
                }
            }
        }

        /** On the serial executor: the decoder has failed; refuse the upload and delete its files. */
        private void decodeFailed(RuntimeException e) {
            ChatException refusal = refusal(e);
            destroyDecoder();
            ctx.executor().execute(() -> fail(refusal));
        }

        private ChatException refusal(RuntimeException e) {
            String detail;
            if (e instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
                detail = "more than " + MAX_PARTS + " parts";
            } else if (e instanceof HttpPostRequestDecoder.TooLongFormFieldException) {
                detail = "a part's headers (or what precedes the first boundary) are longer than "
                        + MAX_PART_HEADER_BYTES + " bytes";
            } else if (e.getCause() instanceof IOException io) {
                log.warn("cannot write an upload body to disk", io);
                return new ChatException(
                        ErrorCode.INTERNAL, endpoint + " failed with error: \"the upload could not " + "be written\"");
            } else {
                log.debug("malformed upload body", e);
                detail = "the body is not valid multipart/form-data";
            }
            return ChatException.input(endpoint + " failed with error: \"malformed multipart body: " + detail + "\"");
        }

        /** On the serial executor, after the last chunk: runs the API with the decoded form. */
        private void complete() {
            RawBody body = raw;
            HttpPostRequestDecoder form = decoder;
            if ((form == null && body == null) || aborted.get()) {
                destroyDecoder();
                return;
            }
            HttpResult result;
            try {
                result = api.handle(call.withForm(
                        body != null ? body.form() : DecodedForm.of(requireNonNull(form), endpoint, MAX_FIELD_BYTES)));
            } catch (IOException e) {
                log.warn("cannot write an import file to disk", e);
                result = error(new ChatException(
                        ErrorCode.INTERNAL, endpoint + " failed with error: \"the file could not be written\""));
            } catch (ChatException e) {
                result = error(e);
            } catch (RuntimeException e) {
                log.error("upload {} failed", call.path(), e);
                result = error(new ChatException(ErrorCode.INTERNAL, "internal error; the server log has details"));
            } finally {
                destroyDecoder();
            }
            HttpResult answer = result;
            ctx.executor().execute(() -> answer(answer));
        }

        private void destroyDecoder() {
            if (raw != null) {
                raw.destroy();
                raw = null;
            }
            if (decoder != null) {
                decoder.destroy();
                decoder = null;
            }
        }

        private void answer(HttpResult result) {
            if (state != State.RECEIVING) {
                return;
            }
            state = State.DONE;
            cancelStallTimer();
            if (ctx.channel().isActive()) {
                HttpHandler.write(ctx, result.status(), result.body(), keepAlive);
            }
            finished(ctx, this);
        }

        /** Refuses the upload with Connection: close; {@code drain} reads and drops the rest of the body first. */
        private void refuse(HttpResult result, boolean drain) {
            state = State.REFUSED;
            cancelStallTimer();
            releaseEarly();
            var written = HttpHandler.respond(ctx, result.status(), result.body(), false);
            if (!drain) {
                written.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            drained = earlyBytes;
            ctx.executor().schedule(() -> ctx.close(), BodyLimit.DRAIN_SECONDS, TimeUnit.SECONDS);
            ctx.channel().config().setAutoRead(true);
        }

        /** On the event loop: refuses an admitted upload whose body cannot be taken. */
        private void fail(ChatException e) {
            if (state == State.REFUSED || state == State.DONE) {
                return;
            }
            abortDecoding();
            refuse(error(e), !lastSeen && e.code() != ErrorCode.REQUEST_TIMEOUT.code());
        }

        private void checkStall() {
            if (state != State.RECEIVING || lastSeen) {
                return;
            }
            long idle = System.nanoTime() - lastByteNanos;
            if (paused.get() || idle < stallNanos) {
                stallTimer = ctx.executor()
                        .schedule(
                                this::checkStall, paused.get() ? stallNanos : stallNanos - idle, TimeUnit.NANOSECONDS);
                return;
            }
            fail(new ChatException(
                    ErrorCode.REQUEST_TIMEOUT,
                    endpoint + " failed with error: \"no body byte arrived for "
                            + TimeUnit.NANOSECONDS.toSeconds(stallNanos) + " seconds\""));
        }

        /** The connection is gone, or another handler has answered: drop everything. */
        void abort() {
            if (state == State.DONE) {
                return;
            }
            state = State.DONE;
            cancelStallTimer();
            releaseEarly();
            abortDecoding();
        }

        private void abortDecoding() {
            if (aborted.compareAndSet(false, true)) {
                serial.execute(this::destroyDecoder);
            }
        }

        private void releaseEarly() {
            for (HttpContent c = early.poll(); c != null; c = early.poll()) {
                c.release();
            }
        }

        private void cancelStallTimer() {
            if (stallTimer != null) {
                stallTimer.cancel(false);
                stallTimer = null;
            }
        }
    }

    private static HttpResult error(ChatException e) {
        return new HttpResult(e.statusCode(), Events.envelope(e, ""));
    }
}
