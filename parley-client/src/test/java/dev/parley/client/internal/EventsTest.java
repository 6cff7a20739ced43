package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.Event;
import dev.parley.client.GenericEvent;
import dev.parley.client.HealthCheckEvent;
import dev.parley.client.UserPresenceChangedEvent;
import dev.parley.client.UserUpdatedEvent;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class EventsTest {
    final Instant now = Instant.parse("2026-03-02T09:00:00Z");

    Event parse(String json) {
        return Events.parse(Json.parseObject(json, "test"), now);
    }

    @Test
    void healthCheckWithMeIsTyped() {
        Event e = parse(
                "{\"type\":\"health.check\",\"connection_id\":\"c1\",\"created_at\":\"2026-03-02T09:15:11.482913Z\","
                        + "\"me\":{\"id\":\"maria\",\"unread_channels\":2,\"blocked_user_ids\":[\"leo\"]}}");
        assertThat(e).isInstanceOfSatisfying(HealthCheckEvent.class, h -> {
            assertThat(h.connectionId()).isEqualTo("c1");
            assertThat(h.createdAt()).isEqualTo(Instant.parse("2026-03-02T09:15:11.482913Z"));
            assertThat(h.me()).hasValueSatisfying(m -> {
                assertThat(m.unreadChannels()).isEqualTo(2);
                assertThat(m.blockedUserIds()).containsExactly("leo");
            });
        });
    }

    @Test
    void userEventsCarryTheUser() {
        assertThat(parse("{\"type\":\"user.updated\",\"user\":{\"id\":\"leo\",\"name\":\"Leo\"}}"))
                .isInstanceOfSatisfying(
                        UserUpdatedEvent.class, u -> assertThat(u.user().name()).isEqualTo("Leo"));
        assertThat(parse("{\"type\":\"user.presence.changed\",\"user\":{\"id\":\"leo\",\"online\":true}}"))
                .isInstanceOfSatisfying(
                        UserPresenceChangedEvent.class,
                        u -> assertThat(u.user().online()).isTrue());
    }

    @Test
    void unknownOrMalformedEventsBecomeGenericWithTheRawJson() {
        assertThat(parse("{\"type\":\"message.new\",\"cid\":\"messaging:a\"}"))
                .isInstanceOfSatisfying(GenericEvent.class, g -> {
                    assertThat(g.type()).isEqualTo("message.new");
                    assertThat(g.raw().get("cid")).contains(JsonValue.of("messaging:a"));
                    assertThat(g.createdAt()).isEqualTo(now);
                });
        assertThat(parse("{\"type\":\"user.updated\",\"user\":{\"id\":7}}")).isInstanceOf(GenericEvent.class);
    }
}
