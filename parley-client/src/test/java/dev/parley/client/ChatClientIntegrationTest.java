package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.client.transport.JdkTransport;
import dev.parley.client.transport.OkHttpTransport;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.User;
import dev.parley.server.testing.ServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The SDK against a real Parley server on a free port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jdk", "okhttp"})
class ChatClientIntegrationTest {

    /** Every test runs on both transports. */
    @Parameter
    String transportName;

    Transport.Factory transport() {
        return transportName.equals("okhttp") ? OkHttpTransport.factory() : JdkTransport.factory();
    }

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    final LogCapture log = new LogCapture();
    final List<ChatClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
        log.close();
    }

    ChatClient client() {
        return client(b -> {});
    }

    ChatClient client(java.util.function.Consumer<ChatClient.Builder> options) {
        ChatClient.Builder b = ChatClient.builder(server.apiKey())
                .baseUrl(server.baseUrl())
                .logger(log.logger())
                .transport(transport());
        options.accept(b);
        ChatClient c = b.build();
        clients.add(c);
        return c;
    }

    static int sockets(String userId) {
        return server.server().node().registry().connectionCount(userId);
    }

    static User user(String id) {
        return User.builder(id).build();
    }

    @Test
    void connectUserResolvesWithTheConnectionIdAndOwnUser() {
        ChatClient client = client();
        ConnectResponse r = client.connectUser(
                        User.builder("ana").put("name", "Ana").build(), server.userToken("ana"))
                .join();
        assertThat(r.connectionId()).isNotBlank();
        assertThat(r.me().id()).isEqualTo("ana");
        assertThat(r.me().user().name()).isEqualTo("Ana");
        assertThat(r.me().user().online()).isTrue();
        assertThat(client.connectionId()).contains(r.connectionId());
        assertThat(client.user()).hasValueSatisfying(me -> assertThat(me.id()).isEqualTo("ana"));
        assertThat(sockets("ana")).isEqualTo(1);
    }

    @Test
    void theSameUserAgainSharesTheFutureAndTheServerSeesOneSocket() {
        ChatClient client = client();
        CompletableFuture<ConnectResponse> first = client.connectUser(user("bea"), server.userToken("bea"));
        CompletableFuture<ConnectResponse> again = client.connectUser(user("bea"), server.userToken("bea"));
        assertThat(again).isSameAs(first);
        first.join();
        assertThat(client.connectUser(user("bea"), server.userToken("bea"))).isSameAs(first);
        assertThat(sockets("bea")).isEqualTo(1);
        assertThat(log.warnings()).hasSize(2).allMatch(w -> w.startsWith("Consecutive calls to connectUser('bea')"));
    }

    @Test
    void aDifferentUserIsRefusedWhileOneIsConnected() {
        ChatClient client = client();
        client.connectUser(user("cai"), server.userToken("cai")).join();
        assertThatThrownBy(() -> client.connectUser(user("dan"), server.userToken("dan")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Use client.disconnectUser() before trying to connect as a different user.");
        assertThat(sockets("dan")).isZero();
    }

    @Test
    void aClientWithTheSecretWarnsThatConnectingServerSideCostsQuota() {
        ChatClient client = client(b -> b.secret(server.apiSecret()));
        client.connectUser(user("eve"), client.createToken("eve", null)).join();
        assertThat(log.warnings())
                .singleElement()
                .asString()
                .contains("holds the API secret")
                .contains("monthly active user");
    }

    @Test
    void aBadSignatureFailsTheConnectWithCode43AndStatus401() {
        ChatClient client = client();
        String forged = Jwt.userToken("another-secret-0123456789abcdef0123456789", "fay", null, null);
        CompletableFuture<ConnectResponse> f = client.connectUser(user("fay"), forged);
        await().atMost(Duration.ofSeconds(10)).until(f::isDone);
        assertThatThrownBy(f::join).cause().isInstanceOfSatisfying(ChatApiException.class, e -> {
            assertThat(e.code()).isEqualTo(43);
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.fromWebSocket()).isTrue();
            assertThat(e.getMessage()).startsWith("WS failed with code 43 and reason - ");
        });
        assertThat(client.connectionId()).isEmpty();
    }

    @Test
    void anExpiredTokenIsReplacedThroughTheProviderOnTheSocket() {
        AtomicInteger calls = new AtomicInteger();
        ChatClient client = client();
        ConnectResponse r = client.connectUser(
                        user("gus"),
                        () -> calls.incrementAndGet() == 1
                                ? server.userToken("gus", Instant.now().minus(Duration.ofMinutes(5)))
                                : server.userToken("gus", Instant.now().plus(Duration.ofHours(1))))
                .join();
        assertThat(r.me().id()).isEqualTo("gus");
        assertThat(calls).hasValue(2);
        assertThat(sockets("gus")).isEqualTo(1);
    }

    @Test
    void anExpiredTokenIsReplacedThroughTheProviderOnRest() {
        AtomicInteger calls = new AtomicInteger();
        Instant shortExpiry = Instant.now().plusSeconds(1);
        ChatClient client = client();
        client.connectUser(
                        user("hal"),
                        () -> calls.incrementAndGet() == 1
                                ? server.userToken("hal", shortExpiry)
                                : server.userToken("hal", Instant.now().plus(Duration.ofHours(1))))
                .join();
        // the server tolerates 5 s of clock skew on exp
        await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(shortExpiry.plusSeconds(7)));
        User updated = client.partialUpdateUser(PartialUserUpdate.of("hal").set("name", "Hal"))
                .join();
        assertThat(updated.name()).isEqualTo("Hal");
        assertThat(calls).hasValue(2);
    }

    @Test
    void restCallsCarryTheConnectionAndReturnTypedResults() {
        ChatClient client = client();
        client.connectUser(user("ida"), server.userToken("ida")).join();
        List<Event> updates = new CopyOnWriteArrayList<>();
        client.on(UserUpdatedEvent.class, updates::add);
        User saved = client.upsertUser(User.builder("ida").put("name", "Ida").build())
                .join();
        assertThat(saved.name()).isEqualTo("Ida");
        User patched = client.partialUpdateUser(PartialUserUpdate.of("ida").set("mood", "calm"))
                .join();
        assertThat(patched.custom().get("mood").asText()).isEqualTo("calm");
        QueryUsersResponse found = client.queryUsers(
                        QueryUsersRequest.byIds("ida").withPresence(true))
                .join();
        assertThat(found.users()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo("ida");
            assertThat(u.online()).isTrue();
        });
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(updates)
                        .map(e -> ((UserUpdatedEvent) e).user().name())
                        .contains("Ida"));
    }

    @Test
    void listenersRunOnTheGivenCallbackExecutorAsOnAnAndroidMainThread() throws Exception {
        java.util.concurrent.ExecutorService main =
                java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "app-main"));
        try {
            ChatClient client = client(b -> b.callbackExecutor(main));
            List<String> threads = new CopyOnWriteArrayList<>();
            client.on(
                    UserUpdatedEvent.class,
                    e -> threads.add(Thread.currentThread().getName()));
            client.connectUser(user("uma"), server.userToken("uma")).join();
            client.upsertUser(User.builder("uma").put("name", "Uma").build()).join();
            await().atMost(Duration.ofSeconds(5)).until(() -> !threads.isEmpty());
            assertThat(threads).containsOnly("app-main");
        } finally {
            main.shutdownNow();
        }
    }

    @Test
    void aServerSideClientQueriesUsersWithoutConnecting() {
        ChatClient user = client();
        user.connectUser(user("pia"), server.userToken("pia")).join();
        ChatClient backend = client(b -> b.secret(server.apiSecret()));
        assertThat(backend.queryUsers(QueryUsersRequest.byIds("pia")).join().users())
                .extracting(User::id)
                .containsExactly("pia");
    }

    @Test
    void callbacksOnTheConnectFutureDoNotRunOnTheSdkSchedulerThread() {
        ChatClient client = client();
        String thread = client.connectUser(user("quin"), server.userToken("quin"))
                .thenApply(r -> Thread.currentThread().getName())
                .join();
        assertThat(thread).doesNotContain("scheduler");
    }

    @Test
    void restErrorsArriveAsTypedExceptionsWithTheEnvelopeFields() {
        ChatClient client = client();
        client.connectUser(user("jon"), server.userToken("jon")).join();
        assertThatThrownBy(() -> client.partialUpdateUser(
                                PartialUserUpdate.of("jon").set("role", "admin"))
                        .join())
                .cause()
                .isInstanceOfSatisfying(ChatApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(17);
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.fromWebSocket()).isFalse();
                });
    }

    @Test
    void queryUsersWaitsForTheHandshakeInFlight() {
        ChatClient client = client();
        client.connectUser(user("kim"), server.userToken("kim"));
        QueryUsersResponse r = client.queryUsers(QueryUsersRequest.byIds("kim")).join();
        assertThat(r.users()).extracting(User::id).containsExactly("kim");
    }

    @Test
    void theLeakDetectorNamesBothCallSitesWhenTwoClientsConnectTheSameUser() {
        ChatClient first = client();
        first.connectUser(user("lea"), server.userToken("lea")).join();
        assertThat(log.warnings()).isEmpty();
        assertThat(openFor("lea")).hasSize(1);
        ChatClient second = client();
        second.connectUser(user("lea"), server.userToken("lea")).join();
        assertThat(openFor("lea")).hasSize(2);
        assertThat(sockets("lea")).isEqualTo(2);
        assertThat(log.warnings())
                .singleElement()
                .asString()
                .contains("Connection leak: 2 sockets are now open for user 'lea'")
                .containsPattern("(?s)opened by connectUser at:\\s+at "
                        + getClass().getName().replace(".", "\\.")
                        + "\\.theLeakDetectorNames.*opened by connectUser at:\\s+at "
                        + getClass().getName().replace(".", "\\.") + "\\.theLeakDetectorNames");
        second.close();
        assertThat(openFor("lea")).hasSize(1);
    }

    @Test
    void theLeakDetectorStaysSilentForOneClient() {
        ChatClient client = client();
        client.connectUser(user("max"), server.userToken("max")).join();
        client.disconnectUser().join();
        client.connectUser(user("max"), server.userToken("max")).join();
        assertThat(openFor("max")).hasSize(1);
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void aDroppedClientWithAnOpenSocketIsReportedAndClosed() {
        connectAndForget("ned");
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    System.gc();
                    return log.warnings().stream().anyMatch(w -> w.contains("garbage-collected while its socket"));
                });
        assertThat(log.warnings())
                .anySatisfy(w -> assertThat(w).contains("user 'ned'").contains("connectAndForget"));
        await().atMost(Duration.ofSeconds(5)).until(() -> sockets("ned") == 0);
    }

    private void connectAndForget(String id) {
        ChatClient client = ChatClient.builder(server.apiKey())
                .transport(transport())
                .baseUrl(server.baseUrl())
                .logger(log.logger())
                .build();
        client.connectUser(user(id), server.userToken(id)).join();
        // Reachable until the connect is done: a collection during the handshake would close it early.
        java.lang.ref.Reference.reachabilityFence(client);
    }

    @Test
    void afterDisconnectUserAndCloseNoThreadOrSocketIsLeft() {
        ChatClient client = client();
        client.on(e -> {});
        client.connectUser(user("ola"), server.userToken("ola")).join();
        client.disconnectUser().join();
        assertThat(client.connectionId()).isEmpty();
        assertThat(client.user()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> sockets("ola") == 0);
        client.close();
        clients.clear();
        closeOthers();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(SdkThreads.live()).isEmpty());
        assertThat(openFor("ola")).isEmpty();
    }

    private void closeOthers() {
        clients.forEach(ChatClient::close);
    }

    static List<OpenConnection> openFor(String userId) {
        return ChatClient.openConnections().stream()
                .filter(c -> c.userId().equals(userId) && c.baseUrl().equals(server.baseUrl()))
                .toList();
    }
}
