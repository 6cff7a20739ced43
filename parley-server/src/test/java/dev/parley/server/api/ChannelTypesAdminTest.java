package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Channel types, roles and permissions administered over REST (PROTOCOL.md §11.5), against the real server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelTypesAdminTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static RestClient admin() {
        return RestClient.server(server);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String typeName(String prefix) {
        return Seed.uid(prefix).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    }

    @Test
    void aCustomTypeIsCreatedWithItsFlagsAndGrantsAndItsChannelsFollowThem() {
        String type = typeName("support");
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        Seed.users(server, json("id", ann), json("id", bob));

        RestClient.Response created = admin().post(
                        "/channeltypes",
                        json(
                                "name",
                                type,
                                "reactions",
                                false,
                                "max_message_length",
                                20,
                                "grants",
                                json(
                                        "channel_member",
                                        List.of("read-channel", "create-message", "upload-attachment"))));
        JsonNode listed =
                admin().get("/channeltypes").body().path("channel_types").path(type);
        admin().post(
                        "/channels/" + type + "/desk/query",
                        json("data", json("created_by_id", ann, "members", List.of(ann, bob))));
        RestClient.Response sent = RestClient.user(server, bob)
                .post("/channels/" + type + "/desk/message", json("message", json("text", "hello")));
        RestClient.Response tooLong = RestClient.user(server, bob)
                .post("/channels/" + type + "/desk/message", json("message", json("text", "x".repeat(21))));
        RestClient.Response reaction = RestClient.user(server, bob)
                .post(
                        "/messages/" + sent.body().at("/message/id").asText() + "/reaction",
                        json("reaction", json("type", "like")));

        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().path("name").asText()).isEqualTo(type);
        assertThat(created.body().path("reactions").asBoolean()).isFalse();
        assertThat(created.body().path("replies").asBoolean()).isTrue(); // the messaging defaults
        assertThat(texts(created.body().at("/grants/channel_member")))
                .containsExactly("create-message", "read-channel", "upload-attachment");
        assertThat(listed.path("max_message_length").asInt()).isEqualTo(20);
        assertThat(sent.status()).isEqualTo(200);
        assertThat(tooLong.code()).isEqualTo(20); // too long for the type
        assertThat(reaction.code()).isEqualTo(19); // a feature the type has off
    }

    @Test
    void aCustomChannelRoleReadsAndWritesOnceTheTypeGrantsItPermissions() {
        String role = typeName("helper");
        String ann = Seed.uid("ann");
        String hal = Seed.uid("hal");
        String id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", hal));
        Seed.messaging(server, ann, id, ann);
        RestClient.Response createdRole = admin().post("/roles", json("name", role));
        RestClient.Response added = admin().post(
                        "/channels/messaging/" + id,
                        json("add_members", List.of(json("user_id", hal, "channel_role", role))));

        RestClient.Response before = RestClient.user(server, hal)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "may I?")));
        RestClient.Response granted = admin().call(
                        "PUT",
                        "/channeltypes/messaging",
                        json("grants", json(role, List.of("read-channel", "create-message"))));
        RestClient.Response after = RestClient.user(server, hal)
                .post("/channels/messaging/" + id + "/message", json("message", json("text", "now I may")));
        RestClient.Response update =
                RestClient.user(server, hal).post("/channels/messaging/" + id, json("data", json("name", "mine")));
        RestClient.Response stillGranting = admin().delete("/roles/" + role);
        admin().call("PUT", "/channeltypes/messaging", json("grants", json(role, List.of())));
        RestClient.Response deleted = admin().delete("/roles/" + role);
        JsonNode roles = admin().get("/roles").body().get("roles");

        assertThat(createdRole.body().at("/role/name").asText()).isEqualTo(role);
        assertThat(createdRole.body().at("/role/custom").asBoolean()).isTrue();
        assertThat(before.code()).isEqualTo(17);
        assertThat(added.status()).as("%s", added).isEqualTo(200);
        assertThat(texts(granted.body().at("/grants/" + role))).containsExactly("create-message", "read-channel");
        assertThat(after.status()).as("%s", after).isEqualTo(200);
        assertThat(update.code()).isEqualTo(17);
        assertThat(stillGranting.code()).isEqualTo(4);
        assertThat(deleted.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        roles.forEach(r -> names.add(r.path("name").asText()));
        assertThat(names).contains("admin", "user", "channel_member").doesNotContain(role);
    }

    @Test
    void aCustomPermissionGrantedToARoleAllowsItsActionAndCannotGoWhileGranted() {
        String role = typeName("poster");
        String perm = typeName("post-here");
        String type = typeName("desk");
        String ann = Seed.uid("ann");
        String pat = Seed.uid("pat");
        String id = Seed.uid("room");
        Seed.users(server, json("id", ann), json("id", pat));
        admin().post("/roles", json("name", role));
        admin().post("/channeltypes", json("name", type));
        admin().post(
                        "/channels/" + type + "/" + id + "/query",
                        json(
                                "data",
                                json(
                                        "created_by_id",
                                        ann,
                                        "members",
                                        List.of(json("user_id", pat, "channel_role", role)))));

        RestClient.Response created = admin().post(
                        "/permissions",
                        json("id", perm, "name", "Post here", "action", "CreateMessage", "condition", json()));
        RestClient.Response granted =
                admin().call("PUT", "/channeltypes/" + type, json("grants", json(role, List.of("read-channel", perm))));
        RestClient.Response sent = RestClient.user(server, pat)
                .post("/channels/" + type + "/" + id + "/message", json("message", json("text", "allowed")));
        RestClient.Response react = RestClient.user(server, pat)
                .post(
                        "/messages/" + sent.body().at("/message/id").asText() + "/reaction",
                        json("reaction", json("type", "like")));
        JsonNode listed = admin().get("/permissions/" + perm).body().path("permission");
        RestClient.Response inUse = admin().delete("/permissions/" + perm);

        assertThat(created.status()).as("%s", created).isEqualTo(200);
        assertThat(granted.status()).as("%s", granted).isEqualTo(200);
        assertThat(texts(granted.body().at("/grants/" + role))).containsExactly(perm, "read-channel");
        assertThat(sent.status()).as("%s", sent).isEqualTo(200);
        assertThat(react.code())
                .as("the custom permission allows messages only")
                .isEqualTo(17);
        assertThat(listed.path("custom").asBoolean()).isTrue();
        assertThat(listed.path("action").asText()).isEqualTo("CreateMessage");
        assertThat(inUse.code()).isEqualTo(4);

        admin().call("PUT", "/channeltypes/" + type, json("grants", json(role, List.of("read-channel"))));
        assertThat(RestClient.user(server, pat)
                        .post("/channels/" + type + "/" + id + "/message", json("message", json("text", "no more")))
                        .code())
                .isEqualTo(17);
        assertThat(admin().delete("/permissions/" + perm).status()).isEqualTo(200);
        assertThat(admin().get("/permissions/" + perm).code()).isEqualTo(16);

        Map<String, RestClient.Response> refused = new java.util.LinkedHashMap<>();
        refused.put("unknown action", admin().post("/permissions", json("id", typeName("x"), "action", "Fly")));
        refused.put(
                "a condition",
                admin().post(
                                "/permissions",
                                json("id", typeName("x"), "action", "CreateMessage", "condition", json("a", 1))));
        refused.put(
                "same_team",
                admin().post("/permissions", json("id", typeName("x"), "action", "CreateMessage", "same_team", true)));
        refused.put(
                "built-in id", admin().post("/permissions", json("id", "create-message", "action", "CreateMessage")));
        refused.put("update built-in", admin().call("PUT", "/permissions/read-channel", json("action", "ReadChannel")));
        refused.forEach((what, r) -> assertThat(r.code()).as(what).isEqualTo(4));
        assertThat(RestClient.user(server, ann)
                        .post("/permissions", json("id", typeName("x"), "action", "CreateMessage"))
                        .code())
                .isEqualTo(17);
    }

    @Test
    void switchingAFlagOffAndOnChangesWhatTheTypesChannelsAllow() {
        String type = typeName("quiet");
        String ann = Seed.uid("ann");
        Seed.users(server, json("id", ann));
        admin().post("/channeltypes", json("name", type));
        admin().post(
                        "/channels/" + type + "/room/query",
                        json("data", json("created_by_id", ann, "members", List.of(ann))));
        String path = "/channels/" + type + "/room";

        RestClient.Response typingOn =
                RestClient.user(server, ann).post(path + "/event", json("event", json("type", "typing.start")));
        admin().call("PUT", "/channeltypes/" + type, json("typing_events", false));
        RestClient.Response typingOff =
                RestClient.user(server, ann).post(path + "/event", json("event", json("type", "typing.start")));
        JsonNode shown = admin().get("/channeltypes/" + type).body();

        assertThat(typingOn.status()).isEqualTo(200);
        assertThat(typingOff.code()).isEqualTo(18);
        assertThat(shown.path("typing_events").asBoolean()).isFalse();
        assertThat(shown.path("commands").get(0).isObject())
                .as("commands as objects when read")
                .isTrue();
    }

    @Test
    void badSettingsAndDeletesThatWouldLoseSomethingAreRefusedByName() {
        String type = typeName("strict");
        String used = typeName("used");
        String ann = Seed.uid("ann");
        Seed.users(server, json("id", ann));
        admin().post("/channeltypes", json("name", type));
        admin().post("/channeltypes", json("name", used));
        admin().post(
                        "/channels/" + used + "/room/query",
                        json("data", json("created_by_id", ann, "members", List.of(ann))));

        Map<String, RestClient.Response> refused = new java.util.LinkedHashMap<>();
        refused.put("automod on", admin().call("PUT", "/channeltypes/" + type, json("automod", "AI")));
        refused.put("unknown key", admin().call("PUT", "/channeltypes/" + type, json("colour", "red")));
        refused.put("flag not boolean", admin().call("PUT", "/channeltypes/" + type, json("reactions", "no")));
        refused.put(
                "unknown role",
                admin().call("PUT", "/channeltypes/" + type, json("grants", json("nobody", List.of()))));
        refused.put(
                "unknown permission",
                admin().call("PUT", "/channeltypes/" + type, json("grants", json("user", List.of("fly")))));
        refused.put("v1 permissions", admin().call("PUT", "/channeltypes/" + type, json("permissions", List.of())));
        refused.put("duplicate", admin().post("/channeltypes", json("name", type)));
        refused.put("built-in name", admin().post("/channeltypes", json("name", "messaging")));
        refused.put("bad name", admin().post("/channeltypes", json("name", "Not Allowed")));
        refused.put("delete built-in", admin().delete("/channeltypes/messaging"));
        refused.put("delete with channels", admin().delete("/channeltypes/" + used));
        refused.put("delete built-in role", admin().delete("/roles/admin"));

        refused.forEach((what, r) -> assertThat(r.code()).as(what).isEqualTo(4));
        assertThat(admin().delete("/channeltypes/" + typeName("never")).code()).isEqualTo(16);
        assertThat(admin().delete("/roles/" + typeName("never")).code()).isEqualTo(16);
        admin().call("PUT", "/channeltypes/" + type, json("commands", List.of(), "push_notifications", false));
        assertThat(admin().delete("/channeltypes/" + type).status()).isEqualTo(200);
        assertThat(admin().get("/channeltypes/" + type).code()).isEqualTo(16);
        JsonNode again = admin().post("/channeltypes", json("name", type)).body();
        assertThat(again.path("push_notifications").asBoolean())
                .as("nothing of the deleted type remains")
                .isTrue();
        assertThat(again.path("commands").size()).isEqualTo(4);
        assertThat(RestClient.user(server, ann).get("/channeltypes").code()).isNotZero();
    }

    @Test
    void permissionsAreListedWithTheirLevelAndOneCanBeRead() {
        JsonNode all = admin().get("/permissions").body().get("permissions");
        JsonNode one = admin().get("/permissions/read-channel").body().get("permission");
        RestClient.Response none = admin().get("/permissions/fly");
        JsonNode channelRoles = admin().get("/roles/search", Map.of("query", "channel_", "role_type", "channel"))
                .body()
                .get("roles");
        JsonNode afterMember = admin().get(
                        "/roles/search",
                        Map.of("query", "channel_", "role_type", "channel", "name_gt", "channel_member"))
                .body()
                .get("roles");

        List<String> ids = new ArrayList<>();
        all.forEach(p -> ids.add(p.path("id").asText()));
        assertThat(ids).contains("read-channel", "create-message", "ban-user", "mute-user");
        assertThat(one.path("level").asText()).isEqualTo("channel");
        assertThat(one.path("custom").asBoolean()).isFalse();
        assertThat(none.code()).isEqualTo(16);
        List<String> found = new ArrayList<>();
        channelRoles.forEach(r -> found.add(r.path("name").asText()));
        assertThat(found).containsExactly("channel_member", "channel_moderator");
        assertThat(afterMember.size()).isEqualTo(1);
    }
}
