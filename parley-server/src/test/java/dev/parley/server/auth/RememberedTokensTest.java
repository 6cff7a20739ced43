package dev.parley.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Jwt;
import dev.parley.server.config.AppSettings;
import dev.parley.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Tokens remembered between REST calls, from their second call: the times are checked on every call, nothing
 * else is trusted.
 */
class RememberedTokensTest {
    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes-0123";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicReference<AppSettings> settings = new AtomicReference<>(AppSettings.defaults());
    private final Authenticator auth = new Authenticator("key", SECRET, clock, settings::get);

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
        } catch (ChatException e) {
            return e.errorCode();
        }
        throw new AssertionError("no error");
    }

    @Test
    void aRememberedTokenStillExpires() {
        String token = Jwt.userToken(SECRET, "ann", T0.plusSeconds(60), T0);
        assertThat(auth.authenticate(null, token, true).caller()).isEqualTo(new Caller.UserCaller("ann"));
        assertThat(auth.rememberedTokens()).as("after one call").isZero();
        assertThat(auth.authenticate(null, token, true).caller()).isEqualTo(new Caller.UserCaller("ann"));
        assertThat(auth.rememberedTokens()).as("after two calls").isEqualTo(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(auth.authenticate(null, token, true).caller()).isEqualTo(new Caller.UserCaller("ann"));

        clock.advance(Duration.ofSeconds(60));
        assertThat(codeOf(() -> auth.authenticate(null, token, true))).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void aTokenThatFailedIsNotRememberedAndAForgedOneNeverPasses() {
        String token = Jwt.userToken(SECRET, "ann", null, T0);
        String forged =
                token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        assertThat(codeOf(() -> auth.authenticate(null, forged, true))).isEqualTo(ErrorCode.TOKEN_SIGNATURE_INVALID);
        assertThat(auth.rememberedTokens()).isZero();

        auth.authenticate(null, token, true);
        auth.authenticate(null, token, true);
        assertThat(auth.rememberedTokens()).isEqualTo(1);
        assertThat(codeOf(() -> auth.authenticate(null, forged, true))).isEqualTo(ErrorCode.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void tokensAreNotRememberedWhileChecksAreDisabledNorForASocket() {
        settings.set(AppSettings.defaults().withDisableAuthChecks(true));
        String unsigned = Jwt.userToken("another-secret-of-at-least-thirty-two-bytes", "ann", null, T0);
        auth.authenticate(null, unsigned, true);
        auth.authenticate(null, unsigned, true);
        assertThat(auth.rememberedTokens()).isZero();

        settings.set(AppSettings.defaults());
        assertThat(codeOf(() -> auth.authenticate(null, unsigned, true))).isEqualTo(ErrorCode.TOKEN_SIGNATURE_INVALID);
        String bob = Jwt.userToken(SECRET, "bob", null, T0);
        auth.authenticate(null, bob, false);
        auth.authenticate(null, bob, false);
        assertThat(auth.rememberedTokens()).isZero();
    }

    @Test
    void aClockThatWentBackChecksInFullAgain() {
        String notBefore = Jwt.sign(
                java.util.Map.of("user_id", "ann", "nbf", T0.getEpochSecond(), "iat", T0.getEpochSecond()), SECRET);
        auth.authenticate(null, notBefore, true);
        auth.authenticate(null, notBefore, true);
        assertThat(auth.rememberedTokens()).isEqualTo(1);
        clock.set(T0.minusSeconds(60));
        assertThat(codeOf(() -> auth.authenticate(null, notBefore, true))).isEqualTo(ErrorCode.TOKEN_NOT_VALID_YET);
    }

    @Test
    void theMemoryIsBounded() {
        for (int i = 0; i < Authenticator.MAX_REMEMBERED + 100; i++) {
            String token = Jwt.userToken(SECRET, "u" + i, null, T0);
            auth.authenticate(null, token, true);
            auth.authenticate(null, token, true);
        }
        assertThat(auth.rememberedTokens()).isLessThanOrEqualTo(Authenticator.MAX_REMEMBERED);
        assertThatThrownBy(() -> auth.authenticate(null, "x.y.z", true)).isInstanceOf(ChatException.class);
    }
}
