package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Error envelopes (PROTOCOL.md §10.1) for bad requests at every layer, and CORS (§1.2). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestErrorsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(b -> b.maxBodyBytes(4096));

    private static final RestClient admin = RestClient.server(server);

    @Test
    void malformedJsonBodyIsCode4WithAMessageNamingTheProblem() {
        Response r = admin.post("/users", "{\"users\": {");

        assertEnvelope(r, 400, 4);
        assertThat(r.message()).contains("request body").contains("not valid JSON");
    }

    @Test
    void bodyThatIsNotAnObjectIsCode4() {
        Response r = admin.post("/users", "[1, 2]");

        assertEnvelope(r, 400, 4);
        assertThat(r.message()).contains("JSON object");
    }

    @Test
    void malformedPayloadParameterIsCode4() {
        Response r = admin.get("/users", Map.of("payload", "{filter_conditions:"));

        assertEnvelope(r, 400, 4);
        assertThat(r.message()).contains("payload");
    }

    @Test
    void bodyOverTheLimitIsCode22WithStatus413() {
        String big = "{\"users\":{\"big\":{\"id\":\"big\",\"pad\":\"" + "x".repeat(10 * 1024) + "\"}}}";

        Response r = admin.post("/users", big);

        assertEnvelope(r, 413, 22);
    }

    @Test
    void unknownRouteIsA404Envelope() {
        Response r = admin.get("/no/such/endpoint");

        assertEnvelope(r, 404, 16);
        assertThat(r.message()).contains("/no/such/endpoint");
    }

    @Test
    void wrongMethodOnAKnownPathIsA404Envelope() {
        Response r = admin.send("PUT", "/app", Map.of(), "{}", Map.of());

        assertEnvelope(r, 404, 16);
        assertThat(r.message()).contains("PUT");
    }

    @Test
    void headerTooLargeIsCode24WithStatus431() {
        Response r = admin.send("GET", "/app", Map.of(), null, Map.of("X-Padding", "p".repeat(20 * 1024)));

        assertEnvelope(r, 431, 24);
    }

    @Test
    void errorsAndSuccessesNeverAnswer500() {
        List<Response> all = List.of(
                admin.post("/users", "\u0000"),
                admin.post("/users", "{\"users\":{\"x\":null}}"),
                admin.post("/users", "{\"users\":{\"x\":{\"id\":\"x\",\"created_at\":\"yesterday\"}}}"),
                admin.patch("/users", "{\"users\":[{\"id\":\"x\",\"unset\":\"name\"}]}"),
                admin.patch("/users", "{\"users\":[null]}"),
                admin.get("/users", Map.of("payload", "{\"filter_conditions\":{\"$or\":5}}")),
                admin.get("/users", Map.of("payload", "{\"sort\":[{\"field\":\"name\",\"direction\":7}]}")),
                admin.get("/users", Map.of("payload", "{\"limit\":\"many\"}")),
                admin.get("/users", Map.of("payload", "[".repeat(200))),
                admin.post("/users/deactivate", "{\"user_ids\":\"all\"}"),
                admin.patch("/app", "{\"revoke_tokens_issued_before\":\"soon\"}"),
                admin.get("/tasks/%20"));

        for (Response r : all) {
            assertThat(r.status()).as("%s", r).isBetween(200, 499);
            if (r.status() >= 400) {
                assertThat(r.code()).as("%s", r).isEqualTo(r.status() == 404 ? 16 : 4);
            }
        }
    }

    @Test
    void timestampsOutsideTheYears0To9999AreCode4NamingTheField() {
        Seed.users(server, RestClient.json("id", "tim"));

        Response app = admin.patch("/app", "{\"revoke_tokens_issued_before\": \"+999999999-12-31T23:59:59Z\"}");
        Response user = admin.patch(
                "/users",
                "{\"users\": [{\"id\": \"tim\", \"set\": "
                        + "{\"revoke_tokens_issued_before\": \"-999999999-01-01T00:00:00Z\"}}]}");
        Response upsert = admin.post(
                "/users",
                "{\"users\": {\"tim\": {\"id\": \"tim\", "
                        + "\"revoke_tokens_issued_before\": \"+10000-01-01T00:00:00Z\"}}}");

        assertEnvelope(app, 400, 4);
        assertThat(app.message()).contains("revoke_tokens_issued_before");
        assertEnvelope(user, 400, 4);
        assertThat(user.message()).contains("revoke_tokens_issued_before");
        assertEnvelope(upsert, 400, 4);
        assertThat(admin.get("/app").status()).isEqualTo(200);
    }

    @Test
    void bodiesThatNoStoreCouldKeepAsSentAreCode4() {
        Seed.users(server, RestClient.json("id", "jay"));
        Seed.messaging(server, "jay", "strict", "jay");
        String path = "/channels/messaging/strict/message";

        List<Response> all = List.of(
                admin.post("/users", "{\"users\": {}} {\"users\": {}}"),
                admin.post("/users", "{\"users\": {}} garbage"),
                admin.post(path, "{\"message\": {\"text\": \"lone \\ud800 surrogate\"}, \"user_id\": \"jay\"}"),
                admin.post(path, "{\"message\": {\"text\": \"x\", \"size\": 1e400}, \"user_id\": \"jay\"}"),
                admin.get("/users", Map.of("payload", "{\"filter_conditions\": {\"id\": \"\\udfff\"}}")));

        assertThat(all).allSatisfy(r -> assertEnvelope(r, 400, 4));
        assertThat(admin.get("/channels/messaging/strict")
                        .body()
                        .path("messages")
                        .size())
                .isZero();
    }

    @Test
    void theMessageHistoryQueryIsAnsweredByTheHistoryNotByTheMessageUpdate() {
        Response r = admin.post("/messages/history", "{\"filter\": {\"message_id\": \"m1\"}}");

        assertEnvelope(r, 404, 16); // the update would have answered code 4: its body has no message
        assertThat(r.message()).contains("message 'm1' does not exist");
    }

    @Test
    void preflightAllowsEveryOriginTheMethodsAndTheAskedHeaders() {
        Response r = admin.withApiKey(null)
                .withToken(null)
                .send(
                        "OPTIONS",
                        "/channels",
                        Map.of(),
                        null,
                        Map.of(
                                "Origin", "http://localhost:5173",
                                "Access-Control-Request-Method", "POST",
                                "Access-Control-Request-Headers",
                                        "authorization,stream-auth-type,x-stream-client,content-type"));

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                .contains("GET", "POST", "PUT", "PATCH", "DELETE");
        assertThat(r.headers()
                        .firstValue("Access-Control-Allow-Headers")
                        .orElse("")
                        .toLowerCase())
                .contains("authorization", "stream-auth-type", "x-stream-client", "content-type");
    }

    @Test
    void normalAndErrorResponsesCarryAllowOrigin() {
        Map<String, String> origin = Map.of("Origin", "http://localhost:5173");

        Response ok = admin.send("GET", "/app", Map.of(), null, origin);
        Response error = admin.withToken(null).send("GET", "/app", Map.of(), null, origin);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(error.status()).isEqualTo(401);
        assertThat(error.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    }

    /** Every field of §10.1, with {@code StatusCode} equal to the HTTP status. */
    @Test
    void aNulInTheBodyIsCode4OnEveryRouteNotOnlyOnTheChatOnes() {
        Response app = admin.patch("/app", "{\"custom_action_handler_url\":\"x\\u0000\"}");
        Response ban = admin.post(
                "/moderation/ban", "{\"target_user_id\":\"nobody\",\"user_id\":\"admin\",\"reason\":\"\\u0000\"}");
        Response users = admin.post("/users", "{\"users\":{\"n\":{\"id\":\"n\",\"name\":\"\\u0000\"}}}");

        for (Response r : List.of(app, ban, users)) {
            assertEnvelope(r, 400, 4);
            assertThat(r.message()).contains("NUL");
        }
    }

    private static void assertEnvelope(Response r, int status, int code) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        JsonNode b = r.body();
        assertThat(b).as("an error has a JSON body").isNotNull();
        assertThat(b.path("code").isInt()).isTrue();
        assertThat(b.path("code").asInt()).isEqualTo(code);
        assertThat(b.path("message").isTextual()).isTrue();
        assertThat(b.path("message").asText()).isNotBlank();
        assertThat(b.path("StatusCode").asInt()).isEqualTo(status);
        assertThat(b.path("duration").isTextual()).isTrue();
        assertThat(b.path("more_info").isTextual()).isTrue();
        assertThat(b.path("details").isArray()).isTrue();
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/json");
    }
}
