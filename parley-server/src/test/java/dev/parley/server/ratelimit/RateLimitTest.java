package dev.parley.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** REST calls, connects, socket frames and admin secret tries past their limits, against a real server. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RateLimitTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:30Z");
    private static final String NEXT_MINUTE =
            String.valueOf(Instant.parse("2026-03-01T10:01:00Z").getEpochSecond());

    private final MutableClock clock = new MutableClock(T0);
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;

    private void start(Consumer<dev.parley.server.config.ServerConfig.Builder> config) {
        server = TestServer.start(clock, b -> {
            b.rateLimitsEnabled(true).appRateLimitsEnabled(true);
            config.accept(b);
        });
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String header(RestClient.Response r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void theSixtyFirstCallOfAUserToAnEndpointInAMinuteGets429WithCode9AndHeaders() {
        start(b -> {});
        RestClient alice = RestClient.user(server, "alice");
        for (int i = 1; i <= 60; i++) {
            RestClient.Response r = alice.get("/unread");
            assertThat(r.status()).as("call %d: %s", i, r).isEqualTo(200);
            assertThat(header(r, "X-RateLimit-Limit")).isEqualTo("60");
            assertThat(header(r, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(60 - i));
            assertThat(header(r, "X-RateLimit-Reset")).isEqualTo(NEXT_MINUTE);
        }
        RestClient.Response limited = alice.get("/unread");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.code()).isEqualTo(9);
        assertThat(limited.json().path("StatusCode").asInt()).isEqualTo(429);
        assertThat(limited.message()).startsWith("UnreadCounts failed with error:");
        assertThat(header(limited, "X-RateLimit-Limit")).isEqualTo("60");
        assertThat(header(limited, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(header(limited, "X-RateLimit-Reset")).isEqualTo(NEXT_MINUTE);

        RestClient.Response otherEndpoint = alice.get("/users/block");
        assertThat(otherEndpoint.status()).isEqualTo(200);
        assertThat(header(otherEndpoint, "X-RateLimit-Remaining")).isEqualTo("59");

        RestClient.Response bob = RestClient.user(server, "bob").get("/unread");
        assertThat(bob.status()).isEqualTo(200);
        assertThat(header(bob, "X-RateLimit-Remaining")).isEqualTo("59");

        clock.advance(Duration.ofSeconds(30));
        RestClient.Response nextWindow = alice.get("/unread");
        assertThat(nextWindow.status()).isEqualTo(200);
        assertThat(header(nextWindow, "X-RateLimit-Remaining")).isEqualTo("59");
        assertThat(Long.parseLong(header(nextWindow, "X-RateLimit-Reset"))).isEqualTo(Long.parseLong(NEXT_MINUTE) + 60);
    }

    @Test
    void serverTokenCallsAreNeverLimitedAndCarryNoLimitHeaders() {
        start(b -> b.rateLimitPerUser(2));
        RestClient admin = RestClient.server(server);
        for (int i = 0; i < 100; i++) {
            RestClient.Response r = admin.get("/app");
            assertThat(r.status()).isEqualTo(200);
            assertThat(header(r, "X-RateLimit-Limit")).isNull();
        }
        assertThat(RestClient.server(server).anonymous().get("/hi").headers().firstValue("X-RateLimit-Limit"))
                .isEmpty();
    }

    @Test
    void getRateLimitsAnswersPerPlatformMapsOfEndpointQuotas() {
        start(b -> {});
        RestClient alice = RestClient.user(server, "alice");
        for (int i = 0; i < 3; i++) {
            alice.post("/channels", Json.object());
        }
        RestClient admin = RestClient.server(server);
        RestClient.Response all = admin.get("/rate_limits");
        assertThat(all.status()).isEqualTo(200);
        ObjectNode body = all.json();
        assertThat(body.has("duration")).isTrue();
        for (String platform : List.of("server_side", "android", "ios", "web")) {
            JsonNode map = body.path(platform);
            assertThat(map.isObject()).as(platform).isTrue();
            JsonNode send = map.path("SendMessage");
            assertThat(send.path("limit").asInt()).isEqualTo(1000);
            assertThat(send.path("remaining").asInt()).isEqualTo(1000);
            assertThat(send.path("reset").asText()).isEqualTo(NEXT_MINUTE);
            assertThat(map.path("Connect").path("limit").asInt()).isEqualTo(10_000);
        }
        assertThat(body.path("web").path("QueryChannels").path("remaining").asInt())
                .isEqualTo(10_000 - 3);
        assertThat(body.path("android").path("QueryChannels").path("remaining").asInt())
                .isEqualTo(10_000);

        ObjectNode serverSide =
                admin.get("/rate_limits", Map.of("server_side", "true")).json();
        assertThat(serverSide.has("server_side")).isTrue();
        assertThat(serverSide.has("web")).isFalse();
        assertThat(serverSide.has("android")).isFalse();

        ObjectNode some = admin.get(
                        "/rate_limits", Map.of("ios", "true", "web", "true", "endpoints", "SendMessage,QueryChannels"))
                .json();
        assertThat(some.has("server_side")).isFalse();
        assertThat(some.path("web").size()).isEqualTo(2);
        assertThat(some.path("ios").has("SendMessage")).isTrue();
        assertThat(some.path("ios").has("QueryChannels")).isTrue();

        RestClient.Response asUser = alice.get("/rate_limits");
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.code()).isEqualTo(17);
    }

    @Test
    void connectsPastTheUserLimitAreRefusedWithCode9() {
        start(b -> b.rateLimitPerUser(2));
        for (int i = 0; i < 2; i++) {
            WsProbe ok = WsProbe.connect(server, "carol", server.userToken("carol"), Json.object());
            open.add(ok);
            assertThat(ok.next().path("type").asText()).isEqualTo("health.check");
        }
        WsProbe refused = WsProbe.connect(server, "carol", server.userToken("carol"), Json.object());
        open.add(refused);
        ObjectNode frame = refused.next();
        assertThat(frame.path("type").asText()).isEqualTo("connection.error");
        assertThat(frame.path("error").path("code").asInt()).isEqualTo(9);
        assertThat(refused.closeCode()).isEqualTo(1000);
    }

    @Test
    void aSocketFloodingFramesIsClosedWith1008() {
        start(b -> b.maxWsFramesPerMinute(20));
        WsProbe probe = WsProbe.connect(server, "dave", server.userToken("dave"), Json.object());
        open.add(probe);
        assertThat(probe.next().path("type").asText()).isEqualTo("health.check");
        for (int i = 0; i < 10; i++) {
            probe.heartbeat();
            assertThat(probe.next().path("type").asText()).isEqualTo("health.check");
        }
        assertThat(probe.isClosed()).isFalse();
        // One frame at a time, each answered before the next: when the budget runs out the server has nothing
        // unread, so its close cannot turn into a reset that would discard the close frame on the way.
        for (int i = 0; i < 50 && !probe.isClosed(); i++) {
            try {
                probe.heartbeat();
            } catch (RuntimeException closedMeanwhile) {
                break;
            }
            if (probe.poll("health.check", java.time.Duration.ofSeconds(2)).isEmpty()) {
                break;
            }
        }
        assertThat(probe.closeCode()).isEqualTo(1008);
    }

    @Test
    void wrongAdminSecretsFromOneAddressLockOutEvenTheRightSecretUntilTheMinuteEnds() {
        start(b -> b.maxAdminSecretTries(5));
        RestClient anon = RestClient.server(server).anonymous();
        ObjectNode wrong =
                Json.object().put("api_key", server.apiKey()).put("api_secret", "wrong-secret-0123456789abcdef0123");
        ObjectNode right = Json.object().put("api_key", server.apiKey()).put("api_secret", server.apiSecret());
        for (int i = 0; i < 5; i++) {
            RestClient.Response r = anon.post("/parley/admin/session", wrong);
            assertThat(r.code()).as("try %d", i).isEqualTo(5);
        }
        RestClient.Response locked = anon.post("/parley/admin/session", right);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.code()).isEqualTo(9);
        assertThat(locked.json().has("token")).isFalse();

        clock.advance(Duration.ofSeconds(30));
        RestClient.Response after = anon.post("/parley/admin/session", right);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().path("token").asText()).isNotEmpty();
    }
}
