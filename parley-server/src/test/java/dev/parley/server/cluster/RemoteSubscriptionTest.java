package dev.parley.server.cluster;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.testing.LocalRedis;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.TwoNodes;
import dev.parley.server.testing.WsProbe;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch asked on one node for a socket another node holds, when that node cannot be made to subscribe it
 * (PROTOCOL.md §8.5): the socket is closed with 1012, so that its client reconnects and queries its channels
 * again, rather than kept open hearing nothing of the channel it believes it watches. Two real nodes on a Redis
 * of the test's own; the record of which node holds the socket is pointed at a node that does not exist.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteSubscriptionTest {
    static TwoNodes cluster;
    static LocalRedis redis;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void startCluster() {
        cluster = TwoNodes.start("parley_remote_");
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
    void aWatchWhoseSocketsNodeDoesNotAnswerClosesTheSocketWith1012() {
        String ann = uid("ann");
        String id = uid("room");
        Seed.users(a, json("id", ann));
        Seed.messaging(a, ann, id, ann);
        try (WsProbe annOnA = WsProbe.connect(a, ann, a.userToken(ann), Json.object())) {
            String conn = annOnA.next("health.check").path("connection_id").asText();
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> r = client.connect()) {
                // The record now names a node that never answers: node b's request to it times out.
                r.sync().hset("parley:cu:{" + ann + "}", conn, "node-gone|0");
            } finally {
                client.shutdown();
            }

            RestClient.Response watched = RestClient.user(b, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true, "state", true));

            assertThat(watched.status()).as(watched.toString()).isEqualTo(200);
            assertThat(annOnA.closeCode()).isEqualTo(1012);
        }
    }
}
