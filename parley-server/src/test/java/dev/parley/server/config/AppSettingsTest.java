package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AppSettings#patch}: the rules of {@code PATCH /app} without a server. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AppSettingsTest {

    @Test
    void defaultsHaveAuthChecksOnAndNoRevocation() {
        AppSettings s = AppSettings.defaults();

        assertThat(s.disableAuthChecks()).isFalse();
        assertThat(s.revokeTokensIssuedBefore()).isNull();
        assertThat(s.toJson().path("revoke_tokens_issued_before").isNull()).isTrue();
    }

    @Test
    void patchSetsEditableKeysAndLeavesTheOriginalUnchanged() {
        AppSettings before = AppSettings.defaults();

        AppSettings after =
                before.patch(Json.object().put("disable_auth_checks", true).put("name", "chat"));

        assertThat(after.disableAuthChecks()).isTrue();
        assertThat(after.toJson().path("name").asText()).isEqualTo("chat");
        assertThat(before.disableAuthChecks()).isFalse();
        assertThat(before.toJson().path("name").asText()).isEqualTo("parley");
    }

    @Test
    void patchNormalisesTheRevocationDateToUtc() {
        AppSettings s = AppSettings.defaults()
                .patch(Json.object().put("revoke_tokens_issued_before", "2026-03-01T12:00:00+02:00"));

        assertThat(s.revokeTokensIssuedBefore()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(s.toJson().path("revoke_tokens_issued_before").asText()).isEqualTo("2026-03-01T10:00:00.000000Z");
    }

    @Test
    void patchWithNullClearsTheRevocationDate() {
        AppSettings s = AppSettings.defaults()
                .patch(Json.object().put("revoke_tokens_issued_before", "2026-03-01T10:00:00Z"))
                .patch(Json.object().putNull("revoke_tokens_issued_before"));

        assertThat(s.revokeTokensIssuedBefore()).isNull();
    }

    @Test
    void patchRefusesAWrongTypeNamingTheKey() {
        assertInputError(Json.object().put("disable_auth_checks", "yes"), "disable_auth_checks");
        assertInputError(Json.object().put("name", 5), "name");
        assertInputError(Json.object().put("user_search_disallowed_roles", "admin"), "user_search_disallowed_roles");
        assertInputError(Json.object().put("reminders_interval", "often"), "reminders_interval");
    }

    @Test
    void patchRefusesADateThatIsNotRfc3339() {
        assertInputError(Json.object().put("revoke_tokens_issued_before", "yesterday"), "revoke_tokens_issued_before");
    }

    @Test
    void patchRefusesReadOnlyKeys() {
        assertInputError(Json.object().put("suspended", true), "suspended");
    }

    @Test
    void patchRefusesKeysParleyDoesNotActOnNamingThem() {
        assertInputError(Json.object().put("sqs_url", "https://example.test"), "sqs_url");
        assertInputError(Json.object().put("multi_tenant_enabled", true), "multi_tenant_enabled");
        assertInputError(Json.object().put("sns_topic_arn", "arn:aws:sns:eu-west-1:1:t"), "sns_topic_arn");
        assertInputError(Json.object().put("webhook_url", "ftp://example.test/hook"), "webhook_url");
    }

    @Test
    void patchAcceptsAndDropsTheNoOpValueOfAKeyParleyDoesNotActOn() {
        AppSettings s = AppSettings.defaults()
                .patch(Json.object().put("multi_tenant_enabled", false).put("explicit_event_hooks_deletion", false));

        assertThat(s.toJson().has("multi_tenant_enabled")).isFalse();
        assertThat(s.toJson().has("explicit_event_hooks_deletion")).isFalse();
    }

    @Test
    void toJsonAlwaysCarriesTheFieldsTheJsSdkReads() {
        ObjectNode app = AppSettings.defaults().toJson();

        assertThat(app.path("suspended").asBoolean(true)).isFalse();
        assertThat(app.path("file_upload_config")
                        .path("allowed_file_extensions")
                        .isArray())
                .isTrue();
        assertThat(app.path("image_upload_config").path("size_limit").isNumber())
                .isTrue();
        assertThat(app.path("channel_configs").isObject()).isTrue();
        assertThat(app.path("grants").path("user").isArray()).isTrue();
    }

    private static void assertInputError(ObjectNode body, String key) {
        assertThatThrownBy(() -> AppSettings.defaults().patch(body))
                .as("%s", body)
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).contains(key);
                });
    }
}
