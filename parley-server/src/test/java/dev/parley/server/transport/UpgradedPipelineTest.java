package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.session.Session;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An open socket keeps no HTTP state: what its pipeline holds after the upgrade. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpgradedPipelineTest {

    @Test
    void afterTheUpgradeNoHttpHandlerIsLeftInTheSocketsPipeline() {
        try (TestServer server = TestServer.start();
                WsProbe ws = WsProbe.connect(
                        server, "pia", server.userToken("pia"), Json.object().put("id", "pia"))) {
            assertThat(ws.next("health.check")).isNotNull();
            Session s = server.server().node().registry().sessionsOf("pia").getFirst();

            List<Class<?>> handlers = ((WsSession) s)
                    .channel().pipeline().toMap().values().stream()
                            .map(ChannelHandler::getClass)
                            .<Class<?>>map(c -> c)
                            .toList();

            assertThat(handlers)
                    .doesNotContain(
                            HttpServerCodec.class,
                            BodyLimit.class,
                            BoundedAggregator.class,
                            HttpObjectAggregator.class,
                            HttpHandler.class,
                            UploadHandler.class,
                            HttpExchanges.class);
            assertThat(handlers).contains(WebSocketHandler.class).hasSize(5);
        }
    }
}
