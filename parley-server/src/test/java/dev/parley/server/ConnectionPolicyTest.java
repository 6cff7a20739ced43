package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import dev.parley.server.usage.ConnectionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** {@code max_connections_per_user} with each {@code connection_policy}, from flags and from {@code PATCH /app}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionPolicyTest {
    private TestServer server;
    private final List<WsProbe> open = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger policyLog = (Logger) LoggerFactory.getLogger(ConnectionPolicy.class);

    private void start(Consumer<ServerConfig.Builder> config) {
        server = TestServer.start(config);
        logs.start();
        policyLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        policyLog.detachAppender(logs);
        open.forEach(WsProbe::close);
        if (server != null) {
            server.close();
        }
    }

    private WsProbe socket(String user) {
        WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object());
        open.add(ws);
        return ws;
    }

    private WsProbe connected(String user) {
        WsProbe ws = socket(user);
        assertThat(ws.next().path("type").asText()).isEqualTo("health.check");
        return ws;
    }

    private int sockets(String user) {
        return server.server().node().registry().connectionCount(user);
    }

    private long crossingLogs(String user) {
        return logs.list.stream()
                .filter(e -> e.getFormattedMessage().contains("'" + user + "'"))
                .count();
    }

    @Test
    void warnKeepsEverySocketAndLogsTheCrossingOnceWithTheClients() {
        start(b -> b.maxConnectionsPerUser(2).connectionPolicy(ConnectionPolicy.Mode.WARN));
        for (int i = 0; i < 4; i++) {
            connected("wanda");
        }
        assertThat(sockets("wanda")).isEqualTo(4);
        assertThat(crossingLogs("wanda")).isEqualTo(1);
        assertThat(logs.list.get(0).getFormattedMessage())
                .contains("parley-test-probe")
                .contains("warn");
        String metrics = server.server().node().metrics().scrape();
        assertThat(metrics).contains("parley_connection_limit_exceeded_total{policy=\"warn\"} 2.0");
    }

    @Test
    void userWhoFellBackUnderTheLimitIsLoggedAgainOnTheNextCrossing() {
        start(b -> b.maxConnectionsPerUser(1).connectionPolicy(ConnectionPolicy.Mode.WARN));
        WsProbe a = connected("walt");
        connected("walt");
        a.close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> sockets("walt") == 1);
        connected("walt");
        assertThat(crossingLogs("walt")).isEqualTo(1);
        open.get(1).close();
        open.get(2).close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> sockets("walt") == 0);
        connected("walt");
        connected("walt");
        assertThat(crossingLogs("walt")).isEqualTo(2);
    }

    @Test
    void rejectNewRefusesTheExtraSocketWithCode71AndClose1000() {
        start(b -> b.maxConnectionsPerUser(2).connectionPolicy(ConnectionPolicy.Mode.REJECT_NEW));
        WsProbe first = connected("rita");
        connected("rita");
        WsProbe third = socket("rita");
        ObjectNode frame = third.next();
        assertThat(frame.path("type").asText()).isEqualTo("connection.error");
        assertThat(frame.at("/error/code").asInt()).isEqualTo(71);
        assertThat(frame.at("/error/StatusCode").asInt()).isEqualTo(429);
        assertThat(frame.at("/error/message").asText()).contains("max_connections_per_user: 2");
        assertThat(third.closeCode()).isEqualTo(1000);
        assertThat(sockets("rita")).isEqualTo(2);
        assertThat(first.isClosed()).isFalse();
        assertThat(crossingLogs("rita")).isEqualTo(1);
        assertThat(server.server().node().metrics().scrape())
                .contains("parley_connect_refusals_total{code=\"71\"} 1.0");
    }

    @Test
    void closeOldestClosesTheOldestSocketWithAReconnectableCode() {
        start(b -> b.maxConnectionsPerUser(2).connectionPolicy(ConnectionPolicy.Mode.CLOSE_OLDEST));
        WsProbe oldest = connected("olga");
        WsProbe middle = connected("olga");
        WsProbe newest = connected("olga");
        assertThat(oldest.closeCode())
                .isEqualTo(ConnectionPolicy.CLOSE_OLDEST_CODE)
                .isNotEqualTo(1000);
        await().atMost(5, TimeUnit.SECONDS).until(() -> sockets("olga") == 2);
        assertThat(middle.isClosed()).isFalse();
        assertThat(newest.isClosed()).isFalse();
        assertThat(crossingLogs("olga")).isEqualTo(1);
    }

    @Test
    void patchAppSetsTheLimitAndThePolicyWhileRunningAndNullRestoresTheDefaults() {
        start(b -> {});
        RestClient rest = RestClient.server(server);
        connected("pat");
        connected("pat");
        ObjectNode patch = Json.object().put("max_connections_per_user", 2).put("connection_policy", "reject_new");
        assertThat(rest.patch("/app", patch).status()).isEqualTo(200);
        assertThat(rest.get("/parley/usage/current")
                        .json()
                        .path("connection_policy")
                        .asText())
                .isEqualTo("reject_new");
        WsProbe refused = socket("pat");
        assertThat(refused.next().at("/error/code").asInt()).isEqualTo(71);

        ObjectNode reset = Json.object().putNull("max_connections_per_user").putNull("connection_policy");
        assertThat(rest.patch("/app", reset).status()).isEqualTo(200);
        connected("pat");
        assertThat(sockets("pat")).isEqualTo(3);
    }

    @Test
    void patchAppRefusesAnUnknownPolicyOrANegativeLimitWithCode4() {
        start(b -> {});
        RestClient rest = RestClient.server(server);
        ObjectNode bad = rest.patch("/app", Json.object().put("connection_policy", "kill_all"))
                .json();
        assertThat(bad.path("code").asInt()).isEqualTo(4);
        assertThat(bad.path("message").asText()).contains("warn, reject_new or close_oldest");
        assertThat(rest.patch("/app", Json.object().put("max_connections_per_user", -1))
                        .json()
                        .path("code")
                        .asInt())
                .isEqualTo(4);
    }
}
