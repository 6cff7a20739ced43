package dev.parley.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The payloads built from the wire model's records carry exactly the keys and values the SDKs read. */
class EventsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456Z");

    private static User ann() {
        return User.builder("ann")
                .put("name", "Ann")
                .role("user")
                .createdAt(T0)
                .updatedAt(T0)
                .lastActive(T0)
                .online(true)
                .put("color", "green")
                .build();
    }

    @Test
    void aUserEventIsItsTypeTheUserAndTheTime() {
        ObjectNode expected =
                Json.object().put("type", "user.presence.changed").put("created_at", "2026-03-01T10:00:00.123456Z");
        expected.set("user", ann().toJson());

        assertThat(Events.userEvent("user.presence.changed", ann(), T0)).isEqualTo(expected);
    }

    @Test
    void theOwnUserOfANewUserHasEmptyListsZeroCountersAndPrivacySettings() {
        ObjectNode expected = ann().toJson();
        expected.putArray("devices");
        expected.putArray("mutes");
        expected.putArray("channel_mutes");
        expected.putArray("blocked_user_ids");
        expected.put("total_unread_count", 0);
        expected.put("unread_count", 0);
        expected.put("unread_channels", 0);
        expected.put("unread_threads", 0);
        expected.putObject("privacy_settings");

        assertThat(Events.me(ann())).isEqualTo(expected);
    }
}
