package dev.parley.server.cluster;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.testing.IntegrationTest;
import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.TwoNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blocklists in a cluster (PROTOCOL.md §7.27, §8.5): each node screens sends from its own compiled lists, so a
 * list changed on one node must reach the others' memory.
 */
@IntegrationTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlocklistClusterTest {
    static TwoNodes cluster;
    static LocalRedis redis;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void startCluster() {
        cluster = TwoNodes.start("parley_blk_");
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

    private static String typeOfSend(TestServer node, String user, String id, String text) {
        return RestClient.user(node, user)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)))
                .body()
                .at("/message/type")
                .asText();
    }

    @Test
    void aBlocklistMadeOrChangedOnOneNodeBlocksSendsOnTheOther() {
        String ann = uid("ann");
        String id = uid("room");
        String list = uid("words");
        Seed.users(a, json("id", ann));
        Seed.messaging(a, ann, id, ann);
        assertThat(RestClient.server(a)
                        .post("/blocklists", json("name", list, "words", List.of("fudge")))
                        .status())
                .isEqualTo(200);
        assertThat(RestClient.server(a)
                        .patch(
                                "/channels/messaging/" + id,
                                json(
                                        "set",
                                        json(
                                                "config_overrides",
                                                json("blocklist", list, "blocklist_behavior", "block"))))
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> typeOfSend(b, ann, id, "fudge").equals("error"));
        RestClient.server(a).call("PUT", "/blocklists/" + list, json("words", List.of("pie")));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> typeOfSend(b, ann, id, "pie").equals("error"));

        assertThat(typeOfSend(b, ann, id, "fudge")).isEqualTo("regular");
        RestClient.server(a).delete("/blocklists/" + list);
    }
}
