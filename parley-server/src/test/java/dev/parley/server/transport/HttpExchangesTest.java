package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Order and deadlines of the exchanges on one HTTP connection, on an embedded channel with a frozen clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HttpExchangesTest {
    private static final Duration HEAD = Duration.ofSeconds(10);
    private static final Duration BODY = Duration.ofSeconds(30);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(60);

    /** Holds each whole request until the test answers it, as a handler working on another thread does. */
    private static final class Answerer extends SimpleChannelInboundHandler<FullHttpRequest> {
        final ArrayDeque<String> waiting = new ArrayDeque<>();
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            waiting.add(req.uri());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // the aggregator's complaint when a connection closes mid-body, as the server's handler sees it
        }

        void answerNext() {
            String uri = waiting.poll();
            FullHttpResponse res = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("<" + uri + ">", StandardCharsets.UTF_8));
            res.headers().setInt("content-length", res.content().readableBytes());
            ctx.writeAndFlush(res);
        }
    }

    private final Answerer answerer = new Answerer();
    private EmbeddedChannel ch;

    private EmbeddedChannel channel(int minRate) {
        HttpExchanges exchanges = new HttpExchanges(HEAD, BODY, KEEP_ALIVE, minRate);
        ch = new EmbeddedChannel();
        ch.freezeTime(); // before the handlers are added: their deadlines start on the frozen clock
        ch.pipeline()
                .addLast(
                        exchanges.wire(),
                        new HttpServerCodec(),
                        exchanges,
                        new HttpObjectAggregator(1 << 20),
                        answerer);
        return ch;
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private void send(String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private String written() {
        StringBuilder s = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            s.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return s.toString();
    }

    private void advance(Duration d) {
        ch.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    private static List<String> bodies(String wire) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("HTTP/1.1 200 OK\r\n.*?\r\n\r\n<(/\\w+)>", Pattern.DOTALL)
                .matcher(wire);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void pipelinedRequestsReachTheHandlerOneAtATimeAndAreAnsweredInRequestOrder() {
        channel(0);
        send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
        assertThat(answerer.waiting).containsExactly("/a");
        assertThat(ch.config().isAutoRead()).isFalse();

        answerer.answerNext();
        assertThat(answerer.waiting).containsExactly("/b");
        answerer.answerNext();
        answerer.answerNext();

        assertThat(bodies(written())).containsExactly("/a", "/b", "/c");
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void pipelinedRequestsPastTheBoundAreDroppedAndTheConnectionClosesAfterTheHeldOnesAreAnswered() {
        channel(0);
        StringBuilder many = new StringBuilder();
        int sent = 1 + HttpExchanges.MAX_HELD_REQUESTS + 3;
        for (int i = 0; i < sent; i++) {
            many.append("GET /r").append(i).append(" HTTP/1.1\r\n\r\n");
        }
        send(many.toString());

        int answered = 0;
        while (!answerer.waiting.isEmpty()) {
            answerer.answerNext();
            answered++;
        }

        String wire = written();
        assertThat(answered).isEqualTo(1 + HttpExchanges.MAX_HELD_REQUESTS);
        assertThat(bodies(wire)).hasSize(answered).first().isEqualTo("/r0");
        assertThat(wire.substring(wire.lastIndexOf("HTTP/1.1 200"))).containsIgnoringCase("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAnAnswerAtTheHeadTimeout() {
        channel(0);
        advance(HEAD.minusMillis(1));
        assertThat(ch.isOpen()).isTrue();

        advance(Duration.ofMillis(1));

        assertThat(ch.isOpen()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void aHeadThatArrivesByteByByteIsAnswered408AtTheHeadTimeout() {
        channel(0);
        String head = "GET /slow HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < head.length() && ch.isOpen(); i++) {
            send(head.substring(i, i + 1));
            advance(Duration.ofSeconds(1));
        }

        String wire = written();
        assertThat(wire)
                .startsWith("HTTP/1.1 408 Request Timeout")
                .containsIgnoringCase("connection: close")
                .contains("\"code\":23");
        assertThat(ch.isOpen()).isFalse();
        assertThat(answerer.waiting).isEmpty();
    }

    @Test
    void aKeptAliveConnectionWaitsForItsNextRequestUntilTheKeepAliveTimeoutThenClosesSilently() {
        channel(0);
        send("GET /a HTTP/1.1\r\n\r\n");
        answerer.answerNext();
        written();

        advance(KEEP_ALIVE.minusMillis(1));
        assertThat(ch.isOpen()).isTrue();
        advance(Duration.ofMillis(1));

        assertThat(ch.isOpen()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void theNextRequestOnAKeptAliveConnectionHasTheHeadTimeoutFromItsFirstByte() {
        channel(0);
        send("GET /a HTTP/1.1\r\n\r\n");
        answerer.answerNext();
        written();
        advance(Duration.ofSeconds(5));

        send("GET /b HT");
        advance(HEAD);

        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aBodySlowerThanTheMinimumRateIsAnswered408() {
        channel(1000);
        send("POST /up HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
        for (int s = 0; s < 100 && ch.isOpen(); s++) {
            send("x".repeat(100)); // 100 B/s, a tenth of the minimum
            advance(Duration.ofSeconds(1));
        }

        assertThat(written()).startsWith("HTTP/1.1 408").contains("\"code\":23");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aBodyAtTheMinimumRateMayTakeLongerThanTheBodyTimeout() {
        channel(1000);
        int seconds = (int) BODY.toSeconds() * 3;
        send("POST /up HTTP/1.1\r\nContent-Length: " + (seconds * 1000) + "\r\n\r\n");
        for (int s = 0; s < seconds; s++) {
            send("x".repeat(1000));
            advance(Duration.ofSeconds(1));
            assertThat(ch.isOpen()).as("open after %d s", s + 1).isTrue();
        }

        assertThat(answerer.waiting).containsExactly("/up");
        assertThat(written()).isEmpty();
    }

    @Test
    void timeTheServerTakesToAnswerDoesNotCountAgainstTheClient() {
        channel(0);
        send("GET /a HTTP/1.1\r\n\r\n");

        advance(KEEP_ALIVE.multipliedBy(3));
        assertThat(ch.isOpen()).isTrue();

        answerer.answerNext();
        assertThat(bodies(written())).containsExactly("/a");
    }
}
