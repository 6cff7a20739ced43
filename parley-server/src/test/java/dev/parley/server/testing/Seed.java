package dev.parley.server.testing;

import static dev.parley.server.testing.RestClient.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.util.List;
import java.util.UUID;

/**
 * What integration tests set up through the REST API before the behaviour they check: users and
 * {@code messaging} channels. The answers are returned, not checked; a test that cares asserts on them.
 */
public final class Seed {
    private Seed() {}

    /** A fresh name for one test: {@code prefix}, a dash and 8 random hex digits. */
    public static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Upserts {@code users} (JSON objects, each with its {@code id}) with the server token. */
    public static RestClient.Response users(TestServer server, ObjectNode... users) {
        ObjectNode byId = Json.object();
        for (ObjectNode user : users) {
            byId.set(user.path("id").asText(), user);
        }
        return RestClient.server(server).post("/users", json("users", byId));
    }

    /** Gets or creates the {@code messaging} channel {@code id} as {@code creator}, with {@code members}. */
    public static RestClient.Response messaging(TestServer server, String creator, String id, String... members) {
        return RestClient.user(server, creator)
                .post("/channels/messaging/" + id + "/query", json("data", json("members", List.of(members))));
    }
}
