package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} in the Prometheus format and the dashboard's static files, both served without an API key. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAndDashboardPagesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static HttpResponse<String> get(TestServer s, String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double sample(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in\n" + scrape);
    }

    @Test
    void metricsNeedNoApiKeyAndCountConnectionsRefusalsDuplicatesAndRestLatencyByRoute() throws Exception {
        try (WsProbe a = WsProbe.connect(server, "mia", server.userToken("mia"), Json.object());
                WsProbe b = WsProbe.connect(server, "mia", server.userToken("mia"), Json.object());
                WsProbe bad = WsProbe.connect(server, "mia", "not-a-token", Json.object())) {
            a.next("health.check");
            b.next("health.check");
            assertThat(bad.next().at("/error/code").asInt()).isEqualTo(5);
            RestClient.server(server).delete("/parley/connections/no-such-connection");

            HttpResponse<String> r = get(server, "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            String text = r.body();
            assertThat(sample(text, "parley_connections_open")).isEqualTo(2.0);
            assertThat(sample(text, "parley_duplicate_connection_users")).isEqualTo(1.0);
            assertThat(sample(text, "parley_connects_total")).isGreaterThanOrEqualTo(2.0);
            assertThat(sample(text, "parley_connect_refusals_total{code=\"5\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(text, "parley_monthly_active_users")).isGreaterThanOrEqualTo(1.0);
            assertThat(text)
                    .contains(
                            "parley_messages_sent_total",
                            "parley_events_delivered_total",
                            "parley_outbound_drops_total",
                            "parley_slow_consumer_disconnects_total");
            assertThat(text)
                    .contains(
                            "parley_rest_requests_seconds_bucket{method=\"DELETE\",route=\"/parley/connections/{connection_id}\",status=\"404\"");
            assertThat(text).doesNotContain("no-such-connection");
        }
    }

    @Test
    void metricsFacadeCountsMessagesAndDeliveredEvents() {
        var metrics = server.server().node().metrics();
        metrics.messageSent();
        metrics.eventsDelivered(5);
        String text = metrics.scrape();
        assertThat(sample(text, "parley_messages_sent_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(sample(text, "parley_events_delivered_total")).isGreaterThanOrEqualTo(5.0);
    }

    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        try (TestServer off = TestServer.start(b -> b.metricsEnabled(false))) {
            HttpResponse<String> r = get(off, "/metrics");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(Json.parseObject(r.body(), "body").path("message").asText())
                    .contains("--disable-metrics");
        }
    }

    @Test
    void dashboardIsServedFromTheJarWithChartJsFromItsWebJar() throws Exception {
        HttpResponse<String> page = get(server, "/dashboard");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("content-security-policy").orElse(""))
                .contains("default-src 'self'");
        assertThat(page.body()).contains("/dashboard/app.js", "/dashboard/vendor/chart.umd.min.js");
        assertThat(get(server, "/dashboard/").statusCode()).isEqualTo(200);
        HttpResponse<String> chart = get(server, "/dashboard/vendor/chart.umd.min.js");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.body()).contains("Chart");
        assertThat(get(server, "/dashboard/app.js").body()).contains("/parley/admin/session");
        assertThat(get(server, "/dashboard/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get(server, "/dashboard/logback.xml").statusCode()).isEqualTo(404);
    }

    @Test
    void dashboardNodesPanelIsServedAndReadsParleyNodesWithTheAdminSession() throws Exception {
        assertThat(get(server, "/dashboard").body())
                .contains("<h2>Nodes</h2>", "id=\"nodes\"", "id=\"single-node\"", "Single node (not clustered)");
        String app = get(server, "/dashboard/app.js").body();
        assertThat(app).contains("api('GET', '/parley/nodes')", "renderNodes(nodes)");
        assertThat(app).as("server strings go in as text, never as markup").doesNotContain("innerHTML");

        ObjectNode signIn = Json.object().put("api_key", server.apiKey()).put("api_secret", server.apiSecret());
        String token = RestClient.server(server)
                .anonymous()
                .post("/parley/admin/session", signIn)
                .json()
                .path("token")
                .asText();
        RestClient.Response nodes = RestClient.server(server).withToken(token).get("/parley/nodes");
        assertThat(nodes.status()).as("%s", nodes).isEqualTo(200);
        assertThat(nodes.json().path("clustered").isBoolean()).isTrue();
        assertThat(nodes.json().path("clustered").asBoolean()).isFalse();
        assertThat(nodes.json().path("nodes")).hasSize(1);
    }
}
