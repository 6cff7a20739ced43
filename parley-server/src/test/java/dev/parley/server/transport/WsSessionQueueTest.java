package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The outbound queue of one socket as the inspector and the metrics see it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WsSessionQueueTest {

    private static double sample(Metrics m, String series) {
        for (String line : m.scrape().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series);
    }

    @Test
    void outboundQueueBytesCountWhatIsWrittenButNotYetFlushed() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WsSession s = new WsSession(ch, "c1", "u1", "probe", "ua", Instant.now(), new Metrics());
        assertThat(s.outboundQueueBytes()).isZero();
        ch.write(Unpooled.copiedBuffer("0123456789", StandardCharsets.UTF_8));
        assertThat(s.outboundQueueBytes()).isGreaterThanOrEqualTo(10); // Netty adds its per-entry overhead
        ch.flush();
        assertThat(s.outboundQueueBytes()).isZero();
        ((ByteBuf) ch.readOutbound()).release();
        ch.finishAndReleaseAll();
    }

    @Test
    void aFullOutboundBufferDropsTheFrameAndClosesTheSlowConsumerWith1013() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Metrics metrics = new Metrics();
        WsSession s = new WsSession(ch, "c2", "u2", "probe", "ua", Instant.now(), metrics);
        assertThat(s.open(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8))).isTrue();
        ((TextWebSocketFrame) ch.readOutbound()).release();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        s.send(Unpooled.copiedBuffer("{\"type\":\"x\"}", StandardCharsets.UTF_8));
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1013);
        close.release();
        assertThat(sample(metrics, "parley_outbound_drops_total")).isEqualTo(1.0);
        assertThat(sample(metrics, "parley_slow_consumer_disconnects_total")).isEqualTo(1.0);
        ch.finishAndReleaseAll();
    }

    @Test
    void aPongPastTheOutboundBoundIsDroppedAndCutsTheSocketWith1013AndStopsReadingIt() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Metrics metrics = new Metrics();
        WsSession s = new WsSession(ch, "c3", "", "probe", "ua", Instant.now(), metrics);
        s.pong(Unpooled.copiedBuffer("p1", StandardCharsets.UTF_8));
        assertThat(ch.<Object>readOutbound()).isInstanceOf(PongWebSocketFrame.class);
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

        s.pong(Unpooled.copiedBuffer("p2", StandardCharsets.UTF_8));
        s.pong(Unpooled.copiedBuffer("p3", StandardCharsets.UTF_8));

        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1013);
        close.release();
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.config().isAutoRead()).isFalse();
        assertThat(sample(metrics, "parley_slow_consumer_disconnects_total")).isEqualTo(1.0);
        ch.finishAndReleaseAll();
    }
}
