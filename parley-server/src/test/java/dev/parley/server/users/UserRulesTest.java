package dev.parley.server.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a client may write on a user (PROTOCOL.md §4.2, §7.1): pure functions, no server. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UserRulesTest {
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-02-01T12:00:00Z");

    private static User stored() {
        return User.builder("leia")
                .role("user")
                .teams(List.of("red"))
                .createdAt(CREATED)
                .updatedAt(CREATED)
                .put("name", Json.mapper().getNodeFactory().textNode("Leia"))
                .put("color", Json.mapper().getNodeFactory().textNode("blue"))
                .build();
    }

    private static ObjectNode details() {
        return Json.object().put("id", "leia");
    }

    @Test
    void connectCreatesAMissingUserWithTheSentFields() {
        User u = UserRules.mergeConnect(
                null, "han", Json.object().put("id", "han").put("name", "Han"), NOW);

        assertThat(u.id()).isEqualTo("han");
        assertThat(u.role()).isEqualTo("user");
        assertThat(u.name()).isEqualTo("Han");
        assertThat(u.createdAt()).isEqualTo(NOW);
    }

    @Test
    void connectSetsCustomFieldsAndDeletesNothing() {
        User u = UserRules.mergeConnect(
                stored(), "leia", details().put("name", "General Leia").put("rank", 1), NOW);

        assertThat(u.name()).isEqualTo("General Leia");
        assertThat(u.custom().get("rank").asInt()).isEqualTo(1);
        assertThat(u.custom().get("color").asText()).as("not sent, so kept").isEqualTo("blue");
        assertThat(u.updatedAt()).isEqualTo(NOW);
        assertThat(u.createdAt()).isEqualTo(CREATED);
    }

    @Test
    void connectRefusesARoleChangeWith17() {
        assertThatThrownBy(
                        () -> UserRules.mergeConnect(stored(), "leia", details().put("role", "admin"), NOW))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(17);
                    assertThat(e.getMessage()).contains("UpdateUserRole");
                });
    }

    @Test
    void connectAcceptsTheUnchangedRole() {
        User u = UserRules.mergeConnect(stored(), "leia", details().put("role", "user"), NOW);

        assertThat(u.role()).isEqualTo("user");
    }

    @Test
    void connectRefusesATeamsChangeWith17() {
        ObjectNode d = details();
        d.putArray("teams").add("blue");

        assertThatThrownBy(() -> UserRules.mergeConnect(stored(), "leia", d, NOW))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(17));
    }

    @Test
    void connectRefusesATeamsRoleChangeWith17() {
        ObjectNode d = details();
        d.putObject("teams_role").put("red", "admin");

        assertThatThrownBy(() -> UserRules.mergeConnect(stored(), "leia", d, NOW))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(17));
    }

    @Test
    void connectIgnoresServerManagedAndComputedFields() {
        ObjectNode d = details()
                .put("banned", true)
                .put("shadow_banned", true)
                .put("created_at", "2000-01-01T00:00:00Z")
                .put("deactivated_at", "2000-01-01T00:00:00Z")
                .put("revoke_tokens_issued_before", "2030-01-01T00:00:00Z")
                .put("total_unread_count", 99)
                .put("online", true);
        d.putArray("devices").addObject().put("id", "x");

        User u = UserRules.mergeConnect(stored(), "leia", d, NOW);

        assertThat(u.banned()).isFalse();
        assertThat(u.shadowBanned()).isFalse();
        assertThat(u.createdAt()).isEqualTo(CREATED);
        assertThat(u.deactivatedAt()).isNull();
        assertThat(u.revokeTokensIssuedBefore()).isNull();
        assertThat(u.custom()).doesNotContainKeys("total_unread_count", "devices", "banned", "created_at", "online");
    }

    @Test
    void connectRefusesCustomDataOverFiveKilobytesWith4() {
        ObjectNode d = details().put("bio", "x".repeat(UserRules.MAX_CUSTOM_BYTES));

        assertThatThrownBy(() -> UserRules.mergeConnect(stored(), "leia", d, NOW))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).contains("custom data");
                });
    }

    @Test
    void theSizeBoundIsNeverBelowTheEncodedSize() {
        ObjectNode d = Json.object()
                .put("plain", "abc")
                .put("quote\"d", "line\nbreak\u0001")
                .put("unicode", "caf\u00e9 \u6f22\u5b57 \ud83d\ude00")
                .put("n", 12345678901234L)
                .put("f", 1.5e-300)
                .put("yes", true)
                .putNull("none");
        d.putArray("list").add("a").add(1);
        d.putObject("nested").put("k", "v\u00ff");
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> custom = new java.util.LinkedHashMap<>();
        d.fieldNames().forEachRemaining(k -> custom.put(k, d.get(k)));

        assertThat(UserRules.sizeBound(custom)).isGreaterThanOrEqualTo(Json.writeBytes(custom).length);
    }

    @Test
    void connectRefusesEscapedCustomDataOverFiveKilobytesWith4() {
        // 1,000 characters that each encode as a six-byte escape: 6,000 bytes
        ObjectNode d = details().put("bio", "\u0001".repeat(1000));

        assertThatThrownBy(() -> UserRules.mergeConnect(stored(), "leia", d, NOW))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
    }

    @Test
    void connectWithUnchangedDetailsReturnsTheSameInstance() {
        User s = stored();

        User u = UserRules.mergeConnect(s, "leia", details().put("name", "Leia").put("role", "user"), NOW);

        assertThat(u).isSameAs(s);
    }

    @Test
    void upsertReplacesCustomFieldsAndKeepsCreatedAt() {
        User u = UserRules.upsert(stored(), details().put("name", "Organa"), true, NOW);

        assertThat(u.name()).isEqualTo("Organa");
        assertThat(u.custom()).doesNotContainKey("color");
        assertThat(u.createdAt()).isEqualTo(CREATED);
        assertThat(u.teams()).as("teams not sent are kept").containsExactly("red");
    }

    @Test
    void upsertByTheUserRefusesARoleChangeButTheServerMayChangeIt() {
        ObjectNode d = details().put("role", "admin");

        assertThatThrownBy(() -> UserRules.upsert(stored(), d, false, NOW))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(17));
        assertThat(UserRules.upsert(stored(), d, true, NOW).role()).isEqualTo("admin");
    }

    @Test
    void partialUpdateSetsDottedPathsAndUnsetsKeys() {
        ObjectNode set = Json.object().put("address.city", "Aldera");
        User u = UserRules.partialUpdate(stored(), set, Json.array().add("color"), false, NOW);

        assertThat(u.custom().get("address").path("city").asText()).isEqualTo("Aldera");
        assertThat(u.custom()).doesNotContainKey("color");
        assertThat(u.name()).isEqualTo("Leia");
    }

    @Test
    void partialUpdateWithNothingChangedReturnsTheSameInstance() {
        User s = stored();

        assertThat(UserRules.partialUpdate(s, Json.object().put("name", "Leia"), null, false, NOW))
                .isSameAs(s);
    }

    @Test
    void partialUpdateRefusesAUserSettingItsRevocationDate() {
        ObjectNode set = Json.object().put("revoke_tokens_issued_before", "2026-01-01T00:00:00Z");

        assertThatThrownBy(() -> UserRules.partialUpdate(stored(), set, null, false, NOW))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(17));
        assertThat(UserRules.partialUpdate(stored(), set, null, true, NOW).revokeTokensIssuedBefore())
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void checkIdAcceptsTheAllowedCharactersAndRefusesOthers() {
        assertThat(UserRules.checkId("a-Z_0@9", "id")).isEqualTo("a-Z_0@9");
        for (String bad : new String[] {"", "a b", "a/b", "ü", "x".repeat(256)}) {
            assertThatThrownBy(() -> UserRules.checkId(bad, "id"))
                    .as("'%s'", bad)
                    .isInstanceOfSatisfying(
                            ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        }
    }
}
