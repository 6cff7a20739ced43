package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /parley/usage}: MAU and concurrency, with the node's clock set across a month boundary (UTC). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UsageApiTest {
    private static final Instant JAN_31_LATE = Instant.parse("2026-01-31T23:59:30Z");
    private static final Instant FEB_1_EARLY = Instant.parse("2026-02-01T00:00:30Z");

    private MutableClock clock;
    private TestServer server;

    @BeforeEach
    void start() {
        clock = new MutableClock(JAN_31_LATE);
        server = TestServer.start(clock, b -> {});
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void connectOnce(String user) {
        try (WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object())) {
            ws.next("health.check");
        }
    }

    private long mau(String month) {
        RestClient.Response r = RestClient.server(server).get("/parley/usage", Map.of("month", month));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("month").asText()).isEqualTo(month);
        return r.json().path("mau").asLong();
    }

    @Test
    void sameUserConnectingTwiceInAMonthCountsOnce() {
        connectOnce("ana");
        connectOnce("ana");
        connectOnce("ben");
        assertThat(mau("2026-01")).isEqualTo(2);
    }

    @Test
    void usersOnlyUpsertedServerSideDoNotCountUntilTheyConnect() {
        ObjectNode body = Json.object();
        ObjectNode users = body.putObject("users");
        users.putObject("imp-1").put("name", "Imported One");
        users.putObject("imp-2").put("name", "Imported Two");
        assertThat(RestClient.server(server).post("/users", body).status()).isEqualTo(200);
        assertThat(mau("2026-01")).isZero();
        connectOnce("imp-1");
        assertThat(mau("2026-01")).isEqualTo(1);
    }

    @Test
    void monthBoundaryIsMidnightUtc() {
        connectOnce("cleo");
        clock.set(FEB_1_EARLY);
        connectOnce("cleo");
        connectOnce("dora");
        assertThat(mau("2026-01")).isEqualTo(1);
        assertThat(mau("2026-02")).isEqualTo(2);
        assertThat(mau("2026-03")).isZero();
    }

    @Test
    void withoutMonthTheCurrentMonthIsReportedWithTodaysPeak() {
        String user = "peak-" + UUID.randomUUID().toString().substring(0, 6);
        try (WsProbe a = WsProbe.connect(server, user, server.userToken(user), Json.object());
                WsProbe b = WsProbe.connect(server, user, server.userToken(user), Json.object())) {
            a.next("health.check");
            b.next("health.check");
            RestClient.Response r = RestClient.server(server).get("/parley/usage");
            assertThat(r.json().path("month").asText()).isEqualTo("2026-01");
            assertThat(r.json().path("peak_concurrent_connections").asInt()).isEqualTo(2);
            JsonNode day = r.json()
                    .path("daily_peaks")
                    .get(r.json().path("daily_peaks").size() - 1);
            assertThat(day.path("date").asText()).isEqualTo("2026-01-31");
            assertThat(day.path("peak").asInt()).isEqualTo(2);
        }
    }

    @Test
    void currentUsageCountsSocketsUsersAndUsersWithSeveralSockets() {
        try (WsProbe a1 = WsProbe.connect(server, "eli", server.userToken("eli"), Json.object());
                WsProbe a2 = WsProbe.connect(server, "eli", server.userToken("eli"), Json.object());
                WsProbe b1 = WsProbe.connect(server, "fay", server.userToken("fay"), Json.object())) {
            a1.next("health.check");
            a2.next("health.check");
            b1.next("health.check");
            ObjectNode now =
                    RestClient.server(server).get("/parley/usage/current").json();
            assertThat(now.path("connections").asInt()).isEqualTo(3);
            assertThat(now.path("users").asInt()).isEqualTo(2);
            assertThat(now.path("users_with_several_connections").asInt()).isEqualTo(1);
            ObjectNode chart = RestClient.server(server)
                    .get("/parley/usage/concurrency", Map.of("minutes", "60"))
                    .json();
            JsonNode last = chart.path("samples").get(chart.path("samples").size() - 1);
            assertThat(last.path("connections").asInt()).isEqualTo(3);
            assertThat(Instant.parse(last.path("minute").asText())).isEqualTo(Instant.parse("2026-01-31T23:59:00Z"));
        }
    }

    @Test
    void aMalformedMonthIsAnInputError() {
        RestClient.Response r = RestClient.server(server).get("/parley/usage", Map.of("month", "January"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
        assertThat(r.json().path("message").asText()).contains("YYYY-MM");
    }
}
