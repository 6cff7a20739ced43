package dev.parley.server.api;

import static dev.parley.server.api.UpsertUsersTest.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The key and token checks of every REST call, with the codes of PROTOCOL.md §2.7 and §2.8. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestAuthTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void missingApiKeyIsCode2() {
        assertRefused(admin.withApiKey(null).get("/app"), 2);
    }

    @Test
    void wrongApiKeyIsCode2() {
        assertRefused(admin.withApiKey("not-the-key").get("/app"), 2);
    }

    @Test
    void missingTokenIsCode5() {
        assertRefused(admin.withToken(null).get("/app"), 5);
    }

    @Test
    void tokenThatIsNotAJwtIsCode5() {
        assertRefused(admin.withToken("not-a-jwt").get("/app"), 5);
    }

    @Test
    void tokenSignedWithAnotherSecretIsCode43() {
        String forged = Jwt.userToken("another-secret-that-is-long-enough-0123456789", "eve", null, null);

        assertRefused(admin.withToken(forged).get("/app"), 43);
    }

    @Test
    void expiredTokenIsCode40() {
        String expired = server.userToken("late", Instant.now().minusSeconds(3600));

        assertRefused(admin.withToken(expired).get("/app"), 40);
    }

    @Test
    void tokenNotValidYetIsCode41() {
        long nbf = Instant.now().plusSeconds(3600).getEpochSecond();
        String early = Jwt.sign(Map.of("user_id", "early", "nbf", nbf), server.apiSecret());

        assertRefused(admin.withToken(early).get("/app"), 41);
    }

    @Test
    void tokenIssuedInTheFutureIsCode42() {
        String future =
                Jwt.userToken(server.apiSecret(), "future", null, Instant.now().plusSeconds(3600));

        assertRefused(admin.withToken(future).get("/app"), 42);
    }

    @Test
    void timeClaimsOutOfRangeAreCode5NotAServerError() {
        for (String claim : new String[] {"exp", "nbf", "iat"}) {
            for (Object value : new Object[] {
                1e30, -1e30, "soon", new java.math.BigInteger("99999999999999999999"), Long.MAX_VALUE, Long.MIN_VALUE
            }) {
                String token = Jwt.sign(Map.of("user_id", "ranger", claim, value), server.apiSecret());

                Response r = admin.withToken(token).get("/app");

                assertThat(r.code()).as("%s: %s -> %s", claim, value, r).isEqualTo(5);
                assertRefused(r, 5);
            }
        }
    }

    @Test
    void devTokenIsCode43WhileAuthChecksAreOn() {
        assertRefused(admin.withToken(Jwt.devToken("dev")).get("/app"), 43);
    }

    @Test
    void devTokenIsAcceptedWhenTheServerDisablesAuthChecks() {
        try (TestServer open = TestServer.start(b -> b.disableAuthChecks(true))) {
            RestClient dev = RestClient.of(open.baseUrl(), open.apiKey(), Jwt.devToken("dev"));

            Response app = dev.get("/app");
            Response upsert =
                    dev.post("/users", users(Json.object().put("id", "dev").put("name", "Dev")));

            assertThat(app.status()).as("%s", app).isEqualTo(200);
            assertThat(app.body().path("app").path("disable_auth_checks").asBoolean())
                    .isTrue();
            assertThat(upsert.status())
                    .as("the dev token acts as its user: %s", upsert)
                    .isEqualTo(200);
            assertThat(dev.post("/users", users(Json.object().put("id", "not-dev")))
                            .code())
                    .as("and only as its user")
                    .isEqualTo(17);
        }
    }

    @Test
    void userRevocationRefusesThatUsersOlderTokensWithCode40() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String oldToken = Jwt.userToken(server.apiSecret(), "revokee", null, now.minusSeconds(60));
        String newToken = Jwt.userToken(server.apiSecret(), "revokee", null, now);
        String bystander = Jwt.userToken(server.apiSecret(), "bystander", null, now.minusSeconds(60));
        assertThat(admin.post("/users", users(Json.object().put("id", "revokee")))
                        .status())
                .isEqualTo(200);
        assertThat(admin.withToken(oldToken).get("/app").status())
                .as("before the revocation")
                .isEqualTo(200);
        ObjectNode body = Json.object();
        body.putArray("users")
                .addObject()
                .put("id", "revokee")
                .putObject("set")
                .put("revoke_tokens_issued_before", Timestamps.format(now.minusSeconds(30)));

        Response patch = admin.patch("/users", body);

        assertThat(patch.status()).as("%s", patch).isEqualTo(200);
        assertThat(patch.body()
                        .path("users")
                        .path("revokee")
                        .path("revoke_tokens_issued_before")
                        .asText())
                .endsWith("Z");
        assertRefused(admin.withToken(oldToken).get("/app"), 40);
        assertThat(admin.withToken(newToken).get("/app").status()).isEqualTo(200);
        assertThat(admin.withToken(bystander).get("/app").status())
                .as("other users keep their tokens")
                .isEqualTo(200);
    }

    @Test
    void userMayNotSetItsOwnRevocationDate() {
        assertThat(admin.post("/users", users(Json.object().put("id", "selfrevoke")))
                        .status())
                .isEqualTo(200);
        ObjectNode body = Json.object();
        body.putArray("users")
                .addObject()
                .put("id", "selfrevoke")
                .putObject("set")
                .put("revoke_tokens_issued_before", Timestamps.format(Instant.now()));

        assertThat(RestClient.user(server, "selfrevoke").patch("/users", body).code())
                .isEqualTo(17);
    }

    private static void assertRefused(Response r, int code) {
        assertThat(r.code()).as("%s", r).isEqualTo(code);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("StatusCode").asInt()).isEqualTo(401);
        assertThat(r.message()).isNotBlank();
    }
}
