package dev.parley.server.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.chat.Permissions;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Grants of the built-in channel types and the capabilities they give (PROTOCOL.md §11). No sockets. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PermissionsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final ChannelTypes TYPES = new ChannelTypes(T0);

    static ChannelRow channel(String type, String creator, boolean frozen) {
        return new ChannelRow(
                type + ":x", type, "x", creator, null, T0, T0, null, null, null, frozen, false, 0, 0, 0, Json.object());
    }

    static Actor user(String id, String role) {
        return Actor.user(User.builder(id).role(role).build());
    }

    static MemberRow member(String userId, String role) {
        return MemberRow.create("messaging:x", userId, role, T0);
    }

    @Test
    void aMemberOfAMessagingChannelGetsTheCapabilitiesTheReactUiNeeds() {
        var caps = Permissions.capabilities(
                user("ann", "user"),
                TYPES.require("messaging"),
                channel("messaging", "bob", false),
                member("ann", "channel_member"));

        assertThat(caps)
                .contains(
                        "send-message",
                        "send-reply",
                        "send-reaction",
                        "update-own-message",
                        "delete-own-message",
                        "read-events",
                        "typing-events",
                        "send-typing-events",
                        "upload-file",
                        "quote-message",
                        "leave-channel",
                        "delivery-events");
        assertThat(caps).doesNotContain("update-any-message", "delete-channel", "freeze-channel");
    }

    @Test
    void aNonMemberCannotReadAMessagingChannelButTheCreatorCan() {
        ChannelType messaging = TYPES.require("messaging");
        ChannelRow ch = channel("messaging", "bob", false);

        assertThat(Permissions.allowed(user("eve", "user"), messaging, null, "read-channel", false))
                .isFalse();
        assertThat(Permissions.allowed(
                        user("bob", "user"),
                        messaging,
                        null,
                        "read-channel",
                        Permissions.ownsChannel(user("bob", "user"), ch)))
                .isTrue();
        assertThat(Permissions.allowed(user("root", "admin"), messaging, null, "delete-channel", false))
                .isTrue();
    }

    @Test
    void livestreamIsReadableWithoutMembershipAndByAnonymousButNotWritableByGuests() {
        ChannelType live = TYPES.require("livestream");

        assertThat(Permissions.allowed(user("eve", "user"), live, null, "read-channel", false))
                .isTrue();
        assertThat(Permissions.allowed(user("!anon", "anonymous"), live, null, "read-channel", false))
                .isTrue();
        assertThat(Permissions.allowed(user("g", "guest"), live, null, "create-message", false))
                .isFalse();
        assertThat(TYPES.openTypes()).containsExactly("livestream");
        assertThat(live.flag("url_enrichment")).isFalse();
    }

    @Test
    void gamingAndCommerceRestrictChannelCreationAsDocumented() {
        assertThat(Permissions.allowed(user("u", "user"), TYPES.require("gaming"), null, "create-channel", true))
                .isFalse();
        assertThat(Permissions.allowed(user("u", "user"), TYPES.require("commerce"), null, "create-channel", true))
                .isFalse();
        assertThat(Permissions.allowed(user("g", "guest"), TYPES.require("commerce"), null, "create-channel", true))
                .isTrue();
        assertThat(Permissions.allowed(user("u", "user"), TYPES.require("team"), null, "create-channel", true))
                .isTrue();
    }

    @Test
    void aFrozenChannelWithdrawsSendMessage() {
        var caps = Permissions.capabilities(
                user("ann", "user"),
                TYPES.require("messaging"),
                channel("messaging", "bob", true),
                member("ann", "channel_member"));

        assertThat(caps).doesNotContain("send-message", "send-reply", "send-typing-events");
    }

    @Test
    void aRefusalIsCode17NamingTheActionAndTheServerMayDoEverything() {
        ChannelType messaging = TYPES.require("messaging");

        assertThatThrownBy(() -> Permissions.require(
                        user("eve", "user"), messaging, null, "create-message", false, "SendMessage", "messaging:x"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(17);
                    assertThat(e.getMessage()).contains("CreateMessage", "SendMessage", "eve");
                });
        assertThat(Permissions.allowed(Actor.server(null), messaging, null, "delete-channel", false))
                .isTrue();
    }
}
