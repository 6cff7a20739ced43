package dev.parley.server.moderation;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.MutableClock;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mutes, bans, flags and blocks against the real server (PROTOCOL.md §7.13, §7.1 U11, §6.1, §8.3). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModerationTest {
    private static final MutableClock clock = new MutableClock(Instant.now());

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(clock, b -> {});

    private String ann;
    private String bob;
    private String mod;
    private String id;
    private String cid;

    @BeforeEach
    void channel() {
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        mod = Seed.uid("mod");
        id = Seed.uid("room");
        cid = "messaging:" + id;
        Seed.users(
                server,
                json("id", ann, "name", "Ann"),
                json("id", bob, "name", "Bob"),
                json("id", mod, "role", "moderator"));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private RestClient.Response send(String as, String text) {
        return RestClient.user(server, as)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", text)));
    }

    private int unread(String user) {
        return RestClient.user(server, user)
                .get("/unread")
                .body()
                .path("total_unread_count")
                .asInt(-1);
    }

    private static List<String> ids(JsonNode array, String path) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(path).asText()));
        return out;
    }

    @Test
    void muteAnswersTheMuteAndOwnUserAndNotifiesTheMutersConnections() {
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            ws.next("health.check");

            RestClient.Response r =
                    RestClient.user(server, ann).post("/moderation/mute", json("target_id", bob, "timeout", 60));
            ObjectNode event = ws.next("notification.mutes_updated");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().at("/mute/target/id").asText()).isEqualTo(bob);
            assertThat(r.body().at("/mute/user/id").asText()).isEqualTo(ann);
            assertThat(r.body().at("/mute/expires").asText()).isNotEmpty();
            assertThat(ids(r.body().at("/own_user/mutes"), "/target/id")).containsExactly(bob);
            assertThat(ids(event.at("/me/mutes"), "/target/id")).containsExactly(bob);
        }
    }

    @Test
    void theHandshakeCarriesMutesChannelMutesAndBlockedUsers() {
        RestClient.user(server, ann).post("/moderation/mute", json("target_ids", List.of(bob)));
        RestClient.user(server, ann).post("/moderation/mute/channel", json("channel_cid", cid));
        RestClient.user(server, ann).post("/users/block", json("blocked_user_id", mod));

        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            JsonNode me = ws.next("health.check").get("me");

            assertThat(ids(me.get("mutes"), "/target/id")).containsExactly(bob);
            assertThat(ids(me.get("channel_mutes"), "/channel/cid")).containsExactly(cid);
            assertThat(me.get("blocked_user_ids").toString()).isEqualTo("[\"" + mod + "\"]");
        }
    }

    @Test
    void messagesOfAMutedUserDoNotRaiseUnreadUntilUnmuted() {
        RestClient.user(server, ann).post("/moderation/mute", json("target_id", bob));
        send(bob, "while muted");

        int whileMuted = unread(ann);
        RestClient.Response unmuted = RestClient.user(server, ann).post("/moderation/unmute", json("target_id", bob));
        send(bob, "after unmute");

        assertThat(whileMuted).isZero();
        assertThat(unmuted.status()).isEqualTo(200);
        assertThat(unread(ann)).isEqualTo(1);
    }

    @Test
    void aMutedChannelDoesNotRaiseUnreadAndUnmuteAcceptsTheListSpelling() {
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            ws.next("health.check");
            RestClient.Response r = RestClient.user(server, ann)
                    .post("/moderation/mute/channel", json("channel_cids", List.of(cid), "expiration", 3_600_000));
            ObjectNode event = ws.next("notification.channel_mutes_updated");
            send(bob, "in a muted channel");
            int whileMuted = unread(ann);
            RestClient.user(server, ann).post("/moderation/unmute/channel", json("channel_cids", List.of(cid)));
            ObjectNode after = ws.next("notification.channel_mutes_updated");

            assertThat(r.body().at("/channel_mute/channel/cid").asText()).isEqualTo(cid);
            assertThat(r.body().at("/channel_mute/expires").asText()).isNotEmpty();
            assertThat(ids(event.at("/me/channel_mutes"), "/channel/cid")).containsExactly(cid);
            assertThat(whileMuted).isZero();
            assertThat(after.at("/me/channel_mutes").size()).isZero();
        }
    }

    @Test
    void muteInputErrorsAreCode4AndUnknownTargetsCode16() {
        RestClient.Response none = RestClient.user(server, ann).post("/moderation/mute", json());
        RestClient.Response badTimeout =
                RestClient.user(server, ann).post("/moderation/mute", json("target_id", bob, "timeout", "soon"));
        RestClient.Response self = RestClient.user(server, ann).post("/moderation/mute", json("target_id", ann));
        RestClient.Response unknown =
                RestClient.user(server, ann).post("/moderation/mute", json("target_id", "nobody-" + id));
        RestClient.Response partly =
                RestClient.user(server, ann).post("/moderation/mute", json("target_ids", List.of(bob, "nobody-" + id)));
        RestClient.Response noChannel = RestClient.user(server, ann)
                .post("/moderation/mute/channel", json("channel_cid", "messaging:none-" + id));

        assertThat(none.code()).isEqualTo(4);
        assertThat(none.status()).isEqualTo(400);
        assertThat(badTimeout.code()).isEqualTo(4);
        assertThat(self.code()).isEqualTo(4);
        assertThat(unknown.code()).isEqualTo(16);
        assertThat(partly.body().get("non_existing_users").toString()).contains("nobody-" + id);
        assertThat(noChannel.code()).isEqualTo(16);
    }

    @Test
    void aChannelBanRefusesSendingWithCode17AndReachesWatchers() {
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response banned = RestClient.server(server)
                    .post(
                            "/moderation/ban",
                            json(
                                    "target_user_id",
                                    bob,
                                    "type",
                                    "messaging",
                                    "id",
                                    id,
                                    "reason",
                                    "spam",
                                    "banned_by_id",
                                    ann));
            ObjectNode event = ws.next("user.banned");
            RestClient.Response refused = send(bob, "hello");
            JsonNode members = RestClient.user(server, ann)
                    .post("/channels/messaging/" + id + "/query", json())
                    .body()
                    .get("members");

            assertThat(banned.status()).isEqualTo(200);
            assertThat(event.at("/user/id").asText()).isEqualTo(bob);
            assertThat(event.path("cid").asText()).isEqualTo(cid);
            assertThat(event.path("reason").asText()).isEqualTo("spam");
            assertThat(event.at("/created_by/id").asText()).isEqualTo(ann);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo(17);
            assertThat(member(members, bob).path("banned").asBoolean()).isTrue();
            assertThat(member(members, ann).path("banned").asBoolean()).isFalse();
        }
    }

    private static JsonNode member(JsonNode members, String userId) {
        for (JsonNode m : members) {
            if (m.path("user_id").asText().equals(userId)) {
                return m;
            }
        }
        throw new AssertionError("no member " + userId + " in " + members);
    }

    @Test
    void unbanLetsTheUserSendAgain() {
        RestClient.server(server).post("/moderation/ban", json("target_user_id", bob, "type", "messaging", "id", id));

        RestClient.Response unban = RestClient.server(server)
                .call("DELETE", "/moderation/ban?target_user_id=" + bob + "&type=messaging&id=" + id, null);

        assertThat(unban.status()).isEqualTo(200);
        assertThat(send(bob, "back").status()).isEqualTo(200);
    }

    @Test
    void aGlobalBanMarksTheUserAndMemberBannedAndExpiresWithItsTimeout() {
        RestClient.Response ban =
                RestClient.user(server, mod).post("/moderation/ban", json("target_user_id", bob, "timeout", 10));
        RestClient.Response refused = send(bob, "banned");
        JsonNode members = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json())
                .body()
                .get("members");
        clock.advance(Duration.ofMinutes(11));
        RestClient.Response later = send(bob, "expired");

        assertThat(ban.status()).isEqualTo(200);
        assertThat(refused.code()).isEqualTo(17);
        JsonNode bobMember = member(members, bob);
        assertThat(bobMember.path("banned").asBoolean()).isTrue();
        assertThat(bobMember.at("/user/banned").asBoolean()).isTrue();
        assertThat(later.status()).isEqualTo(200);
    }

    @Test
    void aShadowBanStoresTheMessageShadowedInsteadOfRefusingIt() {
        RestClient.server(server)
                .post("/moderation/ban", json("target_user_id", bob, "type", "messaging", "id", id, "shadow", true));

        RestClient.Response r = send(bob, "quietly");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().at("/message/shadowed").asBoolean()).isTrue();
    }

    @Test
    void aGlobalShadowBanLeavesTheUserUnbannedToOthersButShadowsItsMessages() {
        RestClient.server(server).post("/moderation/ban", json("target_user_id", bob, "shadow", true));

        RestClient.Response r = send(bob, "unaware");
        JsonNode members = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json())
                .body()
                .get("members");
        RestClient.server(server).call("DELETE", "/moderation/ban?target_user_id=" + bob, null);
        RestClient.Response after = send(bob, "unbanned");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().at("/message/shadowed").asBoolean()).isTrue();
        assertThat(member(members, bob).path("banned").asBoolean()).isFalse();
        assertThat(member(members, bob).path("shadow_banned").asBoolean()).isTrue();
        assertThat(after.body().at("/message/shadowed").asBoolean()).isFalse();
    }

    @Test
    void aPlainUserCannotBanAndCannotBanGlobally() {
        RestClient.Response channelBan = RestClient.user(server, bob)
                .post("/moderation/ban", json("target_user_id", ann, "type", "messaging", "id", id));
        RestClient.Response globalBan =
                RestClient.user(server, ann).post("/moderation/ban", json("target_user_id", bob));
        RestClient.Response halfChannel =
                RestClient.user(server, mod).post("/moderation/ban", json("target_user_id", bob, "type", "messaging"));

        assertThat(channelBan.code()).isEqualTo(17);
        assertThat(globalBan.code()).isEqualTo(17);
        assertThat(halfChannel.code()).isEqualTo(4);
        assertThat(send(bob, "still here").status()).isEqualTo(200);
    }

    @Test
    void queryBannedUsersListsTheChannelsBansWithReason() {
        RestClient.server(server)
                .post("/moderation/ban", json("target_user_id", bob, "type", "messaging", "id", id, "reason", "rude"));
        String payload = Json.write(json("filter_conditions", json("channel_cid", cid)));

        RestClient.Response r = RestClient.user(server, mod)
                .get("/query_banned_users?payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8));
        RestClient.Response denied = RestClient.user(server, bob)
                .get("/query_banned_users?payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r.body().get("bans"), "/user/id")).containsExactly(bob);
        assertThat(r.body().at("/bans/0/reason").asText()).isEqualTo("rude");
        assertThat(r.body().at("/bans/0/channel/cid").asText()).isEqualTo(cid);
        assertThat(denied.code()).isEqualTo(17);
    }

    @Test
    void flagAMessageOrAUserAndUnflagIsANoOp() {
        String mid = send(bob, "flag me").body().at("/message/id").asText();

        RestClient.Response message =
                RestClient.user(server, ann).post("/moderation/flag", json("target_message_id", mid, "reason", "rude"));
        RestClient.Response user = RestClient.user(server, ann).post("/moderation/flag", json("target_user_id", bob));
        RestClient.Response missing =
                RestClient.user(server, ann).post("/moderation/flag", json("target_message_id", "none-" + id));
        RestClient.Response outsider =
                RestClient.user(server, mod).post("/moderation/flag", json("target_message_id", mid));
        RestClient.Response both = RestClient.user(server, ann).post("/moderation/flag", json());
        RestClient.Response unflag =
                RestClient.user(server, ann).post("/moderation/unflag", json("target_message_id", mid));

        assertThat(message.body().at("/flag/target_message_id").asText()).isEqualTo(mid);
        assertThat(message.body().at("/flag/user/id").asText()).isEqualTo(ann);
        assertThat(message.body().at("/flag/reason").asText()).isEqualTo("rude");
        assertThat(user.body().at("/flag/target_user/id").asText()).isEqualTo(bob);
        assertThat(missing.code()).isEqualTo(16);
        assertThat(outsider.status()).isEqualTo(200);
        assertThat(both.code()).isEqualTo(4);
        assertThat(unflag.status()).isEqualTo(200);
    }

    @Test
    void blockListAndUnblock() {
        RestClient.Response block = RestClient.user(server, ann).post("/users/block", json("blocked_user_id", bob));
        JsonNode blocks =
                RestClient.user(server, ann).get("/users/block").body().get("blocks");
        RestClient.Response self = RestClient.user(server, ann).post("/users/block", json("blocked_user_id", ann));
        RestClient.user(server, ann).post("/users/unblock", json("blocked_user_id", bob));
        JsonNode after = RestClient.user(server, ann).get("/users/block").body().get("blocks");

        assertThat(block.body().path("blocked_by_user_id").asText()).isEqualTo(ann);
        assertThat(block.body().path("blocked_user_id").asText()).isEqualTo(bob);
        assertThat(ids(blocks, "/blocked_user/id")).containsExactly(bob);
        assertThat(self.code()).isEqualTo(4);
        assertThat(after.size()).isZero();
    }

    @Test
    void aServerTokenActsForTheNamedUser() {
        RestClient.Response r =
                RestClient.server(server).post("/moderation/mute", json("target_id", bob, "user_id", ann));
        RestClient.Response nobody = RestClient.server(server).post("/moderation/mute", json("target_id", bob));

        assertThat(r.body().at("/mute/user/id").asText()).isEqualTo(ann);
        assertThat(nobody.code()).isEqualTo(4);
    }
}
