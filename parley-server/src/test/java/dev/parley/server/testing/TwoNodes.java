package dev.parley.server.testing;

import java.util.UUID;

/**
 * A cluster of two nodes ({@code node-a}, {@code node-b}) on one fresh PostgreSQL schema and a Redis of its own, for
 * the cluster tests (PROTOCOL.md §8.5). Closing it stops both nodes and Redis and drops the schema.
 */
public final class TwoNodes implements AutoCloseable {
    private final LocalRedis redis;
    private final String schema;
    private final TestServer a;
    private final TestServer b;

    private TwoNodes(LocalRedis redis, String schema, TestServer a, TestServer b) {
        this.redis = redis;
        this.schema = schema;
        this.a = a;
        this.b = b;
    }

    /** Starts Redis and both nodes; the schema's name starts with {@code schemaPrefix}. */
    public static TwoNodes start(String schemaPrefix) {
        LocalRedis redis = LocalRedis.start();
        String schema =
                schemaPrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String db = TestServer.postgresUrl(schema);
        TestServer a = null;
        try {
            a = TestServer.start(c -> c.databaseUrl(db).redisUrl(redis.url()).nodeId("node-a"));
            TestServer b = TestServer.start(
                    c -> c.databaseUrl(db).redisUrl(redis.url()).nodeId("node-b"));
            return new TwoNodes(redis, schema, a, b);
        } catch (RuntimeException e) {
            if (a != null) {
                a.close();
            }
            redis.close();
            TestServer.dropSchema(schema);
            throw e;
        }
    }

    /** The PostgreSQL schema both nodes use, for a third node on the same data. */
    public String schema() {
        return schema;
    }

    public LocalRedis redis() {
        return redis;
    }

    public TestServer a() {
        return a;
    }

    public TestServer b() {
        return b;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        redis.close();
        TestServer.dropSchema(schema);
    }
}
