package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.ChatApiException;
import dev.parley.client.ConnectResponse;
import dev.parley.client.ConnectionChangedEvent;
import dev.parley.client.ConnectionFailedException;
import dev.parley.client.ConnectionRecoveredEvent;
import dev.parley.client.DisconnectedException;
import dev.parley.client.Event;
import dev.parley.client.HealthCheckEvent;
import dev.parley.client.LogCapture;
import dev.parley.client.Tokens;
import dev.parley.protocol.User;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session state machine, driven through a fake socket on a manual clock: no network, no sleeps. */
@Timeout(10)
class SessionTest {
    static final String SECRET = "unit-test-secret-0123456789abcdef0123456789";

    final ManualScheduler scheduler = new ManualScheduler();
    final FakeSockets sockets = new FakeSockets();
    final LogCapture log = new LogCapture();
    final ConnectionLeakRegistry registry = new ConnectionLeakRegistry();
    final List<Event> events = new ArrayList<>();
    final List<Throwable> endings = new ArrayList<>();
    final User maria = User.builder("maria").build();

    @AfterEach
    void closeLog() {
        log.close();
    }

    ClientConfig config() {
        return new ClientConfig(
                "key",
                "http://127.0.0.1:8080",
                null,
                Duration.ofSeconds(3),
                Duration.ofSeconds(15),
                Duration.ofSeconds(25),
                Duration.ofSeconds(35),
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                false,
                true,
                null,
                log.logger(),
                "test-agent");
    }

