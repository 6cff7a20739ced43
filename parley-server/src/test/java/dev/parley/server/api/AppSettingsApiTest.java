package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.Timestamps;
import dev.parley.server.app.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /app} and {@code PATCH /app} (PROTOCOL.md §7.15, §2.8). A fresh server per test: settings are global. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppSettingsApiTest {
    private TestServer server;
    private RestClient admin;

    @BeforeEach
    void start() {
        server = TestServer.start();
        admin = RestClient.server(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getAppAnswersTheAppWithAuthChecksOn() {
        Response r = RestClient.user(server, "reader").get("/app");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("app").path("disable_auth_checks").isBoolean()).isTrue();
        assertThat(r.body().path("app").path("disable_auth_checks").asBoolean()).isFalse();
        assertThat(r.body().path("app").path("revoke_tokens_issued_before").isNull())
                .isTrue();
        assertThat(r.body().path("app").path("file_upload_config").isObject()).isTrue();
        assertThat(r.body().path("duration").asText()).endsWith("ms");
    }

    @Test
    void appRevocationRefusesOlderUserTokensWithCode40AndAcceptsNewerOnes() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant revokeAt = now.minusSeconds(30);
        String oldToken = Jwt.userToken(server.apiSecret(), "rev", null, now.minusSeconds(60));
        String newToken = Jwt.userToken(server.apiSecret(), "rev", null, now);
        assertThat(admin.withToken(oldToken).get("/app").status())
                .as("before the revocation")
                .isEqualTo(200);

        Response patch =
                admin.patch("/app", Json.object().put("revoke_tokens_issued_before", Timestamps.format(revokeAt)));

        assertThat(patch.status()).as("%s", patch).isEqualTo(200);
        assertThat(patch.body().path("duration").asText()).endsWith("ms");
        Response refused = admin.withToken(oldToken).get("/app");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo(40);
        Response accepted = admin.withToken(newToken).get("/app");
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(Instant.parse(accepted.body()
                        .path("app")
                        .path("revoke_tokens_issued_before")
                        .asText()))
                .isEqualTo(revokeAt);
    }

    @Test
    void appRevocationDoesNotLockOutServerTokensWithoutIat() {
        String revokeAt = Timestamps.format(Instant.now().minusSeconds(1));
        assertThat(admin.patch("/app", Json.object().put("revoke_tokens_issued_before", revokeAt))
                        .status())
                .isEqualTo(200);

        Response r = admin.patch("/app", Json.object().putNull("revoke_tokens_issued_before"));

        assertThat(r.status())
                .as("the JS server client's token {\"server\":true} has no iat: %s", r)
                .isEqualTo(200);
        assertThat(RestClient.user(server, "no-iat").get("/app").status()).isEqualTo(200);
    }

    @Test
    void patchAppByAUserIsRefusedWith17() {
        Response r =
                RestClient.user(server, "sneaky").patch("/app", Json.object().put("disable_auth_checks", true));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
        assertThat(admin.get("/app")
                        .body()
                        .path("app")
                        .path("disable_auth_checks")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void patchAppWithAWrongTypeIsAnInputErrorNamingTheKey() {
        Response r = admin.patch("/app", Json.object().put("disable_auth_checks", "yes"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("disable_auth_checks");
        assertThat(admin.get("/app")
                        .body()
                        .path("app")
                        .path("disable_auth_checks")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void settingsSurviveARestart(@TempDir Path dataDir) {
        ServerConfig config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(TestServer.API_KEY)
                .apiSecret(TestServer.API_SECRET)
                .dataDir(dataDir)
                .build();
        String token = Jwt.serverToken(TestServer.API_SECRET);
        ObjectNode patch = Json.object().put("name", "renamed").put("max_connections_per_user", 7);
        try (ParleyServer first = ParleyServer.start(config)) {
            Response r = RestClient.of("http://127.0.0.1:" + first.port(), TestServer.API_KEY, token)
                    .patch("/app", patch);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
        }

        try (ParleyServer second = ParleyServer.start(config)) {
            Response r = RestClient.of("http://127.0.0.1:" + second.port(), TestServer.API_KEY, token)
                    .get("/app");
            assertThat(r.body().path("app").path("name").asText()).isEqualTo("renamed");
            assertThat(r.body().path("app").path("max_connections_per_user").asInt())
                    .isEqualTo(7);
        }
    }

    @Test
    void settingsTheServerDoesNotActOnAreRefusedWithCode4NamingThemAndNothingIsStored() {
        Response hooks = admin.patch(
                "/app",
                Json.object()
                        .put("name", "not-stored")
                        .put("webhook_url", "https://example.test/hook")
                        .put("sqs_url", "https://sqs.test/q")
                        .put("sns_topic_arn", "arn:aws:sns:eu-west-1:1:t"));
        Response tenants = admin.patch("/app", Json.object().put("multi_tenant_enabled", true));
        Response push =
                admin.patch("/app", (ObjectNode) Json.parse("{\"apn_config\": {\"auth_type\": \"certificate\"}}", "t"));
        Response permissions = admin.patch("/app", Json.object().put("disable_permissions_checks", true));

        for (Response r : java.util.List.of(hooks, tenants, push, permissions)) {
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.code()).isEqualTo(4);
        }
        assertThat(hooks.message()).contains("sns_topic_arn, sqs_url");
        assertThat(tenants.message()).contains("multi_tenant_enabled");
        assertThat(push.message()).contains("apn_config");
        assertThat(permissions.message()).contains("disable_permissions_checks");
        JsonNode app = admin.get("/app").body().path("app");
        assertThat(app.path("name").asText()).isNotEqualTo("not-stored");
        assertThat(app.path("webhook_url").asText()).as("refused with the rest").isEmpty();
    }

    @Test
    void aSettingTheServerDoesNotActOnIsAcceptedWithTheValueThatSaysSo() {
        Response r = admin.patch(
                "/app",
                Json.object()
                        .put("multi_tenant_enabled", false)
                        .put("webhook_url", "")
                        .put("disable_permissions_checks", false)
                        .put("name", "still-parley"));

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode app = admin.get("/app").body().path("app");
        assertThat(app.path("name").asText()).isEqualTo("still-parley");
        assertThat(app.has("multi_tenant_enabled")).isFalse();
    }
}
