package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guards of {@code ChatClient.channel} and of channels across {@code disconnectUser()} (PROTOCOL.md
 * §5.4, §5.7, §5.8 rule 7), against an address where nothing listens, so connects stay pending.
 */
@Timeout(20)
class ChannelGuardsTest {
    static final String SECRET = "unit-test-secret-0123456789abcdef0123456789";
    static final String NOWHERE = "http://127.0.0.1:9";

    final LogCapture log = new LogCapture();

    @AfterEach
    void closeLog() {
        log.close();
    }

    ChatClient.Builder builder() {
        return ChatClient.builder("key").baseUrl(NOWHERE).logger(log.logger()).connectTimeout(Duration.ofSeconds(10));
    }

    @Test
    void aChannelNeedsAConnectedUserUnlessTheClientHoldsTheSecret() {
        try (ChatClient client = builder().build()) {
            assertThatThrownBy(() -> client.channel("messaging", "general"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Call connectUser() before creating a channel object.");
        }
        try (ChatClient server = builder().secret(SECRET).build()) {
            assertThat(server.channel("messaging", "general").cid()).isEqualTo("messaging:general");
        }
    }

    @Test
    void badTypesIdsAndMemberListsAreRefusedBeforeAnythingIsSent() {
        try (ChatClient client = builder().secret(SECRET).build()) {
            assertThatThrownBy(() -> client.channel("messaging", "a:b")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.channel("a b", "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.channel("messaging", List.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(client.channel("messaging", List.of("tom", "maria")).cid())
                    .isEqualTo("messaging:!members-maria,tom");
        }
    }

    @Test
    void twoObjectsForOneChannelShareTheLocalState() {
        try (ChatClient client = builder().build()) {
            client.connectUser(User.builder("maria").build(), Tokens.user(SECRET, "maria"));
            Channel a = client.channel("messaging", "general");
            Channel b = client.channel("messaging", "general");
            assertThat(a).isNotSameAs(b);
            assertThat(a.state()).isEqualTo(b.state());
        }
    }

    @Test
    void watchWaitsForTheHandshakeAndFailsWhenTheUserDisconnectsFirst() {
        try (ChatClient client = builder().build()) {
            client.connectUser(User.builder("maria").build(), Tokens.user(SECRET, "maria"));
            Channel c = client.channel("messaging", "general");
            CompletableFuture<ChannelState> watching = c.watch();
            assertThat(watching).isNotDone();
            client.disconnectUser().join();
            await().atMost(Duration.ofSeconds(5)).until(watching::isDone);
            assertThatThrownBy(watching::join).cause().isInstanceOf(DisconnectedException.class);
        }
    }

    @Test
    void aChannelOfADisconnectedSessionFailsEvenAfterAnotherUserConnects() {
        try (ChatClient client = builder().build()) {
            client.connectUser(User.builder("maria").build(), Tokens.user(SECRET, "maria"));
            Channel old = client.channel("messaging", "general");
            client.disconnectUser().join();
            client.connectUser(User.builder("tom").build(), Tokens.user(SECRET, "tom"));
            assertThatThrownBy(old::watch)
                    .isInstanceOf(DisconnectedException.class)
                    .hasMessage("You can't use a channel after client.disconnectUser() was called");
            assertThatThrownBy(() -> old.sendMessage(Message.of("hi"))).isInstanceOf(DisconnectedException.class);
            assertThat(client.channel("messaging", "general")).isNotNull();
        }
    }
}
