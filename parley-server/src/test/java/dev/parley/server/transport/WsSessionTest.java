package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WsSessionTest {

    /** Swallows every write without completing it, as a peer that stopped reading leaves them queued. */
    private static final class StuckPeer extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }
    }

    @Test
    void aCloseStuckBehindUnreadFramesIsForcedAfterTheGrace() {
        StuckPeer peer = new StuckPeer();
        EmbeddedChannel ch = new EmbeddedChannel(peer);
        WsSession session = new WsSession(ch, "c1", "u1", "", "", Instant.EPOCH, new Metrics());
        session.close(WsSession.SLOW_CONSUMER_CODE, "slow consumer");
        ch.runPendingTasks();
        assertThat(ch.isActive()).isTrue();

        ch.advanceTimeBy(WsSession.CLOSE_GRACE_MILLIS + 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isActive()).isFalse();
        peer.held.forEach(ReferenceCountUtil::release);
    }

    @Test
    void repeatedClosesSendOneCloseFrame() {
        StuckPeer peer = new StuckPeer();
        EmbeddedChannel ch = new EmbeddedChannel(peer);
        WsSession session = new WsSession(ch, "c1", "u1", "", "", Instant.EPOCH, new Metrics());
        session.open(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            session.close(WsSession.SLOW_CONSUMER_CODE, "slow consumer");
        }
        assertThat(peer.held.stream().filter(CloseWebSocketFrame.class::isInstance))
                .hasSize(1);
        peer.held.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void aCloseReasonIsCutTo123BytesOfUtf8BetweenCharacters() {
        String reason = "é".repeat(100); // 200 bytes
        String cut = WsSession.closeReason(reason);
        assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isEqualTo(122);
        assertThat(reason).startsWith(cut);
        String emoji = "\ud83d\ude00".repeat(40); // 4 bytes each, 160 in all
        assertThat(WsSession.closeReason(emoji)).isEqualTo("\ud83d\ude00".repeat(30));
        assertThat(WsSession.closeReason("short")).isEqualTo("short");
        assertThat(WsSession.closeReason(null)).isEmpty();
    }
}
