package dev.parley.server.cluster;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.IntegrationTest;
import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.TwoNodes;
import dev.parley.server.testing.WsProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's import routes on a running cluster (PROTOCOL.md §17.5, §8.5): the file uploaded to one node is imported
 * by that node even when the import is asked for through the other, and the other node, which had the channel and
 * the user in memory, serves what was imported.
 */
@IntegrationTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportClusterTest {
    static TwoNodes cluster;
    static LocalRedis redis;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void startCluster() {
        cluster = TwoNodes.start("parley_imp_");
        redis = cluster.redis();
        a = cluster.a();
        b = cluster.b();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFileUploadedToOneNodeIsImportedThereAndTheOtherNodeServesItAtOnce() throws Exception {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = uid("room");
        Seed.users(a, json("id", ann, "name", "Ann"), json("id", bob));
        Seed.messaging(a, ann, id, ann);
        RestClient annOnA = RestClient.user(a, ann);
        assertThat(annOnA.post("/channels/messaging/" + id + "/query", json("state", true))
                        .body()
                        .at("/channel/member_count")
                        .asInt())
                .isEqualTo(1);
        String file = String.join(
                        "\n",
                        List.of(
                                "{\"type\":\"user\",\"item\":{\"id\":\"" + ann + "\",\"name\":\"Ann Imported\"}}",
                                "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"" + id
                                        + "\",\"user_id\":\"" + bob + "\"}}",
                                "{\"type\":\"message\",\"item\":{\"id\":\"" + id
                                        + "-m1\",\"channel_type\":\"messaging\","
                                        + "\"channel_id\":\"" + id + "\",\"user\":\"" + bob + "\",\"text\":\"moved\","
                                        + "\"created_at\":\"2024-01-01T00:00:00Z\"}}"))
                + "\n";

        try (WsProbe socket = WsProbe.connect(a, ann, a.userToken(ann), Json.object())) {
            JsonNode url = RestClient.server(b)
                    .post("/import_urls", json("filename", "app.jsonl"))
                    .body();
            HttpResponse<String> put = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create(url.path("upload_url").asText()))
                                    .timeout(Duration.ofSeconds(30))
                                    .PUT(HttpRequest.BodyPublishers.ofString(file, StandardCharsets.UTF_8))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            RestClient.Response created = RestClient.server(a)
                    .post("/imports", json("path", url.path("path").asText()));
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            String task = created.body().at("/import_task/id").asText();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> RestClient.server(a)
                            .get("/imports/" + task)
                            .body()
                            .at("/import_task/state")
                            .asText()
                            .equals("completed"));

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode q = annOnA.post("/channels/messaging/" + id + "/query", json("state", true))
                        .body();
                return q.at("/channel/member_count").asInt() == 2
                        && q.path("messages").size() == 1;
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> annOnA.post(
                                    "/channels/messaging/" + id + "/message", json("message", json("text", "hi")))
                            .body()
                            .at("/message/user/name")
                            .asText()
                            .equals("Ann Imported"));
            assertThat(socket.isClosed()).isFalse();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
