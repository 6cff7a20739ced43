package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.Tokens;
import dev.parley.protocol.Jwt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class TokenManagerTest {
    static final String SECRET = "unit-test-secret-0123456789abcdef0123456789";

    @Test
    void aStaticTokenForAnotherUserIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> TokenManager.ofToken("maria", Tokens.user(SECRET, "leo")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("userToken does not have a user_id or is not matching with user.id");
    }

    @Test
    void anEmptyTokenIsRefused() {
        assertThatThrownBy(() -> TokenManager.ofToken("maria", "")).hasMessage("User token can not be empty");
    }

    @Test
    void aTokenThatIsNotAJwtIsRefused() {
        assertThatThrownBy(() -> TokenManager.ofToken("maria", "nonsense"))
                .hasMessageStartingWith("user token is not a JWT");
    }

    @Test
    void aDevelopmentTokenIsAcceptedWhenItsUserMatches() {
        assertThat(TokenManager.ofToken("maria", Jwt.devToken("maria")).token().join())
                .endsWith(".devtoken");
    }

    @Test
    void theProviderIsCalledOnceUpFrontAndAgainOnlyForAStaleToken() {
        AtomicInteger calls = new AtomicInteger();
        TokenManager tokens = TokenManager.ofProvider(
                "maria",
                () -> Tokens.user(SECRET, "maria", java.time.Instant.now().plusSeconds(60L * calls.incrementAndGet())),
                Runnable::run);
        String first = tokens.token().join();
        assertThat(tokens.token().join()).isEqualTo(first);
        assertThat(calls).hasValue(1);
        String second = tokens.reload(first).join();
        assertThat(second).isNotEqualTo(first);
        assertThat(tokens.reload(first).join()).isEqualTo(second);
        assertThat(calls).hasValue(2);
    }

    @Test
    void aProviderThatThrowsFailsTheTokenAndIsAskedAgainNextTime() {
        AtomicInteger calls = new AtomicInteger();
        TokenManager tokens = TokenManager.ofProvider(
                "maria",
                () -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new java.io.IOException("backend down");
                    }
                    return Tokens.user(SECRET, "maria");
                },
                Runnable::run);
        assertThatThrownBy(() -> tokens.token().join())
                .isInstanceOf(CompletionException.class)
                .hasMessageContaining("the token provider failed")
                .hasMessageContaining("backend down");
        assertThat(tokens.token().join()).isNotEmpty();
    }
}
