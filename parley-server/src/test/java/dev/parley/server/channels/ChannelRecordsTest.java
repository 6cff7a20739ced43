package dev.parley.server.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Delivery;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ModerationStore.Ban;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wire records of channels, members and read states write, key for key and null for null, the trees that
 * the hand-built views wrote before them ({@link ChannelViews}, with the channel bans marked on members and the
 * reader's fields on the channel as {@link ChannelStates} added them). Trees compare without regard to key order,
 * which the SDKs do not read, but with regard to every key, value, null and number type.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChannelRecordsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");
    private static final Instant T1 = Instant.parse("2026-03-02T11:30:00.5Z");
    private static final Instant T2 = Instant.parse("2026-03-03T12:45:00Z");
    private static final ChannelType MESSAGING =
            new ChannelTypes(Instant.parse("2026-01-01T00:00:00Z")).require("messaging");

    private static final User ANN =
            User.builder("ann").role("user").put("name", "Ann").build();
    private static final User ADMIN = User.builder("root").role("admin").build();
    private static final User BANNED =
            User.builder("bob").role("user").banned(true).banExpires(T2).build();
    private static final User SHADOWED =
            User.builder("cat").role("user").shadowBanned(true).build();

    private static ChannelRow channel(
            String createdBy,
            String team,
            Instant lastMessageAt,
            Instant truncatedAt,
            String truncatedBy,
            int cooldown,
            ObjectNode custom) {
        return new ChannelRow(
                "messaging:room",
                "messaging",
                "room",
                createdBy,
                team,
                T0,
                T1,
                lastMessageAt,
                truncatedAt,
                truncatedBy,
                false,
                true,
                cooldown,
                3,
                42,
                custom);
    }

    private static final ChannelRow ROOM = channel("ann", null, null, null, null, 0, Json.object());

    private static MemberRow member(
            String userId,
            String role,
            Instant lastRead,
            String lastReadMessageId,
            int unread,
            Instant archivedAt,
            Instant pinnedAt,
            ObjectNode custom,
            String inviteStatus,
            Instant acceptedAt,
            Instant rejectedAt) {
        return new MemberRow(
                "messaging:room",
                userId,
                role,
                T0,
                T1,
                false,
                lastRead,
                lastReadMessageId,
                unread,
                archivedAt,
                pinnedAt,
                null,
                custom,
                inviteStatus,
                acceptedAt,
                rejectedAt);
    }

    private static List<MemberRow> members() {
        ObjectNode custom = Json.object()
                .put("nickname", "annie")
                .put("score", 7)
                .put("ratio", 1.5)
                .put("big", 12_345_678_901L)
                .putNull("nothing")
                // A key the server manages, stored in custom data: where the member writes it, the member wins.
                .put("banned", "custom")
                // Keys of the member's shape that this member does not write: the custom value goes through.
                .put("invited", "custom")
                .put("invite_accepted_at", "custom");
        custom.putArray("tags").add("a").add(2);
        custom.putObject("nested").put("x", true);
        return List.of(
                member("ann", "channel_member", null, null, 0, null, null, null, null, null, null),
                member("ann", "channel_moderator", T1, "m-1", 3, T1, T2, custom, null, T2, T2),
                member("bob", "channel_moderator", T2, null, 0, null, T2, null, "pending", null, null),
                member("cat", "custom_role", null, "m-2", 9, T2, null, null, "accepted", T1, null),
                member("dan", "channel_member", T1, null, 1, null, null, null, "rejected", null, T2),
                member("root", "channel_member", null, null, 0, null, null, Json.object(), null, null, null));
    }

    private static List<User> users() {
        return java.util.Arrays.asList(ANN, BANNED, SHADOWED, ADMIN, null);
    }

    private static List<Ban> bans(String userId) {
        return java.util.Arrays.asList(
                null,
                new Ban(userId, "messaging:room", "root", "spam", false, T0, null),
                new Ban(userId, "messaging:room", "root", null, true, T0, T2));
    }

    /** The member as it was built before: the shared tree, then the channel ban marked on it. */
    private static ObjectNode oldMember(MemberRow m, User u, ChannelRow ch, Ban ban) {
        ObjectNode o = ChannelViews.member(m, u, ch);
        if (ban != null) {
            o.put(ban.shadow() ? "shadow_banned" : "banned", true);
        }
        return o;
    }

    @Test
    void aMemberRecordWritesTheSameJsonAsTheMemberTreeForEveryRoleInvitationUserAndBan() {
        int compared = 0;
        for (MemberRow m : members()) {
            for (User u : users()) {
                for (Ban ban : bans(m.userId())) {
                    ObjectNode before = oldMember(m, u, ROOM, ban);
                    ObjectNode after = ChannelRecords.member(m, u, ROOM, ban).toJson();
                    assertThat(after)
                            .as("member %s (%s) as user %s, ban %s", m.userId(), m.inviteStatus(), u, ban)
                            .isEqualTo(before);
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(6 * 5 * 3);
    }

    @Test
    void aMemberWithCustomFieldsKeepsThemAndTheServersKeysWinWhereTheServerWritesThem() {
        MemberRow m = members().get(1);

        ObjectNode after = ChannelRecords.member(m, ANN, ROOM, null).toJson();

        assertThat(after.path("nickname").asText()).isEqualTo("annie");
        assertThat(after.get("score").isInt()).isTrue();
        assertThat(after.get("big").isLong()).isTrue();
        assertThat(after.get("nothing").isNull()).isTrue();
        assertThat(after.path("banned").isBoolean()).isTrue();
        assertThat(after.path("invited").asText()).isEqualTo("custom");
        assertThat(after.path("invite_accepted_at").asText()).isEqualTo("custom");
        assertThat(after.get("archived_at").asText()).isEqualTo(Timestamps.format(T1));
        assertThat(after.path("role").asText()).isEqualTo("owner");
    }

    @Test
    void aReadRecordWritesTheSameJsonAsTheReadTreeWithAndWithoutADeliveryReceipt() {
        Delivery delivery = new Delivery("messaging:room", "ann", T2, "m-9");
        int compared = 0;
        for (MemberRow m : members()) {
            for (User u : users()) {
                assertThat(ChannelRecords.read(m, u, null).toJson())
                        .as("read of %s as %s", m.userId(), u)
                        .isEqualTo(ChannelViews.read(m, u))
                        .isEqualTo(ChannelViews.read(m, u, null));
                assertThat(ChannelRecords.read(m, u, delivery).toJson())
                        .as("read of %s as %s, delivered", m.userId(), u)
                        .isEqualTo(ChannelViews.read(m, u, delivery));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(6 * 5);
    }

    private static List<ChannelRow> channels() {
        ObjectNode custom = Json.object().put("name", "Room").put("image", "https://example.com/r.png");
        custom.putObject(ChannelTypes.OVERRIDES).put("typing_events", false);
        custom.putArray("tags").add("x");
        // Keys of the channel's shape that a channel without them leaves to the custom data.
        custom.put("deleted_at", "custom").put("hidden", "custom").put("truncated_by_id", "custom");
        // A key the channel always writes: the channel wins.
        custom.put("member_count", "custom");
        return List.of(
                ROOM,
                channel("ann", "blue", T2, null, null, 30, custom),
                channel(null, null, T1, T2, "ann", 0, Json.object().put("name", "Cleared")),
                channel("ann", null, null, T2, null, 120, custom),
                channel(null, "red", null, null, "ann", 0, custom));
    }

    private static List<ChannelType> types(ChannelRow ch) {
        ChannelType effective = ch.custom().get(ChannelTypes.OVERRIDES) instanceof ObjectNode o
                ? ChannelTypes.withOverrides(MESSAGING, o)
                : MESSAGING;
        return List.of(MESSAGING, effective);
    }

    @Test
    void aChannelRecordWritesTheSameJsonAsTheChannelTreeAsEventsCarryIt() {
        int compared = 0;
        for (ChannelRow ch : channels()) {
            for (ChannelType type : types(ch)) {
                for (User createdBy : java.util.Arrays.asList(null, ANN)) {
                    assertThat(ChannelRecords.channel(ch, type, createdBy).toJson())
                            .as("channel %s created by %s", ch, createdBy)
                            .isEqualTo(ChannelViews.channel(ch, type, createdBy));
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(5 * 2 * 2);
    }

    @Test
    void aChannelForAReaderWritesTheSameJsonAsTheTreeWithCapabilitiesAndHidden() {
        for (ChannelRow ch : channels()) {
            for (boolean hidden : new boolean[] {false, true}) {
                List<String> caps = hidden ? List.of() : List.of("read-events", "send-message");
                ObjectNode before = ChannelViews.channel(ch, MESSAGING, ANN);
                ArrayNode array = before.putArray("own_capabilities");
                caps.forEach(array::add);
                before.put("hidden", hidden);

                ObjectNode after = ChannelRecords.channel(ch, MESSAGING, ANN, caps, hidden, null)
                        .toJson();

                assertThat(after).as("channel %s, hidden %s", ch, hidden).isEqualTo(before);
            }
        }
    }

    @Test
    void aDeletedChannelWritesTheSameJsonAsTheTreeWithDeletedAt() {
        for (ChannelRow ch : channels()) {
            ObjectNode before = ChannelViews.channel(ch, MESSAGING, null);
            before.put("deleted_at", Timestamps.format(T2));

            assertThat(ChannelRecords.channel(ch, MESSAGING, null, null, null, T2)
                            .toJson())
                    .as("deleted channel %s", ch)
                    .isEqualTo(before);
        }
    }
}
