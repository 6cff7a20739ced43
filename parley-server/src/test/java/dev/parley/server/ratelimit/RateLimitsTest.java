package dev.parley.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.auth.Caller;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RateLimitsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    private RateLimits limits(Consumer<ServerConfig.Builder> custom) {
        ServerConfig.Builder b = ServerConfig.builder()
                .apiKey("k")
                .apiSecret("0123456789abcdef0123456789abcdef")
                .dataDir(Path.of("unused"));
        custom.accept(b);
        return RateLimits.inMemory(b.build(), clock);
    }

    private static final Caller ALICE = new Caller.UserCaller("alice");

    @Test
    void everyRouteOfTheTableHasAnEndpointLimitFromStreamsTiers() {
        assertThat(Endpoints.routes()).hasSizeGreaterThan(60);
        for (String name : Endpoints.names()) {
            assertThat(Endpoints.perMinute(name)).isIn(60, 300, 1_000, 10_000);
        }
        assertThat(Endpoints.nameOf("POST", "/channels/{type}/{id}/message")).contains("SendMessage");
        assertThat(Endpoints.perMinute("SendMessage")).isEqualTo(1_000);
        assertThat(Endpoints.perMinute("QueryChannels")).isEqualTo(10_000);
        assertThat(Endpoints.perMinute("UpdateApp")).isEqualTo(60);
    }

    @Test
    void platformsAreTakenFromTheClientHeader() {
        assertThat(Platform.ofClient("stream-chat-android-6.4.0")).isEqualTo(Platform.ANDROID);
        assertThat(Platform.ofClient("stream-chat-swift-client-v4.60.0")).isEqualTo(Platform.IOS);
        assertThat(Platform.ofClient("stream-chat-js-v9.53.0-browser")).isEqualTo(Platform.WEB);
        assertThat(Platform.ofClient("axios/1.7")).isEqualTo(Platform.WEB);
        assertThat(Platform.ofClient(null)).isEqualTo(Platform.WEB);
    }

    @Test
    void scaleMultipliesTheUserLimitAndPlatformsCountApart() {
        RateLimits l = limits(b -> b.rateLimitScale(0.05));
        // 60 * 0.05 = 3 calls per user, endpoint and platform.
        for (int i = 0; i < 3; i++) {
            assertThat(l.admit(ALICE, null, "10.0.0.1", "GET", "/unread")
                            .orElseThrow()
                            .allowed())
                    .isTrue();
        }
        RateLimits.Quota refused =
                l.admit(ALICE, null, "10.0.0.1", "GET", "/unread").orElseThrow();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.limit()).isEqualTo(3);
        assertThat(refused.refusal().errorCode()).isEqualTo(ErrorCode.RATE_LIMIT);
        assertThat(refused.refusal().getMessage()).startsWith("UnreadCounts failed with error:");
        assertThat(l.admit(ALICE, "stream-chat-android-6.4.0", "10.0.0.1", "GET", "/unread")
                        .orElseThrow()
                        .allowed())
                .isTrue();
        assertThat(l.admit(ALICE, null, "10.0.0.1", "GET", "/users")
                        .orElseThrow()
                        .allowed())
                .isTrue();
    }

    @Test
    void anonymousCallersAreCountedPerSourceAddress() {
        RateLimits l = limits(b -> b.rateLimitPerUser(1));
        Caller anon = new Caller.Anonymous();
        assertThat(l.admit(anon, null, "10.0.0.1", "POST", "/channels")
                        .orElseThrow()
                        .allowed())
                .isTrue();
        assertThat(l.admit(anon, null, "10.0.0.1", "POST", "/channels")
                        .orElseThrow()
                        .allowed())
                .isFalse();
        assertThat(l.admit(anon, null, "10.0.0.2", "POST", "/channels")
                        .orElseThrow()
                        .allowed())
                .isTrue();
    }

    @Test
    void serverCallsAndDisabledLimitsAreNotCounted() {
        RateLimits l = limits(b -> b.rateLimitPerUser(1));
        for (int i = 0; i < 100; i++) {
            assertThat(l.admit(new Caller.Server(), null, "10.0.0.1", "POST", "/users"))
                    .isEmpty();
        }
        RateLimits off = limits(b -> b.rateLimitsEnabled(false).rateLimitPerUser(1));
        for (int i = 0; i < 5; i++) {
            assertThat(off.admit(ALICE, null, "10.0.0.1", "POST", "/users")).isEmpty();
            off.admitConnect(ALICE, null, "10.0.0.1:5000");
        }
    }

    @Test
    void theAppWideLimitOfAnEndpointHoldsAcrossUsers() {
        // UpdateApp allows 60 a minute per platform; at scale 0.05 that is 3, for the whole app.
        RateLimits l = limits(b -> b.rateLimitScale(0.05).rateLimitPerUser(1000).appRateLimitsEnabled(true));
        for (int i = 0; i < 3; i++) {
            assertThat(l.admit(new Caller.UserCaller("u" + i), null, "", "PATCH", "/app")
                            .orElseThrow()
                            .allowed())
                    .isTrue();
        }
        RateLimits.Quota q =
                l.admit(new Caller.UserCaller("u9"), null, "", "PATCH", "/app").orElseThrow();
        assertThat(q.allowed()).isFalse();
        assertThat(q.limit()).isEqualTo(3);
    }

    @Test
    void appWideQuotasApplyOnlyWhenSwitchedOn() {
        RateLimits l = limits(b -> b.rateLimitScale(0.05).rateLimitPerUser(1000));
        for (int i = 0; i < 10; i++) {
            RateLimits.Quota q = l.admit(new Caller.UserCaller("u" + i), null, "", "PATCH", "/app")
                    .orElseThrow();
            assertThat(q.allowed()).as("user %d", i).isTrue();
            assertThat(q.limit()).isEqualTo(50);
        }
    }

    @Test
    void aUserPastTheLimitDoesNotUseUpTheAppQuota() {
        RateLimits l = limits(b -> b.rateLimitScale(0.05).rateLimitPerUser(20).appRateLimitsEnabled(true));
        // Per user: 20 * 0.05 = 1; app-wide UpdateApp: 3.
        for (int i = 0; i < 50; i++) {
            l.admit(ALICE, null, "", "PATCH", "/app");
        }
        assertThat(l.admit(new Caller.UserCaller("bob"), null, "", "PATCH", "/app")
                        .orElseThrow()
                        .allowed())
                .isTrue();
        assertThat(l.admit(new Caller.UserCaller("carol"), null, "", "PATCH", "/app")
                        .orElseThrow()
                        .allowed())
                .isTrue();
    }

    @Test
    void connectsPastTheLimitAreRefusedWithCode9() {
        RateLimits l = limits(b -> b.rateLimitPerUser(2));
        l.admitConnect(ALICE, null, "10.0.0.1:5000");
        l.admitConnect(ALICE, null, "10.0.0.1:5001");
        assertThatThrownBy(() -> l.admitConnect(ALICE, null, "10.0.0.1:5002"))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(9))
                .hasMessageStartingWith("Connect failed with error:");
        clock.advance(Duration.ofMinutes(1));
        l.admitConnect(ALICE, null, "10.0.0.1:5003");
    }

    @Test
    void secretTriesAreLimitedPerAddressEvenForTheRightSecret() {
        RateLimits l = limits(b -> b.maxAdminSecretTries(3));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> l.guardSecret("CreateAdminSession", "10.0.0.1", () -> {
                        throw new ChatException(ErrorCode.AUTHENTICATION, "wrong");
                    }))
                    .hasMessage("wrong");
        }
        assertThatThrownBy(() -> l.guardSecret("CreateAdminSession", "10.0.0.1", () -> "token"))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(9));
        assertThat(l.guardSecret("CreateAdminSession", "10.0.0.2", () -> "token"))
                .isEqualTo("token");
        clock.advance(Duration.ofMinutes(1));
        assertThat(l.guardSecret("CreateAdminSession", "10.0.0.1", () -> "token"))
                .isEqualTo("token");
    }

    @Test
    void aFrameBudgetCutsAtItsLimitAndRenewsEachMinute() {
        FrameBudget budget = limits(b -> b.maxWsFramesPerMinute(5)).frameBudget();
        Instant now = clock.instant();
        for (int i = 0; i < 5; i++) {
            assertThat(budget.tryFrame(now)).isTrue();
        }
        assertThat(budget.tryFrame(now)).isFalse();
        assertThat(budget.tryFrame(now.plusSeconds(60))).isTrue();
        assertThat(limits(b -> b.maxWsFramesPerMinute(0)).frameBudget()).isNull();
    }
}
