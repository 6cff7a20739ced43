package dev.parley.server.moderation;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Malformed requests to the moderation, search and upload endpoints get a 4xx error envelope, never a 500. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    @BeforeAll
    static void seedUsersAndChannel() {
        Seed.users(server, json("id", "ann"), json("id", "bob"));
        Seed.messaging(server, "ann", "bad", "ann", "bob");
    }

    private static String q(String payload) {
        return URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    private static void assertEnvelope(RestClient.Response a, String what) {
        assertThat(a.status()).as(what + " -> " + a.body()).isBetween(400, 499);
        assertThat(a.body().has("code")).as(what).isTrue();
        assertThat(a.body().path("StatusCode").asInt()).as(what).isEqualTo(a.status());
    }

    @Test
    void malformedJsonBodiesAndPayloadsAreRefusedInTheEnvelope() {
        RestClient ann = RestClient.user(server, "ann");
        List<Object[]> calls = List.of(
                new Object[] {"POST", "/moderation/mute", json("target_ids", json("a", 1))},
                new Object[] {"POST", "/moderation/mute", json("target_id", "bob", "timeout", -1)},
                new Object[] {"POST", "/moderation/mute/channel", json("channel_cid", "no-colon")},
                new Object[] {
                    "POST",
                    "/moderation/mute/channel",
                    json("channel_cids", List.of("messaging:bad"), "expiration", "x")
                },
                new Object[] {"POST", "/moderation/ban", json("target_user_id", "bob", "timeout", json())},
                new Object[] {"POST", "/moderation/ban", json("target_user_id", List.of("bob"))},
                new Object[] {"DELETE", "/moderation/ban", null},
                new Object[] {"POST", "/moderation/flag", json("target_message_id", 5)},
                new Object[] {"POST", "/users/block", json("blocked_user_id", json())},
                new Object[] {"GET", "/query_banned_users?payload=" + q("{not json"), null},
                new Object[] {
                    "GET", "/query_banned_users?payload=" + q("{\"filter_conditions\": {\"channel_cid\": 5}}"), null
                },
                new Object[] {"GET", "/search?payload=" + q("[]"), null},
                new Object[] {"GET", "/search?payload=" + q("{\"filter_conditions\": [1], \"query\": \"x\"}"), null},
                new Object[] {
                    "GET",
                    "/search?payload="
                            + q("{\"filter_conditions\": {\"cid\": \"messaging:bad\"}, "
                                    + "\"message_filter_conditions\": {\"$and\": 5}}"),
                    null
                },
                new Object[] {
                    "GET",
                    "/search?payload="
                            + q("{\"filter_conditions\": {\"cid\": \"messaging:bad\"}, "
                                    + "\"message_filter_conditions\": {\"created_at\": {\"$gt\": \"yesterday\"}}}"),
                    null
                },
                new Object[] {
                    "GET",
                    "/search?payload="
                            + q("{\"filter_conditions\": {\"cid\": \"messaging:bad\"}, "
                                    + "\"query\": \"x\", \"sort\": [{\"field\": \"color\", \"direction\": 1}]}"),
                    null
                },
                new Object[] {
                    "DELETE", "/channels/messaging/bad/file?url=" + q("http://x/uploads/../../etc/passwd"), null
                },
                new Object[] {"DELETE", "/channels/messaging/bad/image", null});
        for (Object[] c : calls) {
            assertEnvelope(ann.call((String) c[0], (String) c[1], (ObjectNode) c[2]), c[0] + " " + c[1]);
        }
    }

    @Test
    void uploadPathsOutsideTheStoreAreNotFound() throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String path : List.of(
                "/uploads/",
                "/uploads/..%2F..%2Fparley.db",
                "/uploads/not-an-id/x.png",
                "/uploads/00000000-0000-0000-0000-000000000000/x.png")) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(Json.parseObject(r.body(), "error").path("code").asInt())
                    .as(path)
                    .isEqualTo(16);
        }
    }
}