    Session session(TokenManager tokens) {
        return new Session(
                maria,
                tokens,
                "\tat here\n",
                config(),
                scheduler,
                sockets,
                new Backoff(new SplittableRandom(1)::nextLong),
                new Session.Listener() {
                    @Override
                    public void onEvent(Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onEnded(Session session, Throwable cause) {
                        endings.add(cause);
                    }
                },
                (s, cids) -> rewatch.apply(cids),
                registry);
    }

    /** What the re-watch after a reconnect answers; tests may replace it. */
    java.util.function.Function<java.util.Set<String>, CompletableFuture<Void>> rewatch =
            cids -> CompletableFuture.completedFuture(null);

    Session connected() {
        Session s = session(TokenManager.ofToken("maria", Tokens.user(SECRET, "maria")));
        s.start();
        scheduler.runDue();
        sockets.last().healthCheck("c1", "maria");
        scheduler.runDue();
        return s;
    }

    static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void theFirstHealthCheckCompletesTheConnectWithConnectionIdAndOwnUser() {
        Session s = connected();
        ConnectResponse r = s.connected().join();
        assertThat(r.connectionId()).isEqualTo("c1");
        assertThat(r.me().id()).isEqualTo("maria");
        assertThat(r.me().unreadCount()).isEqualTo(3);
        assertThat(s.connectionId()).isEqualTo("c1");
        assertThat(registry.snapshot())
                .singleElement()
                .satisfies(c -> assertThat(c.connectionId()).isEqualTo("c1"));
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(HealthCheckEvent.class);
        assertThat(events.get(1))
                .isInstanceOfSatisfying(
                        ConnectionChangedEvent.class,
                        e -> assertThat(e.online()).isTrue());
    }

    @Test
    void theSocketUrlCarriesTheParametersOfSection31() {
        connected();
        String query = URLDecoder.decode(sockets.last().uri.getRawQuery(), StandardCharsets.UTF_8);
        assertThat(sockets.last().uri.getPath()).isEqualTo("/connect");
        assertThat(sockets.last().uri.getScheme()).isEqualTo("ws");
        assertThat(query)
                .startsWith("json={\"user_id\":\"maria\",\"user_details\":{\"id\":\"maria\"},\"client_request_id\":\"")
                .contains("&api_key=key&authorization=ey")
                .endsWith("&stream-auth-type=jwt&X-Stream-Client=test-agent");
    }

    @Test
    void aHeartbeatIsSentTwentyFiveSecondsAfterEachHealthCheck() {
        Session s = connected();
        FakeSockets.FakeSocket socket = sockets.last();
        scheduler.advance(Duration.ofSeconds(24));
        assertThat(socket.sent).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(socket.sent)
                .singleElement()
                .asString()
                .isEqualTo("[{\"type\":\"health.check\",\"client_id\":\"" + s.clientId() + "\"}]");
        socket.pong("c1");
        scheduler.advance(Duration.ofSeconds(25));
        assertThat(socket.sent).hasSize(2);
        assertThat(sockets.opened).hasSize(1);
    }

    @Test
    void thirtyFiveSecondsOfSilenceReplaceTheSocket() {
        connected();
        FakeSockets.FakeSocket first = sockets.last();
        scheduler.advance(Duration.ofSeconds(34));
        assertThat(first.aborted).isFalse();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(first.aborted).isTrue();
        scheduler.advance(Duration.ofMillis(2500)); // backoff after one failure: 250-2500 ms
        assertThat(sockets.opened).hasSize(2);
    }

    @Test
    void aServerCloseWith1000IsFinal() {
        Session s = connected();
        sockets.last().handler.onClosed(1000, "bye");
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(sockets.opened).hasSize(1);
        assertThat(s.ended()).isTrue();
        assertThat(endings).singleElement().isInstanceOf(ConnectionFailedException.class);
        assertThat(registry.snapshot()).isEmpty();
        assertThat(events)
                .last()
                .isInstanceOfSatisfying(
                        ConnectionChangedEvent.class,
                        e -> assertThat(e.online()).isFalse());
    }

    @Test
    void aServiceRestartCloseReconnectsAtOnceWithANewConnectionIdAndRecovers() {
        Session s = connected();
        sockets.last().handler.onClosed(1012, "service restart");
        scheduler.runDue();
        assertThat(sockets.opened).hasSize(2);
        assertThat(s.connectionId()).isNull();
        assertThat(s.awaitConnection()).isNotDone();
        sockets.last().healthCheck("c2", "maria");
        scheduler.runDue();
        assertThat(s.connectionId()).isEqualTo("c2");
        assertThat(s.awaitConnection()).isCompletedWithValue("c2");
        assertThat(events)
                .last()
                .isInstanceOfSatisfying(
                        ConnectionRecoveredEvent.class,
                        e -> assertThat(e.connectionId()).isEqualTo("c2"));
        assertThat(registry.snapshot())
                .singleElement()
                .satisfies(c -> assertThat(c.connectionId()).isEqualTo("c2"));
    }

    @Test
    void aFailedRewatchIsTriedAgainBeforeConnectionRecoveredAndWarnsOnlyWhenEveryTryFails() {
        List<java.util.Set<String>> asked = new ArrayList<>();
        rewatch = cids -> {
            asked.add(cids);
            return asked.size() == 1
                    ? CompletableFuture.failedFuture(new java.io.IOException("connection reset"))
                    : CompletableFuture.completedFuture(null);
        };
        Session s = connected();
        s.watchedChannels().add("messaging:general");
        sockets.last().handler.onClosed(1012, "service restart");
        scheduler.runDue();
        sockets.last().healthCheck("c2", "maria");
        scheduler.runDue();
        assertThat(asked).hasSize(1);
        assertThat(events).last().isNotInstanceOf(ConnectionRecoveredEvent.class);

        scheduler.advance(Session.REWATCH_RETRY_DELAY);

        assertThat(asked).hasSize(2).allSatisfy(cids -> assertThat(cids).containsExactly("messaging:general"));
        assertThat(events).last().isInstanceOf(ConnectionRecoveredEvent.class);
        assertThat(log.warnings()).isEmpty();

        rewatch = cids -> CompletableFuture.failedFuture(new java.io.IOException("still down"));
        sockets.last().handler.onClosed(1012, "service restart");
        scheduler.runDue();
        sockets.last().healthCheck("c3", "maria");
        scheduler.runDue();
        scheduler.advance(Session.REWATCH_RETRY_DELAY.multipliedBy(Session.REWATCH_ATTEMPTS));
        assertThat(log.warnings()).containsExactly("Re-watching channels after reconnect failed");
        assertThat(events)
                .last()
                .isInstanceOfSatisfying(
                        ConnectionRecoveredEvent.class,
                        e -> assertThat(e.connectionId()).isEqualTo("c3"));
    }

    @Test
    void anAbnormalCloseReconnectsWithBackoffAndReportsOfflineAfterTheGrace() {
        connected();
        sockets.last().handler.onClosed(1006, "");
        scheduler.runDue();
        assertThat(sockets.opened).hasSize(1);
        sockets.refuse = true;
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(events)
                .last()
                .isInstanceOfSatisfying(
                        ConnectionChangedEvent.class,
                        e -> assertThat(e.online()).isFalse());
        sockets.refuse = false;
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(sockets.opened).hasSize(2);
    }

    @Test
    void anErrorFrameFailsTheConnectWithItsCodeStatusAndMessage() {
        Session s = session(TokenManager.ofToken("maria", Tokens.user(SECRET, "maria")));
        s.start();
        scheduler.runDue();
        sockets.last().errorFrame(43, 401, "JWTAuth error: signature is not valid");
        scheduler.runDue();
        assertThat(failure(s.connected())).isInstanceOfSatisfying(ChatApiException.class, e -> {
            assertThat(e.code()).isEqualTo(43);
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.getMessage())
                    .isEqualTo("WS failed with code 43 and reason - JWTAuth error: signature is not valid");
        });
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(sockets.opened).hasSize(1);
        assertThat(endings).hasSize(1);
    }

