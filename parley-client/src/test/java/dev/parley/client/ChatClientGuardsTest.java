package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.User;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guards of {@code connectUser} (PROTOCOL.md §5.2, §5.8 rule 1), checked against an address where
 * nothing listens, so the connect stays pending while the guards are exercised.
 */
@Timeout(20)
class ChatClientGuardsTest {
    static final String SECRET = "unit-test-secret-0123456789abcdef0123456789";
    static final String NOWHERE = "http://127.0.0.1:9";

    final LogCapture log = new LogCapture();
    final User maria = User.builder("maria").build();

    @AfterEach
    void closeLog() {
        log.close();
    }

    ChatClient.Builder builder() {
        return ChatClient.builder("key").baseUrl(NOWHERE).logger(log.logger()).connectTimeout(Duration.ofSeconds(10));
    }

    @Test
    void theSameUserAgainReturnsTheSameFutureWithAWarning() {
        try (ChatClient client = builder().build()) {
            CompletableFuture<ConnectResponse> first = client.connectUser(maria, Tokens.user(SECRET, "maria"));
            CompletableFuture<ConnectResponse> second = client.connectUser(maria, Tokens.user(SECRET, "maria"));
            assertThat(second).isSameAs(first);
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("Consecutive calls to connectUser('maria')");
        }
    }

    @Test
    void aDifferentUserIsRefusedUntilDisconnectUser() {
        try (ChatClient client = builder().build()) {
            client.connectUser(maria, Tokens.user(SECRET, "maria"));
            User leo = User.builder("leo").build();
            assertThatThrownBy(() -> client.connectUser(leo, Tokens.user(SECRET, "leo")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(
                            "Use client.disconnectUser() before trying to connect as a different user.");
            client.disconnectUser().join();
            assertThat(client.connectUser(leo, Tokens.user(SECRET, "leo"))).isNotDone();
        }
    }

    @Test
    void aTokenForAnotherUserIsRefusedBeforeAnySocketOpens() {
        try (ChatClient client = builder().build()) {
            assertThatThrownBy(() -> client.connectUser(maria, Tokens.user(SECRET, "leo")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("userToken does not have a user_id or is not matching with user.id");
            assertThat(client.connectionId()).isEmpty();
        }
    }

    @Test
    void aUserWithABlankIdIsRefused() {
        try (ChatClient client = builder().build()) {
            assertThatThrownBy(() -> client.connectUser(User.builder(" ").build(), "t"))
                    .hasMessage("The \"id\" field on the user is missing");
        }
    }

    @Test
    void disconnectUserFailsAPendingConnectWithAClearError() {
        try (ChatClient client = builder().build()) {
            CompletableFuture<ConnectResponse> pending = client.connectUser(maria, Tokens.user(SECRET, "maria"));
            client.disconnectUser().join();
            assertThatThrownBy(pending::join)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(DisconnectedException.class)
                    .hasMessage("Connection was closed because disconnectUser() was called");
            assertThat(client.user()).isEmpty();
        }
    }

    @Test
    void aClientHoldingTheSecretWarnsWhenItConnects() {
        try (ChatClient client = builder().secret(SECRET).build()) {
            client.connectUser(maria, client.createToken("maria", null));
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("connectUser('maria') was called on a client that holds the API secret")
                    .contains("allowServerSideConnect(true)");
        }
    }

    @Test
    void allowServerSideConnectSilencesTheWarning() {
        try (ChatClient client =
                builder().secret(SECRET).allowServerSideConnect(true).build()) {
            client.connectUser(maria, client.createToken("maria", null));
            assertThat(log.warnings()).isEmpty();
        }
    }

    @Test
    void aConnectThatCannotReachTheServerFailsAfterTheConnectTimeout() {
        try (ChatClient client =
                builder().connectTimeout(Duration.ofMillis(300)).build()) {
            CompletableFuture<ConnectResponse> f = client.connectUser(maria, Tokens.user(SECRET, "maria"));
            await().atMost(Duration.ofSeconds(10)).until(f::isDone);
            assertThatThrownBy(f::join)
                    .cause()
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessage("initial WS connection could not be established");
            // the failed session is forgotten, so the app may try again
            assertThat(client.connectUser(maria, Tokens.user(SECRET, "maria"))).isNotSameAs(f);
        }
    }

    @Test
    void aClosedClientRefusesToConnect() {
        ChatClient client = builder().build();
        client.close();
        client.close();
        assertThatThrownBy(() -> client.connectUser(maria, Tokens.user(SECRET, "maria")))
                .hasMessage("this ChatClient is closed; build a new one");
    }

    @Test
    void restCallsWithoutAUserOrSecretFailClearly() {
        try (ChatClient client = builder().build()) {
            assertThatThrownBy(() -> client.partialUpdateUser(
                            PartialUserUpdate.of("maria").set("name", "M")))
                    .hasMessageStartingWith("no user is connected: call connectUser() first");
            assertThatThrownBy(() ->
                            client.queryUsers(QueryUsersRequest.byIds("maria")).join())
                    .cause()
                    .isInstanceOf(DisconnectedException.class);
        }
    }

    @Test
    void closeStopsEveryThreadOfTheClient() {
        ChatClient client = builder().build();
        client.connectUser(maria, Tokens.user(SECRET, "maria"));
        client.on(e -> {});
        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> SdkThreads.live().isEmpty());
    }

    @Test
    void getInstanceReturnsOneClientPerProcessUntilItIsClosed() {
        ChatClient a = ChatClient.getInstance("key", b -> b.baseUrl(NOWHERE));
        ChatClient b = ChatClient.getInstance("other-key");
        assertThat(b).isSameAs(a);
        a.close();
        ChatClient c = ChatClient.getInstance("key", x -> x.baseUrl(NOWHERE));
        assertThat(c).isNotSameAs(a);
        c.close();
    }
}
