package dev.parley.server.channels;

import static dev.parley.server.testing.RestClient.json;
import static dev.parley.server.testing.Seed.uid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Channels over REST and WebSocket against the real server (PROTOCOL.md §7.2 to §7.7, §4.4, §4.5, §11). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    static void createUsers(String... ids) {
        ObjectNode[] users = new ObjectNode[ids.length];
        for (int i = 0; i < ids.length; i++) {
            users[i] = json("id", ids[i], "name", ids[i].toUpperCase());
        }
        assertThat(Seed.users(server, users).status()).isEqualTo(200);
    }

    static RestClient.Response create(String as, String id, String... members) {
        return RestClient.user(server, as)
                .post(
                        "/channels/messaging/" + id + "/query",
                        json("data", json("name", "Room " + id, "members", List.of(members)), "state", true));
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void getOrCreateCreatesOnceWithConfigCapabilitiesMembersAndEmptyArrays() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("room");

        RestClient.Response first = create(ann, id, ann, bob);
        RestClient.Response second = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json("data", json("name", "ignored"), "state", true));

        assertThat(first.status()).isEqualTo(200);
        JsonNode ch = first.body().get("channel");
        assertThat(ch.path("cid").asText()).isEqualTo("messaging:" + id);
        assertThat(ch.path("config").path("typing_events").asBoolean()).isTrue();
        assertThat(texts(ch.get("own_capabilities"), "")).isNotEmpty();
        assertThat(ch.get("own_capabilities").toString()).contains("send-message", "send-reaction", "read-events");
        assertThat(ch.path("member_count").asInt()).isEqualTo(2);
        assertThat(ch.path("created_by").path("id").asText()).isEqualTo(ann);
        assertThat(first.body().get("messages").isArray()).isTrue();
        assertThat(first.body().get("read").size()).isEqualTo(2);
        assertThat(first.body().path("membership").path("user").path("id").asText())
                .isEqualTo(ann);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().path("channel").path("name").asText()).isEqualTo("Room " + id);
    }

    @Test
    void nonMemberCannotReadAMessagingChannelAndGetsCode17NamingTheAction() {
        String ann = uid("ann");
        String eve = uid("eve");
        createUsers(ann, eve);
        String id = uid("private");
        create(ann, id, ann);

        RestClient.Response refused =
                RestClient.user(server, eve).post("/channels/messaging/" + id + "/query", json("state", true));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo(17);
        assertThat(refused.body().path("message").asText()).contains("ReadChannel");
    }

    @Test
    void unknownMembersAreRefusedWithCode4NamingThem() {
        String ann = uid("ann");
        createUsers(ann);

        RestClient.Response refused = create(ann, uid("room"), ann, "ghost-user");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo(4);
        assertThat(refused.body().path("message").asText()).contains("ghost-user");
    }

    @Test
    void distinctChannelWithoutIdIsTheSameForTheSameMembersInAnyOrder() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);

        RestClient.Response a = RestClient.user(server, ann)
                .post("/channels/messaging/query", json("data", json("members", List.of(ann, bob))));
        RestClient.Response b = RestClient.user(server, bob)
                .post("/channels/messaging/query", json("data", json("members", List.of(bob, ann))));

        assertThat(a.body().path("channel").path("id").asText())
                .startsWith("!members-")
                .isEqualTo(b.body().path("channel").path("id").asText());
    }

    @Test
    void queryChannelsReturnsOnlyTheCallersChannelsSortedByLastMessage() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String older = uid("older");
        String newer = uid("newer");
        String foreign = uid("foreign");
        create(ann, older, ann, bob);
        create(ann, newer, ann);
        create(bob, foreign, bob);
        RestClient.user(server, ann)
                .post("/channels/messaging/" + newer + "/message", json("message", json("text", "x")));
        RestClient.user(server, ann)
                .post("/channels/messaging/" + older + "/message", json("message", json("text", "y")));

        RestClient.Response r = RestClient.user(server, ann)
                .post(
                        "/channels",
                        json(
                                "filter_conditions",
                                json("members", json("$in", List.of(ann))),
                                "sort",
                                Json.array().add(json("field", "last_message_at", "direction", -1))));

        assertThat(r.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.body()
                .get("channels")
                .forEach(c -> ids.add(c.path("channel").path("id").asText()));
        assertThat(ids).containsExactly(older, newer);
        assertThat(r.body().get("channels").get(0).get("messages").size()).isEqualTo(1);
    }

    @Test
    void invalidChannelFilterFieldIsAnInputError() {
        String ann = uid("ann");
        createUsers(ann);

        RestClient.Response r =
                RestClient.user(server, ann).post("/channels", json("filter_conditions", json("co lor", "red")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
    }

    @Test
    void watchingSendsUserWatchingStartAndClosingTheSocketSendsStopWithWatcherCount() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("watched");
        create(ann, id, ann, bob);
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String annConn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(annConn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));
            WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object());
            String bobConn = bobWs.next("health.check").path("connection_id").asText();

            RestClient.Response watched = RestClient.user(server, bob)
                    .withConnectionId(bobConn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));
            ObjectNode start = annWs.next("user.watching.start");
            bobWs.close();
            ObjectNode stop = annWs.next("user.watching.stop");

            assertThat(watched.body().path("watcher_count").asInt()).isEqualTo(2);
            assertThat(start.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(start.path("watcher_count").asInt()).isEqualTo(2);
            assertThat(start.path("channel_id").asText()).isEqualTo(id);
            assertThat(stop.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(stop.path("watcher_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void queryWithoutWatchKeyKeepsTheSubscription() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("kept");
        create(ann, id, ann);
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient rest = RestClient.user(server, ann).withConnectionId(conn);
            rest.post("/channels/messaging/" + id + "/query", json("watch", true));
            rest.post("/channels/messaging/" + id + "/query", json("state", true, "messages", json("limit", 2)));

            rest.post("/channels/messaging/" + id + "/message", json("message", json("text", "still here")));

            assertThat(ws.next("message.new").path("message").path("text").asText())
                    .isEqualTo("still here");
        }
    }

    @Test
    void addAndRemoveMembersEmitMemberEventsAndNotifications() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("grow");
        create(ann, id, ann);
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object());
                WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            bobWs.next("health.check");
            RestClient rest = RestClient.user(server, ann).withConnectionId(conn);
            rest.post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response added = rest.post("/channels/messaging/" + id, json("add_members", List.of(bob)));
            ObjectNode memberAdded = annWs.next("member.added");
            ObjectNode notified = bobWs.next("notification.added_to_channel");
            rest.post("/channels/messaging/" + id, json("remove_members", List.of(bob)));
            ObjectNode removed = annWs.next("member.removed");

            assertThat(added.body().path("members").size()).isEqualTo(2);
            assertThat(memberAdded.path("member").path("user").path("id").asText())
                    .isEqualTo(bob);
            assertThat(notified.path("channel").path("cid").asText()).isEqualTo("messaging:" + id);
            assertThat(removed.path("user").path("id").asText()).isEqualTo(bob);
            assertThat(bobWs.next("notification.removed_from_channel")
                            .path("cid")
                            .asText())
                    .isEqualTo("messaging:" + id);
        }
    }

    @Test
    void updateReplacesCustomDataAndNonOwnersWithoutGrantAreRefused() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("edit");
        create(ann, id, ann, bob);

        RestClient.Response updated =
                RestClient.user(server, ann).post("/channels/messaging/" + id, json("data", json("name", "Renamed")));
        RestClient.Response partial = RestClient.user(server, ann)
                .call(
                        "PATCH",
                        "/channels/messaging/" + id,
                        json("set", json("topic", "cats"), "unset", Json.array().add("name")));
        RestClient.Response refused = RestClient.user(server, bob).call("DELETE", "/channels/messaging/" + id, null);

        assertThat(updated.body().path("channel").path("name").asText()).isEqualTo("Renamed");
        assertThat(partial.body().path("channel").path("topic").asText()).isEqualTo("cats");
        assertThat(partial.body().path("channel").has("name")).isFalse();
        assertThat(refused.code()).isEqualTo(17);
        assertThat(refused.body().path("message").asText()).contains("DeleteChannel");
    }

    @Test
    void hiddenChannelsLeaveTheListUntilShownOrANewMessageArrives() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("hide");
        create(ann, id, ann, bob);
        ObjectNode mine = json("filter_conditions", json("members", json("$in", List.of(ann))));

        RestClient.user(server, ann).post("/channels/messaging/" + id + "/hide", json());
        int whileHidden = RestClient.user(server, ann)
                .post("/channels", mine)
                .body()
                .get("channels")
                .size();
        RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "wake up")));
        int afterMessage = RestClient.user(server, ann)
                .post("/channels", mine)
                .body()
                .get("channels")
                .size();

        assertThat(whileHidden).isZero();
        assertThat(afterMessage).isEqualTo(1);
    }

    @Test
    void deleteRemovesTheChannelAndWatchersHearChannelDeleted() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("gone");
        create(ann, id, ann);
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient rest = RestClient.user(server, ann).withConnectionId(conn);
            rest.post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response deleted = rest.call("DELETE", "/channels/messaging/" + id, null);

            assertThat(deleted.body().path("channel").path("deleted_at").asText())
                    .isNotEmpty();
            assertThat(ws.next("channel.deleted").path("cid").asText()).isEqualTo("messaging:" + id);
            assertThat(RestClient.user(server, ann).get("/messages/none").status())
                    .isEqualTo(404);
        }
    }

    @Test
    void typingEventsReachOtherWatchersWithChannelKeys() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("typing");
        create(ann, id, ann, bob);
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response sent = RestClient.user(server, ann)
                    .post("/channels/messaging/" + id + "/event", json("event", json("type", "typing.start")));
            ObjectNode typing = bobWs.next("typing.start");
            RestClient.Response reserved = RestClient.user(server, ann)
                    .post("/channels/messaging/" + id + "/event", json("event", json("type", "message.new")));

            assertThat(sent.body().path("event").path("user").path("id").asText())
                    .isEqualTo(ann);
            assertThat(typing.path("channel_type").asText()).isEqualTo("messaging");
            assertThat(typing.path("channel_id").asText()).isEqualTo(id);
            assertThat(reserved.code()).isEqualTo(18);
        }
    }

    @Test
    void queryMembersFiltersByNameAndIdAndSorts() {
        String ann = uid("ann");
        String bob = uid("bob");
        String cat = uid("cat");
        createUsers(ann, bob, cat);
        String id = uid("members");
        create(ann, id, ann, bob, cat);
        String payload = "{\"type\":\"messaging\",\"id\":\"" + id
                + "\",\"filter_conditions\":{\"name\":{\"$autocomplete\":\"b\"}}}";

        RestClient.Response byName = RestClient.user(server, ann)
                .get("/members?payload="
                        + java.net.URLEncoder.encode(payload, java.nio.charset.StandardCharsets.UTF_8));
        RestClient.Response outsider = RestClient.user(server, uid("eve"))
                .get("/members?payload="
                        + java.net.URLEncoder.encode(payload, java.nio.charset.StandardCharsets.UTF_8));

        assertThat(texts(byName.body().get("members"), "user_id")).containsExactly(bob);
        assertThat(outsider.code()).isEqualTo(17);
    }

    @Test
    void updateWithAMessagePostsItAndBatchDeleteReportsEachChannel() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("sys");
        create(ann, id, ann);

        RestClient.Response updated = RestClient.user(server, ann)
                .post(
                        "/channels/messaging/" + id,
                        json("data", json("name", "New"), "message", json("text", "renamed the channel")));
        RestClient.Response deleted = RestClient.user(server, ann)
                .post("/channels/delete", json("cids", List.of("messaging:" + id, "messaging:does-not-exist")));

        assertThat(updated.body().path("message").path("text").asText()).isEqualTo("renamed the channel");
        assertThat(deleted.body()
                        .path("result")
                        .path("messaging:" + id)
                        .path("status")
                        .asText())
                .isEqualTo("success");
        assertThat(deleted.body()
                        .path("result")
                        .path("messaging:does-not-exist")
                        .path("status")
                        .asText())
                .isEqualTo("error");
    }

    @Test
    void presenceOnAChannelQuerySubscribesToTheMembersPresence() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("presence");
        create(ann, id, ann, bob);
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true, "presence", true));

            try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
                bobWs.next("health.check");
                ObjectNode online = annWs.next("user.presence.changed");

                assertThat(online.path("user").path("id").asText()).isEqualTo(bob);
                assertThat(online.path("user").path("online").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void pinnedMessagesAreListedMostRecentFirst() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("pins");
        create(ann, id, ann);
        for (String text : List.of("a", "b")) {
            RestClient.user(server, ann)
                    .post(
                            "/channels/messaging/" + id + "/message",
                            json("message", json("text", text, "pinned", true)));
        }

        RestClient.Response pinned = RestClient.user(server, ann).get("/channels/messaging/" + id + "/pinned_messages");

        assertThat(texts(pinned.body().get("messages"), "text")).containsExactly("b", "a");
    }

    @Test
    void memberPartialUpdatePinsAndArchivesForTheMemberAndTellsWatchers() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("pinme");
        create(ann, id, ann);
        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient rest = RestClient.user(server, ann).withConnectionId(conn);
            rest.post("/channels/messaging/" + id + "/query", json("watch", true));

            RestClient.Response r = rest.call(
                    "PATCH",
                    "/channels/messaging/" + id + "/member",
                    json("set", json("pinned", true, "archived", true, "nickname", "boss")));
            ObjectNode event = ws.next("member.updated");
            RestClient.Response role = rest.call(
                    "PATCH",
                    "/channels/messaging/" + id + "/member",
                    json("set", json("channel_role", "channel_moderator")));
            int pinned = RestClient.user(server, ann)
                    .post("/channels", json("filter_conditions", json("pinned", true)))
                    .body()
                    .get("channels")
                    .size();

            assertThat(r.body().path("channel_member").path("pinned_at").asText())
                    .isNotEmpty();
            assertThat(r.body().path("channel_member").path("nickname").asText())
                    .isEqualTo("boss");
            assertThat(event.path("member").path("archived_at").asText()).isNotEmpty();
            assertThat(role.code()).isEqualTo(17);
            assertThat(pinned).isEqualTo(1);
        }
    }

    @Test
    void hideWithClearHistoryHidesEarlierMessagesFromThatMemberOnly() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("clear");
        create(ann, id, ann, bob);
        RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "old")));

        RestClient.user(server, ann).post("/channels/messaging/" + id + "/hide", json("clear_history", true));
        RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "new")));
        JsonNode forAnn = RestClient.user(server, ann)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        JsonNode forBob = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();

        assertThat(texts(forAnn.get("messages"), "text")).containsExactly("new");
        assertThat(forAnn.path("hide_messages_before").asText()).isNotEmpty();
        assertThat(texts(forBob.get("messages"), "text")).containsExactly("old", "new");
    }

    @Test
    void invitedMembersArePendingUntilTheyAcceptAndBothStepsNotify() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("invite");
        create(ann, id, ann);
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object());
                WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            bobWs.next("health.check");
            annWs.next("health.check");

            RestClient.Response invited =
                    RestClient.user(server, ann).post("/channels/messaging/" + id, json("invites", List.of(bob)));
            ObjectNode notification = bobWs.next("notification.invited");
            int pending = RestClient.user(server, bob)
                    .post("/channels", json("filter_conditions", json("invite", "pending")))
                    .body()
                    .get("channels")
                    .size();
            RestClient.Response accepted =
                    RestClient.user(server, bob).post("/channels/messaging/" + id, json("accept_invite", true));
            ObjectNode acceptedEvent = annWs.next("notification.invite_accepted");
            RestClient.Response stranger =
                    RestClient.user(server, ann).post("/channels/messaging/" + id, json("reject_invite", true));

            assertThat(notification.path("member").path("status").asText()).isEqualTo("pending");
            assertThat(invited.body().path("members").size()).isEqualTo(2);
            assertThat(pending).isEqualTo(1);
            assertThat(accepted.status()).isEqualTo(200);
            assertThat(acceptedEvent.path("member").path("invite_accepted_at").asText())
                    .isNotEmpty();
            assertThat(stranger.code()).isEqualTo(4);
        }
    }

    @Test
    void getChannelReturnsTheStateOfAnExistingChannelOnly() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("get");
        create(ann, id, ann);

        RestClient.Response found = RestClient.server(server).get("/channels/messaging/" + id + "?user_id=" + ann);
        RestClient.Response missing = RestClient.server(server).get("/channels/messaging/" + uid("none"));

        assertThat(found.body().path("channel").path("id").asText()).isEqualTo(id);
        assertThat(found.body().path("membership").path("user").path("id").asText())
                .isEqualTo(ann);
        assertThat(missing.code()).isEqualTo(16);
    }

    @Test
    void configOverridesChangeTheChannelsConfigGrantsAndCapabilitiesAndAreServerOnly() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("over");
        create(ann, id, ann, bob);
        String mid = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "hi")))
                .body()
                .path("message")
                .path("id")
                .asText();

        RestClient.Response refused = RestClient.user(server, ann)
                .call(
                        "PATCH",
                        "/channels/messaging/" + id,
                        json("set", json("config_overrides", json("reactions", false))));
        RestClient.Response set = RestClient.server(server)
                .call(
                        "PATCH",
                        "/channels/messaging/" + id,
                        json(
                                "set",
                                json(
                                        "config_overrides",
                                        json(
                                                "reactions",
                                                false,
                                                "grants",
                                                json(
                                                        "channel_member",
                                                        Json.array().add("!create-message"))))));
        JsonNode state = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();
        RestClient.Response reaction = RestClient.user(server, bob)
                .post("/messages/" + mid + "/reaction", json("reaction", json("type", "like")));
        RestClient.Response message = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "no longer")));
        RestClient.user(server, ann).post("/channels/messaging/" + id, json("data", json("name", "Renamed")));
        JsonNode afterUpdate = RestClient.user(server, bob)
                .post("/channels/messaging/" + id + "/query", json("state", true))
                .body();

        assertThat(refused.code()).isEqualTo(17);
        assertThat(set.status()).isEqualTo(200);
        assertThat(state.path("channel").path("config").path("reactions").asBoolean())
                .isFalse();
        assertThat(state.path("channel").has("config_overrides")).isFalse();
        assertThat(state.path("channel").get("own_capabilities").toString())
                .doesNotContain("send-reaction", "send-message");
        assertThat(reaction.code()).isEqualTo(19);
        assertThat(message.code()).isEqualTo(17);
        assertThat(afterUpdate.path("channel").path("config").path("reactions").asBoolean())
                .isFalse();
    }

    @Test
    void channelTypesAreListedWithConfigAndGrantsForTheServer() {
        JsonNode all = RestClient.server(server).get("/channeltypes").body();
        JsonNode live =
                RestClient.server(server).get("/channeltypes/livestream").body();
        RestClient.Response refused = RestClient.user(server, uid("ann")).get("/channeltypes");

        assertThat(all.path("channel_types").has("messaging")).isTrue();
        assertThat(all.path("channel_types").size()).isEqualTo(5);
        assertThat(live.path("url_enrichment").asBoolean()).isFalse();
        assertThat(live.path("grants").path("anonymous").toString()).contains("read-channel");
        assertThat(refused.code()).isEqualTo(17);
    }

    @Test
    void theServerUpdatesAChannelWithoutNamingAUserAndItsWatchersHearAChangeWithoutUser() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("room");
        create(ann, id, ann);
        RestClient admin = RestClient.server(server);
        String path = "/channels/messaging/" + id;

        try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann).withConnectionId(conn).post(path + "/query", json("watch", true));
            RestClient.Response slow = admin.post(path, json("cooldown", 5));
            RestClient.Response data = admin.post(path, json("data", json("name", "Renamed", "frozen", true)));
            RestClient.Response add = admin.post(path, json("add_members", List.of(bob)));
            RestClient.Response remove = admin.post(path, json("remove_members", List.of(bob)));
            RestClient.Response partial = admin.patch(path, json("set", json("color", "blue")));

            assertThat(List.of(slow, data, add, remove, partial))
                    .allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(200));
            assertThat(partial.body().path("channel").path("cooldown").asInt()).isEqualTo(5);
            assertThat(partial.body().path("channel").path("name").asText()).isEqualTo("Renamed");
            assertThat(partial.body().path("channel").path("frozen").asBoolean())
                    .isTrue();
            assertThat(partial.body().path("channel").path("color").asText()).isEqualTo("blue");
            JsonNode updated = ws.next("channel.updated");
            assertThat(updated.has("user")).isFalse();
        }
    }

    @Test
    void aRefusedChannelUpdateChangesNothingEvenWhenItsFirstPartWasAllowed() {
        String ann = uid("ann");
        String bob = uid("bob");
        createUsers(ann, bob);
        String id = uid("room");
        create(ann, id, ann);
        String path = "/channels/messaging/" + id;

        RestClient.Response cooldown =
                RestClient.user(server, ann).post(path, json("data", json("name", "Changed"), "cooldown", 5));
        RestClient.Response roles = RestClient.user(server, ann)
                .post(
                        path,
                        json(
                                "data",
                                json("name", "Changed"),
                                "add_members",
                                List.of(bob),
                                "add_moderators",
                                List.of(uid("nobody"))));
        RestClient.Response message = RestClient.server(server)
                .post(path, json("data", json("name", "Changed"), "message", json("text", "by whom?")));

        assertThat(cooldown.code()).as("%s", cooldown).isEqualTo(17);
        assertThat(roles.code()).as("%s", roles).isEqualTo(4);
        assertThat(message.code()).as("%s", message).isEqualTo(4);
        JsonNode ch = RestClient.server(server).get(path).body();
        assertThat(ch.path("channel").path("name").asText()).isEqualTo("Room " + id);
        assertThat(texts(ch.path("members"), "user_id")).containsExactly(ann);
        assertThat(ch.path("messages").size()).isZero();
    }

    @Test
    void aRefusedGetOrCreateCreatesNoChannel() {
        String ann = uid("ann");
        createUsers(ann);
        String id = uid("room");

        RestClient.Response r = RestClient.user(server, ann)
                .post(
                        "/channels/messaging/" + id + "/query",
                        json(
                                "data",
                                json("members", List.of(ann)),
                                "messages",
                                json("created_at_before", "yesterday")));

        assertThat(r.code()).as("%s", r).isEqualTo(4);
        assertThat(RestClient.server(server).get("/channels/messaging/" + id).status())
                .isEqualTo(404);
    }
}
