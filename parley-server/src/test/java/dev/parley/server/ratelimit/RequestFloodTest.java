package dev.parley.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resource check: one user flooding the REST API is limited to its quota, while the server keeps its
 * rate-limit memory bounded and keeps answering other users.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestFloodTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:05Z"));
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private InMemoryRateLimiter counters() {
        return (InMemoryRateLimiter) server.server().node().rateLimits().requests();
    }

    @Test
    void oneUserSendingThousandsOfRequestsGetsExactlyItsQuotaWhileOthersAreServed() throws Exception {
        // 60 calls a minute per user, as by default; app-wide quotas ten times Stream's, so that the other
        // users' probes below never reach the app's quota of their endpoint.
        server = TestServer.start(
                clock,
                b -> b.rateLimitsEnabled(true)
                        .rateLimitScale(10)
                        .rateLimitPerUser(6)
                        .appRateLimitsEnabled(true));
        RestClient mallory = RestClient.user(server, "mallory");
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger otherCodes = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> flood = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            flood.add(pool.submit(() -> {
                for (int i = 0; i < 400; i++) {
                    RestClient.Response r = mallory.post("/channels", Json.object());
                    statuses.computeIfAbsent(r.status(), s -> new AtomicInteger())
                            .incrementAndGet();
                    if (r.status() == 429 && r.code() != 9) {
                        otherCodes.incrementAndGet();
                    }
                }
            }));
        }
        List<Long> othersMillis = new ArrayList<>();
        while (flood.stream().anyMatch(f -> !f.isDone()) && othersMillis.size() < 5_000) {
            long start = System.nanoTime();
            RestClient.Response r =
                    RestClient.user(server, "other-" + othersMillis.size()).get("/unread");
            othersMillis.add((System.nanoTime() - start) / 1_000_000);
            assertThat(r.status()).as("another user during the flood: %s", r).isEqualTo(200);
        }
        for (Future<?> f : flood) {
            f.get();
        }
        pool.shutdown();

        assertThat(statuses.keySet()).containsOnly(200, 429);
        assertThat(statuses.get(200).get()).isEqualTo(60);
        assertThat(statuses.get(429).get()).isEqualTo(8 * 400 - 60);
        assertThat(otherCodes.get()).isZero();
        assertThat(othersMillis).isNotEmpty().allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
        RestClient.Response afterwards = RestClient.user(server, "bob").post("/channels", Json.object());
        assertThat(afterwards.status()).isEqualTo(200);
        // The flood is one user on one endpoint: two counters (the user's and the app's), however many
        // requests it sent; the rest are the other users' probes.
        assertThat(counters().size()).isLessThanOrEqualTo(othersMillis.size() + 4);
    }

    @Test
    void callsUnderThousandsOfUserIdsKeepTheCountersWithinTheirBound() {
        server = TestServer.start(
                clock, b -> b.rateLimitsEnabled(true).rateLimitMaxKeys(1024).rateLimitScale(10));
        for (int i = 0; i < 3_000; i++) {
            RestClient.Response r = RestClient.user(server, "sybil-" + i).get("/unread");
            assertThat(r.status()).as("call %d: %s", i, r).isEqualTo(200);
        }
        assertThat(counters().size()).isLessThanOrEqualTo(1024);
        assertThat(RestClient.user(server, "alice").get("/unread").status()).isEqualTo(200);
    }
}
