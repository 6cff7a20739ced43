package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.JsonValue.JsonArray;
import dev.parley.protocol.JsonValue.JsonNumber;
import dev.parley.protocol.JsonValue.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The wire records read and write the exact shapes the server sends (PROTOCOL.md §6, §8). */
class WireModelTest {
    static final String USER = """
            {"id":"ana","name":"Ana","role":"user","teams":[],"created_at":"2026-01-02T03:04:05.123456Z",
             "updated_at":"2026-01-02T03:04:05.123456Z","banned":false,"online":true,"invisible":false}""";

    static final String REACTION = """
            {"type":"like","message_id":"m1","user_id":"ana","user":%s,"score":2,"emoji_code":"👍",
             "created_at":"2026-01-02T03:04:06.000001Z","updated_at":"2026-01-02T03:04:06.000001Z"}""".formatted(USER);

    static final String MESSAGE =
            """
            {"id":"m1","text":"hi @bob","html":"<p>hi @bob</p>\\n","type":"regular","user":%1$s,"cid":"messaging:c1",
             "attachments":[{"type":"image","image_url":"https://example.com/a.png","size":{"w":640,"h":480.5}}],
             "latest_reactions":[%2$s],"own_reactions":[%2$s],"reaction_counts":{"like":1},"reaction_scores":{"like":2},
             "reaction_groups":{"like":{"count":1,"sum_scores":2}},"reply_count":0,"deleted_reply_count":0,
             "mentioned_users":[%1$s],"mentioned_channel":false,"mentioned_here":false,"silent":false,"shadowed":false,
             "pinned":false,"pinned_at":null,"pinned_by":null,"pin_expires":null,"restricted_visibility":[],
             "member":{"channel_role":"channel_member","notifications_muted":false},"priority":"high",
             "tags":["a",1,true,null,{"deep":[1.5,3000000000,12345678901234567890123]}],
             "created_at":"2026-01-02T03:04:06Z","updated_at":"2026-01-02T03:04:06.5Z"}""".formatted(USER, REACTION).replace("06Z\"", "06.000000Z\"").replace("06.5Z", "06.500000Z");

    static final String MEMBER = """
            {"user_id":"ana","user":%s,"created_at":"2026-01-02T03:04:05.000000Z","updated_at":"2026-01-02T03:04:05.000000Z",
             "banned":false,"shadow_banned":false,"channel_role":"channel_member","role":"owner","status":"member",
             "notifications_muted":false,"archived_at":null,"pinned_at":null,"nickname":"A"}""".formatted(USER);

    static final String CHANNEL = """
            {"id":"c1","type":"messaging","cid":"messaging:c1","created_at":"2026-01-01T00:00:00.000000Z",
             "updated_at":"2026-01-01T00:00:00.000000Z","created_by":%s,"frozen":false,"disabled":false,
             "member_count":2,"message_count":7,"last_message_at":"2026-01-02T03:04:06.000000Z","cooldown":5,
             "team":"blue","config":{"name":"messaging","reactions":true,"max_message_length":5000,"commands":[]},
             "own_capabilities":["send-message","read-events"],"hidden":false,"name":"General","image":"x.png",
             "color":{"r":1}}""".formatted(USER);

    static final String READ = """
            {"user":%s,"last_read":"2026-01-02T03:04:05.000000Z","unread_messages":3,"last_read_message_id":"m0",
             "last_delivered_at":"2026-01-02T03:04:06.000000Z","last_delivered_message_id":"m1"}""".formatted(USER);

    static final String ME = """
            {"id":"ana","name":"Ana","role":"user","teams":[],"created_at":"2026-01-02T03:04:05.123456Z",
             "updated_at":"2026-01-02T03:04:05.123456Z","banned":false,"online":true,"invisible":false,
             "privacy_settings":{},"devices":[{"id":"d1","push_provider":"firebase"}],
             "mutes":[{"user":{"id":"ana"},"target":{"id":"bob"}}],"channel_mutes":[],"blocked_user_ids":["eve"],
             "total_unread_count":4,"unread_count":4,"unread_channels":2,"unread_threads":0}""";