    @Test
    void code40WithATokenProviderReloadsTheTokenAndRetriesOnce() {
        AtomicInteger loads = new AtomicInteger();
        Session s = session(TokenManager.ofProvider(
                "maria",
                () -> {
                    loads.incrementAndGet();
                    return Tokens.user(SECRET, "maria", java.time.Instant.now().plusSeconds(loads.get() * 60L));
                },
                Runnable::run));
        s.start();
        scheduler.runDue();
        sockets.last().errorFrame(40, 401, "JWTAuth error: token has expired");
        scheduler.runDue();
        assertThat(loads).hasValue(2);
        assertThat(sockets.opened).hasSize(2);
        assertThat(sockets.opened.get(1).uri).isNotEqualTo(sockets.opened.get(0).uri);
        sockets.last().errorFrame(40, 401, "JWTAuth error: token has expired");
        scheduler.runDue();
        assertThat(failure(s.connected())).isInstanceOf(ChatApiException.class);
        assertThat(loads).hasValue(2);
    }

    @Test
    void code40WithAStaticTokenFailsTheConnect() {
        Session s = session(TokenManager.ofToken("maria", Tokens.user(SECRET, "maria")));
        s.start();
        scheduler.runDue();
        sockets.last().errorFrame(40, 401, "JWTAuth error: token has expired");
        scheduler.runDue();
        assertThat(((ChatApiException) failure(s.connected())).tokenExpired()).isTrue();
        assertThat(sockets.opened).hasSize(1);
    }

    @Test
    void disconnectClosesWith1000AndFailsAPendingConnect() {
        Session s = session(TokenManager.ofToken("maria", Tokens.user(SECRET, "maria")));
        s.start();
        scheduler.runDue();
        CompletableFuture<Void> done = s.disconnect();
        scheduler.runDue();
        assertThat(done).isCompleted();
        assertThat(sockets.last().closeCode).isEqualTo(1000);
        assertThat(failure(s.connected()))
                .isInstanceOf(DisconnectedException.class)
                .hasMessage("Connection was closed because disconnectUser() was called");
        assertThatThrownBy(s::ensureActive)
                .isInstanceOf(DisconnectedException.class)
                .hasMessageContaining("disconnectUser() was called");
        assertThat(endings).isEmpty();
    }

    @Test
    void framesOfAReplacedSocketAreIgnored() {
        Session s = connected();
        FakeSockets.FakeSocket old = sockets.last();
        old.handler.onClosed(1001, "going away");
        scheduler.runDue();
        old.pong("c1");
        old.handler.onClosed(1006, "");
        scheduler.runDue();
        assertThat(sockets.opened).hasSize(2);
        sockets.last().healthCheck("c2", "maria");
        scheduler.runDue();
        assertThat(s.connectionId()).isEqualTo("c2");
    }

    @Test
    void transportFailuresBeforeTheFirstHandshakeGiveUpAfterTheConnectTimeout() {
        sockets.refuse = true;
        Session s = session(TokenManager.ofToken("maria", Tokens.user(SECRET, "maria")));
        s.start();
        scheduler.advance(Duration.ofSeconds(40));
        assertThat(failure(s.connected()))
                .isInstanceOf(ConnectionFailedException.class)
                .hasMessage("initial WS connection could not be established");
    }

    @Test
    void aProviderTokenForAnotherUserFailsTheConnect() {
        Session s = session(TokenManager.ofProvider("maria", () -> Tokens.user(SECRET, "leo"), Runnable::run));
        s.start();
        scheduler.runDue();
        assertThat(failure(s.connected()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("userToken does not have a user_id or is not matching with user.id");
        assertThat(sockets.opened).isEmpty();
    }
}
