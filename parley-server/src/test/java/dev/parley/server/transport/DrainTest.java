package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stopping node: ready and alive until then, and its sockets closed with 1012 spread over the drain window. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainTest {

    @Test
    void healthAndReadinessAnswerWithoutAKey() {
        try (TestServer server = TestServer.start()) {
            RestClient anyone = RestClient.of(server.baseUrl(), "", "");

            RestClient.Response health = anyone.get("/healthz");
            RestClient.Response ready = anyone.get("/readyz");

            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body().path("status").asText()).isEqualTo("ok");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().path("status").asText()).isEqualTo("ready");
        }
    }

    @Test
    void aDrainingNodeIsNotReadyAndClosesItsSocketsSpreadOverTheWindow() {
        TestServer server = TestServer.start(b -> b.drainWindow(Duration.ofSeconds(2)));
        List<WsProbe> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                WsProbe ws = WsProbe.connect(server, "drain-" + i, server.userToken("drain-" + i), Json.object());
                ws.next("health.check");
                sockets.add(ws);
            }
            server.server().node().drain();
            RestClient.Response notReady =
                    RestClient.of(server.baseUrl(), "", "").get("/readyz");

            long start = System.nanoTime();
            server.close();
            long took = System.nanoTime() - start;

            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.body().path("message").asText()).contains("draining");
            for (WsProbe ws : sockets) {
                assertThat(ws.closeCode()).isEqualTo(1012);
            }
            assertThat(Duration.ofNanos(took))
                    .as("four sockets in four slices of a 2 s window: three pauses of 0.5 s")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1400));
        } finally {
            sockets.forEach(WsProbe::close);
            server.close();
        }
    }

    @Test
    void aStoppingNodeAnswersTheRestRequestsItAcceptedBeforeItStops() throws Exception {
        TestServer server = TestServer.start();
        String ada = "drain-ada";
        assertThat(RestClient.server(server)
                        .post(
                                "/users",
                                Json.object()
                                        .set(
                                                "users",
                                                Json.object()
                                                        .set(ada, Json.object().put("id", ada))))
                        .status())
                .isEqualTo(200);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            // Holds ada's lock, so that a REST update of ada is accepted and waits.
            var holder = pool.submit(() -> server.server()
                    .node()
                    .users()
                    .update(
                            ada,
                            current -> {
                                holding.countDown();
                                awaitUninterruptibly(release);
                                return current;
                            },
                            null));
            holding.await();
            var update = pool.submit(() -> RestClient.server(server)
                    .patch(
                            "/users",
                            Json.object()
                                    .set(
                                            "users",
                                            Json.array()
                                                    .add(Json.object()
                                                            .put("id", ada)
                                                            .set(
                                                                    "set",
                                                                    Json.object()
                                                                            .put("mood", "calm"))))));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> server.server().requestsInFlight() == 1);
            Thread[] closer = new Thread[1];
            var closing = pool.submit(() -> {
                closer[0] = Thread.currentThread();
                server.close();
            });
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> closer[0] != null
                            && java.util.Arrays.stream(closer[0].getStackTrace())
                                    .anyMatch(f -> f.getMethodName().equals("awaitNone")));
            release.countDown();

            assertThat(update.get(10, TimeUnit.SECONDS).status())
                    .as("the answer to a request accepted before the stop")
                    .isEqualTo(200);
            closing.get(10, TimeUnit.SECONDS);
            holder.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            server.close();
        }
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
