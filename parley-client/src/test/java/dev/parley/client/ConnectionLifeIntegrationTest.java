package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.transport.JdkTransport;
import dev.parley.client.transport.OkHttpTransport;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.User;
import dev.parley.server.app.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Closes, restarts and idle sockets: what reconnects and what does not (PROTOCOL.md §3.4, §3.5). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jdk", "okhttp"})
class ConnectionLifeIntegrationTest {

    /** Every test runs on both transports. */
    @Parameter
    String transportName;

    Transport.Factory transport() {
        return transportName.equals("okhttp") ? OkHttpTransport.factory() : JdkTransport.factory();
    }

    final LogCapture log = new LogCapture();
    final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
        log.close();
    }

    <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    ChatClient client(String baseUrl, java.util.function.Consumer<ChatClient.Builder> options) {
        ChatClient.Builder b = ChatClient.builder(TestServer.API_KEY)
                .baseUrl(baseUrl)
                .logger(log.logger())
                .transport(transport());
        options.accept(b);
        return track(b.build());
    }

    static String token(String userId) {
        return Tokens.user(TestServer.API_SECRET, userId);
    }

    @Test
    void disconnectUserClosesWith1000AndNothingReconnects() {
        TestServer server = track(TestServer.start());
        ChatClient client = client(server.baseUrl(), b -> {});
        List<Event> changes = new CopyOnWriteArrayList<>();
        client.on(LocalEventType.CONNECTION_CHANGED, changes::add);
        client.connectUser(User.builder("amy").build(), token("amy")).join();
        client.disconnectUser().join();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.server().node().registry().connectionCount("amy") == 0);
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(4))
                .until(() -> server.server().node().registry().connectionCount("amy") == 0);
        assertThat(client.connectionId()).isEmpty();
        assertThat(changes).hasSize(1);
    }

    @Test
    void aServerRestartClosesWith1012AndTheClientReconnectsAndRecovers(@TempDir Path dataDir) throws IOException {
        ServerConfig config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(freePort())
                .apiKey(TestServer.API_KEY)
                .apiSecret(TestServer.API_SECRET)
                .dataDir(dataDir)
                .build();
        ParleyServer first = ParleyServer.start(config);
        String baseUrl = "http://127.0.0.1:" + config.port();
        ChatClient client = client(baseUrl, b -> {});
        List<Event> events = new CopyOnWriteArrayList<>();
        client.on(events::add);
        String before = client.connectUser(User.builder("bob").build(), token("bob"))
                .join()
                .connectionId();

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.connectionId().isEmpty());
        ParleyServer second = track(ParleyServer.start(config));

        await().atMost(Duration.ofSeconds(15))
                .until(() -> events.stream().anyMatch(ConnectionRecoveredEvent.class::isInstance));
        String after = client.connectionId().orElseThrow();
        assertThat(after).isNotEqualTo(before);
        assertThat(second.node().registry().connectionCount("bob")).isEqualTo(1);
        assertThat(events)
                .filteredOn(ConnectionRecoveredEvent.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((ConnectionRecoveredEvent) e).connectionId())
                        .isEqualTo(after));
        assertThat(ChatClient.openConnections())
                .filteredOn(c -> c.baseUrl().equals(baseUrl))
                .extracting(OpenConnection::connectionId)
                .containsExactly(after);
    }

    @Test
    void heartbeatsKeepAnIdleConnectionAliveBeyondTheServersIdleTimeout() {
        TestServer server = track(TestServer.start(b -> b.idleTimeout(Duration.ofSeconds(2))));
        ChatClient client = client(
                server.baseUrl(),
                b -> b.heartbeatInterval(Duration.ofMillis(500)).watchdogTimeout(Duration.ofSeconds(5)));
        String id = client.connectUser(User.builder("cid").build(), token("cid"))
                .join()
                .connectionId();
        await().during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(8))
                .until(() -> client.connectionId().equals(Optional.of(id))
                        && server.server().node().registry().connectionCount("cid") == 1);
        assertThat(server.server().node().registry().totalConnections()).isEqualTo(1);
    }

    @Test
    void withoutHeartbeatsTheServerClosesIdleSocketsWith1001AndTheClientReconnectsAtOnce() {
        TestServer server = track(TestServer.start(b -> b.idleTimeout(Duration.ofSeconds(1))));
        ChatClient client = client(
                server.baseUrl(),
                b -> b.heartbeatInterval(Duration.ofSeconds(30)).watchdogTimeout(Duration.ofSeconds(40)));
        List<Event> recovered = new CopyOnWriteArrayList<>();
        client.on(ConnectionRecoveredEvent.class, recovered::add);
        String id = client.connectUser(User.builder("dee").build(), token("dee"))
                .join()
                .connectionId();
        await().atMost(Duration.ofSeconds(10)).until(() -> !recovered.isEmpty());
        assertThat(client.connectionId()).isPresent().get().isNotEqualTo(id);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