    static void assertRoundTrip(String json, Function<JsonNode, ?> read, Function<Object, JsonNode> write) {
        JsonNode tree = Json.parse(json, "test");
        assertThat(write.apply(read.apply(tree))).isEqualTo(tree);
    }

    @Test
    void aReactionRoundTripsWithItsCustomFields() {
        Reaction r = Reaction.fromJson(Json.parse(REACTION, "test"));
        assertThat(r.custom().string("emoji_code")).contains("👍");
        assertThat(r.score()).isEqualTo(2);
        assertRoundTrip(REACTION, Reaction::fromJson, o -> ((Reaction) o).toJson());
    }

    @Test
    void aMessageRoundTripsWithCustomAndServerKeysItHasNoTypedFieldFor() {
        Message m = Message.fromJson(Json.parse(MESSAGE, "test"));
        assertThat(m.custom().string("priority")).contains("high");
        assertThat(m.custom().containsKey("reaction_groups")).isTrue();
        assertThat(m.attachments().getFirst().get("image_url")).contains(JsonValue.of("https://example.com/a.png"));
        assertThat(m.mentionedUsers()).extracting(User::id).containsExactly("ana");
        assertThat(m.ownReactions()).hasSize(1);
        JsonArray tags = (JsonArray) m.custom().get("tags").orElseThrow();
        assertThat(tags.values()).hasSize(5);
        assertRoundTrip(MESSAGE, Message::fromJson, o -> ((Message) o).toJson());
    }

    @Test
    void aMessagesRequestCarriesCustomKeysButNoServerManagedOnes() {
        Message m = Message.fromJson(Json.parse(MESSAGE, "test"));
        JsonNode req = m.toBuilder().text("edited").build().toRequestJson();
        assertThat(req.path("priority").asText()).isEqualTo("high");
        assertThat(req.has("reaction_groups")).isFalse();
        assertThat(req.has("member")).isFalse();
        assertThat(req.has("html")).isFalse();
        assertThat(req.path("mentioned_users").get(0).asText()).isEqualTo("ana");
        assertThat(req.path("text").asText()).isEqualTo("edited");
    }

    @Test
    void aQuotedMessageIsReadAsAMessage() {
        String quoting = MESSAGE.replace(
                "\"id\":\"m1\"", "\"id\":\"m2\",\"quoted_message_id\":\"m1\",\"quoted_message\":" + MESSAGE);
        Message m = Message.fromJson(Json.parse(quoting, "test"));
        assertThat(m.quotedMessage().id()).isEqualTo("m1");
        assertRoundTrip(quoting, Message::fromJson, o -> ((Message) o).toJson());
    }

    @Test
    void aMemberRoundTrips() {
        Member m = Member.fromJson(Json.parse(MEMBER, "test"));
        assertThat(m.custom().string("nickname")).contains("A");
        assertRoundTrip(MEMBER, Member::fromJson, o -> ((Member) o).toJson());
    }

