package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server-initiated closes (PROTOCOL.md §3.5) and settings that need their own server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLifecycleTest {

    @Test
    void silentSocketIsClosedWith1001() {
        try (TestServer server = TestServer.start(b -> b.idleTimeout(Duration.ofMillis(500)));
                WsProbe ws = WsProbe.connect(server, "nia", server.userToken("nia"), Json.object())) {
            ws.next("health.check");
            assertThat(ws.closeCode()).isEqualTo(1001);
        }
    }

    @Test
    void shutdownClosesSocketsWith1012AndMarksUsersOffline() {
        TestServer server = TestServer.start();
        WsProbe ws = WsProbe.connect(server, "oli", server.userToken("oli"), Json.object());
        ws.next("health.check");
        ChatNode node = server.server().node();
        server.server().close();
        assertThat(ws.closeCode()).isEqualTo(1012);
        ws.close();
        // the node's store is closed now: reopen the same data to read what it left
        try (TestServer again = TestServer.restartOnDataOf(server, b -> {})) {
            var user = again.server().node().store().findUser("oli").orElseThrow();
            assertThat(user.online()).isFalse();
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            assertThat(again.server().node().store().peakConnections(today, today))
                    .containsEntry(today, 1);
        } finally {
            server.close();
        }
        assertThat(node.registry().totalConnections()).isZero();
    }

    @Test
    void devTokensAreAcceptedWhenAuthChecksAreDisabled() {
        try (TestServer server = TestServer.start(b -> b.disableAuthChecks(true));
                WsProbe ws = WsProbe.connect(server, "pam", Jwt.devToken("pam"), Json.object())) {
            ObjectNode f = ws.next();
            assertThat(f.path("type").asText()).isEqualTo("health.check");
            assertThat(f.at("/me/id").asText()).isEqualTo("pam");
        }
    }

    @Test
    void connectStillWorksWhileAnotherUserIsRefused() {
        try (TestServer server = TestServer.start();
                WsProbe bad = WsProbe.connect(server, "quin", "x.y.z", Json.object());
                WsProbe good = WsProbe.connect(server, "rae", server.userToken("rae"), Json.object())) {
            assertThat(bad.next().path("type").asText()).isEqualTo("connection.error");
            assertThat(good.next().path("type").asText()).isEqualTo("health.check");
        }
    }
}
