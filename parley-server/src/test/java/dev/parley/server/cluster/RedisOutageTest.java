package dev.parley.server.cluster;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.IntegrationTest;
import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis stops under two nodes and comes back empty (docs/PROTOCOL.md §8.5): sends keep succeeding, the nodes say
 * they are not ready meanwhile, and once it is back they subscribe again, write their sockets again and carry
 * events between them as before.
 */
@IntegrationTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisOutageTest {

    @Test
    void sendsSucceedWhileRedisIsDownAndEventsCrossNodesAgainOnceItIsBack() {
        String schema =
                "parley_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String db = TestServer.postgresUrl(schema);
        try (LocalRedis redis = LocalRedis.start();
                TestServer a = TestServer.start(
                        c -> c.databaseUrl(db).redisUrl(redis.url()).nodeId("out-a"));
                TestServer b = TestServer.start(
                        c -> c.databaseUrl(db).redisUrl(redis.url()).nodeId("out-b"))) {
            String ann = uid("ann");
            String bob = uid("bob");
            String id = uid("room");
            assertThat(Seed.users(a, json("id", ann), json("id", bob)).status()).isEqualTo(200);
            assertThat(Seed.messaging(a, ann, id, ann, bob).status()).isEqualTo(200);
            try (WsProbe annOnA = WsProbe.connect(a, ann, a.userToken(ann), Json.object())) {
                String conn = annOnA.next("health.check").path("connection_id").asText();
                RestClient.user(a, ann)
                        .withConnectionId(conn)
                        .post("/channels/messaging/" + id + "/query", json("watch", true));
                RestClient bobOnB = RestClient.user(b, bob);
                assertThat(RestClient.server(a).get("/readyz").status()).isEqualTo(200);

                redis.stop();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> RestClient.server(a).get("/readyz").status() == 503);
                RestClient.Response during = bobOnB.post(
                        "/channels/messaging/" + id + "/message", json("message", json("text", "while down")));
                assertThat(during.status()).as("%s", during).isEqualTo(200);

                redis.restart();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> RestClient.server(a).get("/readyz").status() == 200
                                && RestClient.server(b).get("/readyz").status() == 200);
                // Each try sends one more message; the first that arrives proves the path is back.
                AtomicInteger tries = new AtomicInteger();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ZERO)
                        .until(() -> {
                            String text = "after " + tries.incrementAndGet();
                            bobOnB.post("/channels/messaging/" + id + "/message", json("message", json("text", text)));
                            Optional<ObjectNode> got = annOnA.poll("message.new", Duration.ofMillis(500));
                            return got.isPresent()
                                    && got.get()
                                            .path("message")
                                            .path("text")
                                            .asText()
                                            .startsWith("after");
                        });
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> a.server().node().cluster() != null
                                && a.server().node().cluster().registry().connectionCount(ann) == 1);
            }
        } finally {
            TestServer.dropSchema(schema);
        }
    }

    @Test
    void aNodeThatCannotReachRedisAtStartRefusesToStartNamingIt() {
        String schema = "parley_noredis_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(c ->
                            c.databaseUrl(TestServer.postgresUrl(schema)).redisUrl("redis://:hunter2@127.0.0.1:1")))
                    .hasMessageContaining("cannot reach Redis at redis://***@127.0.0.1:1")
                    .hasMessageNotContaining("hunter2");
        } finally {
            TestServer.dropSchema(schema);
        }
    }
}