    @Test
    void aMembershipWithoutUserIdTakesTheUsersId() {
        Member m = Member.fromJson(Json.parse("{\"user\":" + USER + ",\"channel_role\":\"channel_member\"}", "test"));
        assertThat(m.userId()).isEqualTo("ana");
        assertThatThrownBy(() -> Member.fromJson(Json.parse("{\"channel_role\":\"x\"}", "test")))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void aChannelRoundTripsWithConfigCapabilitiesAndCustomFields() {
        Channel c = Channel.fromJson(Json.parse(CHANNEL, "test"));
        assertThat(c.name()).contains("General");
        assertThat(c.ownCapabilities()).containsExactly("send-message", "read-events");
        assertThat(c.config().get("max_message_length")).contains(JsonValue.of(5000));
        assertThat(c.custom().keys()).containsExactly("name", "image", "color");
        assertRoundTrip(CHANNEL, Channel::fromJson, o -> ((Channel) o).toJson());
    }

    @Test
    void aChannelAsEventsCarryItHasNoPerReaderFields() {
        String json = "{\"id\":\"c1\",\"type\":\"messaging\",\"cid\":\"messaging:c1\",\"frozen\":true,"
                + "\"disabled\":false,\"member_count\":0}";
        Channel c = Channel.fromJson(Json.parse(json, "test"));
        assertThat(c.ownCapabilities()).isNull();
        assertThat(c.config()).isNull();
        assertRoundTrip(json, Channel::fromJson, o -> ((Channel) o).toJson());
    }

    @Test
    void aChannelWithoutCidTakesTypeAndId() {
        Channel c = Channel.fromJson(Json.parse("{\"id\":\"c1\",\"type\":\"messaging\"}", "test"));
        assertThat(c.cid()).isEqualTo("messaging:c1");
    }

    @Test
    void aMessageAndAReactionBuiltToSendHaveEmptyListsAndNoCustomData() {
        Message m = Message.of("hi");
        assertThat(m.latestReactions()).isEmpty();
        assertThat(m.reactionCounts()).isEmpty();
        assertThat(Json.write(m.toRequestJson()))
                .isEqualTo("{\"text\":\"hi\",\"attachments\":[],\"mentioned_users\":[],\"silent\":false,"
                        + "\"pinned\":false}");
        Reaction r = Reaction.of("like");
        assertThat(r.custom()).isSameAs(CustomFields.EMPTY);
        assertThat(Json.write(r.toRequestJson())).isEqualTo("{\"type\":\"like\"}");
    }

    @Test
    void aReadStateRoundTrips() {
        assertRoundTrip(READ, Read::fromJson, o -> ((Read) o).toJson());
        assertThatThrownBy(() -> Read.fromJson(Json.parse("{\"unread_messages\":1}", "test")))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("read.user");
    }

    @Test
    void theOwnUserRoundTripsWithDevicesMutesAndCounters() {
        OwnUser me = OwnUser.fromJson(Json.parse(ME, "test"));
        assertThat(me.devices()).containsExactly(JsonObject.of("id", "d1", "push_provider", "firebase"));
        assertThat(me.user().customFields().get("privacy_settings")).contains(JsonObject.EMPTY);
        assertThat(me.unreadChannels()).isEqualTo(2);
        assertRoundTrip(ME, OwnUser::fromJson, o -> ((OwnUser) o).toJson());
    }

    @Test
    void eventsOfEachShapeRoundTrip() {
        List<String> events = List.of(
                "{\"type\":\"health.check\",\"connection_id\":\"conn-1\",\"cid\":\"*\","
                        + "\"created_at\":\"2026-01-02T03:04:05.000000Z\",\"me\":" + ME + "}",
                "{\"type\":\"message.new\",\"cid\":\"messaging:c1\",\"channel_type\":\"messaging\",\"channel_id\":\"c1\","
                        + "\"created_at\":\"2026-01-02T03:04:06.000000Z\",\"message\":" + MESSAGE
                        + ",\"message_id\":\"m1\","
                        + "\"user\":" + USER + ",\"watcher_count\":1,\"channel_member_count\":2,\"parent_id\":\"m0\","
                        + "\"total_unread_count\":4,\"unread_count\":4,\"unread_channels\":2,\"unread_threads\":0}",
                "{\"type\":\"reaction.new\",\"cid\":\"messaging:c1\",\"channel_type\":\"messaging\",\"channel_id\":\"c1\","
                        + "\"created_at\":\"2026-01-02T03:04:06.000000Z\",\"message\":" + MESSAGE + ",\"reaction\":"
                        + REACTION + ",\"user\":" + USER + "}",
                "{\"type\":\"member.added\",\"cid\":\"messaging:c1\",\"channel_type\":\"messaging\",\"channel_id\":\"c1\","
                        + "\"created_at\":\"2026-01-02T03:04:06.000000Z\",\"member\":" + MEMBER + ",\"user\":" + USER
                        + "}",
                "{\"type\":\"notification.added_to_channel\",\"cid\":\"messaging:c1\",\"channel\":" + CHANNEL
                        + ",\"member\":" + MEMBER + ",\"created_at\":\"2026-01-02T03:04:06.000000Z\"}",
                "{\"type\":\"message.deleted\",\"cid\":\"messaging:c1\",\"hard_delete\":true,\"message\":" + MESSAGE
                        + "}",
                "{\"type\":\"channel.hidden\",\"cid\":\"messaging:c1\",\"clear_history\":false,\"user\":" + USER + "}",
                "{\"type\":\"notification.mark_unread\",\"cid\":\"messaging:c1\",\"unread_messages\":3,"
                        + "\"last_read_message_id\":\"m0\",\"first_unread_message_id\":\"m1\"}",
                "{\"type\":\"my.custom\",\"cid\":\"messaging:c1\",\"payload\":{\"x\":[1,2]},\"note\":\"hi\"}");
        for (String e : events) {
            assertRoundTrip(e, Event::fromJson, o -> ((Event) o).toJson());
        }
    }

    @Test
    void anEventKnowsItsTypeAndKeepsACustomEventsPayload() {
        Event e = Event.fromJson(
                Json.parse("{\"type\":\"my.custom\",\"cid\":\"messaging:c1\",\"payload\":{\"x\":[1,2]}}", "test"));
        assertThat(e.knownType()).isEmpty();
        assertThat(e.custom().get("payload")).contains(JsonObject.of("x", List.of(1, 2)));
        Event hc = Event.builder(EventType.HEALTH_CHECK).connectionId("c").build();
        assertThat(hc.knownType()).contains(EventType.HEALTH_CHECK);
        assertThat(hc.toJson().path("type").asText()).isEqualTo("health.check");
    }

    @Test
    void aFieldOfTheWrongTypeIsCode4NamingIt() {
        assertThatThrownBy(() -> Message.fromJson(Json.parse("{\"id\":\"m\",\"reply_count\":\"3\"}", "test")))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(4);
                    assertThat(e.getMessage()).contains("message.reply_count");
                });
        assertThatThrownBy(() -> Event.fromJson(Json.parse("{\"type\":\"x\",\"channel\":[]}", "test")))
                .hasMessageContaining("event.channel");
    }

    @Test
    void jsonValuesConvertBothWaysKeepingNumberKinds() {
        String json = "{\"i\":1,\"l\":3000000000,\"big\":12345678901234567890123,\"d\":1.0,\"s\":\"x\",\"b\":true,"
                + "\"n\":null,\"a\":[{}],\"o\":{\"k\":[]}}";
        JsonNode tree = Json.parse(json, "test");
        JsonValue v = Json.value(tree);
        assertThat(Json.node(v)).isEqualTo(tree);
        JsonObject o = (JsonObject) v;
        assertThat(o.get("i")).contains(new JsonNumber(1));
        assertThat(((JsonNumber) o.get("d").orElseThrow()).isIntegral()).isFalse();
        assertThat(o.get("i")).isNotEqualTo(o.get("d"));
    }

    @Test
    void customFieldsAreBuiltFromPlainValuesAndAreImmutable() {
        CustomFields c = CustomFields.of("color", "red", "size", 3, "tags", List.of("a", "b"), "none", null);
        assertThat(c.string("color")).contains("red");
        assertThat(c.get("size")).contains(JsonValue.of(3));
        assertThat(c.get("none")).contains(JsonValue.JsonNull.INSTANCE);
        assertThat(c.with("color", "blue").string("color")).contains("blue");
        assertThat(c.string("color")).contains("red");
        assertThat(c.without("tags").keys()).containsExactly("color", "size", "none");
        assertThat(Json.node(c).toString())
                .isEqualTo("{\"color\":\"red\",\"size\":3,\"tags\":[\"a\",\"b\"],\"none\":null}");
        assertThatThrownBy(() -> c.asMap().put("x", JsonValue.of(1))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> CustomFields.of("odd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonValue.of(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUserTakesPlainCustomValues() {
        User u = User.builder("ana").put("name", "Ana").put("age", 30).build();
        assertThat(u.name()).isEqualTo("Ana");
        assertThat(u.customFields()).isEqualTo(CustomFields.of("name", "Ana", "age", 30));
    }
}
