package dev.parley.client;

import static dev.parley.client.ChannelFixtures.channel;
import static dev.parley.client.ChannelFixtures.message;
import static dev.parley.client.ChannelFixtures.state;
import static dev.parley.client.FakeChannelContext.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.ClientCore;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingConsumer;

/** What a {@link Channel} sends and when it refuses to (PROTOCOL.md §5.7, §7.3–§7.11): no network. */
@Timeout(10)
class ChannelTest {
    final LogCapture log = new LogCapture();
    final FakeChannelContext ctx = new FakeChannelContext("maria", log);

    @AfterEach
    void closeLog() {
        log.close();
    }

    @Test
    void typesAndIdsAreCheckedAsTheJsSdkChecksThem() {
        assertThat(Channel.validType("team-chat_2")).isEqualTo("team-chat_2");
        assertThat(Channel.validId("!members-abc_1")).isEqualTo("!members-abc_1");
        assertThatThrownBy(() -> Channel.validId("a:b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: 'a:b' (expected: 1 to 64 letters, digits, !, _ and -)");
        assertThatThrownBy(() -> Channel.validId("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Channel.validId("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Channel.validType("a!b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void watchAsksForStateWatchWithoutPresenceAndLoadsTheAnswer() {
        Channel c = ctx.channel("messaging", "general");
        ctx.reply(state(message("m2", "tom", 2), message("m1", "maria", 1)));
        ChannelState s = c.watch().join();
        assertThat(ctx.last().method()).isEqualTo("POST");
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/query");
        assertThat(body(ctx.last()).toString())
                .isEqualTo("{\"data\":{},\"state\":true,\"watch\":true,\"presence\":false}");
        assertThat(s.messages()).extracting(Message::id).containsExactly("m1", "m2");
        assertThat(s.members()).extracting(Member::userId).containsExactly("maria", "tom");
        assertThat(s.membership())
                .hasValueSatisfying(m -> assertThat(m.userId()).isEqualTo("maria"));
        assertThat(s.read()).hasSize(2);
        assertThat(s.watcherCount()).isEqualTo(1);
        assertThat(s.channel()).hasValueSatisfying(ch -> {
            assertThat(ch.name()).isEqualTo("General");
            assertThat(ch.ownCapabilities()).contains("read-events");
        });
        assertThat(s.config().typingEvents()).isTrue();
        assertThat(ctx.watched).containsExactly("messaging:general");
    }

    @Test
    void watchWithoutAConnectionIdAsksWithWatchFalseAndIsNotReWatched() {
        ctx.connection = CompletableFuture.completedFuture(null);
        Channel c = ctx.channel("messaging", "general");
        ctx.reply(state());
        c.watch(ChannelQueryOptions.defaults().withPresence(true)).join();
        assertThat(body(ctx.last()).path("watch").asBoolean()).isFalse();
        assertThat(body(ctx.last()).path("presence").asBoolean()).isFalse();
        assertThat(ctx.watched).isEmpty();
    }

    @Test
    void watchWaitsForTheHandshakeInFlight() {
        ctx.connection = new CompletableFuture<>();
        Channel c = ctx.channel("messaging", "general");
        ctx.reply(state());
        CompletableFuture<ChannelState> f = c.watch();
        assertThat(ctx.calls).isEmpty();
        ctx.connection.complete("c7");
        assertThat(f).isCompleted();
        assertThat(body(ctx.last()).path("watch").asBoolean()).isTrue();
    }

    @Test
    void querySendsNoWatchKeyAndMergesAnOlderPage() {
        Channel c = ctx.watchedGeneral(message("m3", "tom", 3), message("m4", "tom", 4));
        ctx.reply(state(message("m1", "tom", 1), message("m2", "tom", 2)));
        ChannelState s = c.query(
                        ChannelQueryOptions.defaults().withMessageLimit(2).olderThan("m3"))
                .join();
        ObjectNode body = body(ctx.last());
        assertThat(body.has("watch")).isFalse();
        assertThat(body.has("presence")).isFalse();
        assertThat(body.path("messages").toString()).isEqualTo("{\"limit\":2,\"id_lt\":\"m3\"}");
        assertThat(s.messages()).extracting(Message::id).containsExactly("m1", "m2", "m3", "m4");
    }

    @Test
    void aWatchReplacesTheMessagesSoThatMessagesMissedWhileAwayLeaveNoGap() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        ctx.reply(state(message("m5", "tom", 5)));
        assertThat(c.watch().join().messages()).extracting(Message::id).containsExactly("m5");
    }

    @Test
    void createAsksForNeitherStateNorWatchNorPresence() {
        ObjectNode data = Json.object().put("name", "Ops");
        Channel c = new Channel(ctx, ctx.registry.open("messaging", "ops", data));
        ctx.reply("{\"channel\":" + channel("ops", "") + ",\"members\":[],\"messages\":[]}");
        c.create().join();
        assertThat(body(ctx.last()).toString())
                .isEqualTo("{\"data\":{\"name\":\"Ops\"},\"watch\":false,\"state\":false,\"presence\":false}");
        assertThat(ctx.watched).isEmpty();
    }

    @Test
    void aDistinctChannelIsKeyedByItsSortedMembersUntilTheServerNamesIt() {
        Channel c = new Channel(ctx, ctx.registry.openDistinct("messaging", List.of("tom", "maria"), Json.object()));
        assertThat(c.id()).isEmpty();
        assertThat(c.cid()).isEqualTo("messaging:!members-maria,tom");
        assertThatThrownBy(c::stopWatching)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no id yet");
        ctx.reply("{\"channel\":" + channel("!members-4f2a", "") + ",\"members\":[],\"messages\":[]}");
        c.watch().join();
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/query");
        assertThat(body(ctx.last()).path("data").toString()).isEqualTo("{\"members\":[\"tom\",\"maria\"]}");
        assertThat(c.id()).contains("!members-4f2a");
        assertThat(c.cid()).isEqualTo("messaging:!members-4f2a");
        assertThat(ctx.registry.get("messaging:!members-4f2a")).isNotNull();
        assertThat(ctx.watched).containsExactly("messaging:!members-4f2a");
        Channel again =
                new Channel(ctx, ctx.registry.openDistinct("messaging", List.of("maria", "tom"), Json.object()));
        assertThat(again.id()).as("the same members find the same channel").contains("!members-4f2a");
    }

    @Test
    void sendMessageGivesAMessageWithoutIdARandomUuid() {
        Channel c = ctx.watchedGeneral();
        ctx.reply("{\"message\":" + message("x", "maria", 9) + "}");
        c.sendMessage(Message.of("hello")).join();
        ObjectNode sent = (ObjectNode) body(ctx.last()).get("message");
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/message");
        assertThat(sent.path("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(sent.path("text").asText()).isEqualTo("hello");
        assertThat(sent.has("user")).isFalse();
        assertThat(c.state().messages()).extracting(Message::id).containsExactly("x");

        ctx.reply("{\"message\":" + message("mine", "maria", 10) + "}");
        c.sendMessage(Message.builder().id("mine").text("again").parentId("x").build())
                .join();
        sent = (ObjectNode) body(ctx.last()).get("message");
        assertThat(sent.path("id").asText()).isEqualTo("mine");
        assertThat(sent.path("parent_id").asText()).isEqualTo("x");
    }

    @Test
    void repliesReactionsAndReadsUseTheirEndpoints() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        ctx.reply("{\"messages\":[" + message("r1", "tom", 2, ",\"parent_id\":\"m1\"") + "]}");
        List<Message> replies =
                c.getReplies("m1", MessagePagination.limit(25).olderThan("r9")).join();
        assertThat(ctx.last().path()).isEqualTo("/messages/m1/replies");
        assertThat(ctx.last().query()).containsEntry("limit", "25").containsEntry("id_lt", "r9");
        assertThat(replies).extracting(Message::parentId).containsExactly("m1");

        String reaction = "{\"type\":\"love\",\"message_id\":\"m1\",\"user_id\":\"maria\",\"score\":1}";
        ctx.reply("{\"message\":" + message("m1", "tom", 1, ",\"own_reactions\":[" + reaction + "]") + ",\"reaction\":"
                + reaction + "}");
        ReactionResponse r = c.sendReaction("m1", "love").join();
        assertThat(ctx.last().path()).isEqualTo("/messages/m1/reaction");
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"reaction\":{\"type\":\"love\"}}");
        assertThat(r.reaction().userId()).isEqualTo("maria");
        assertThat(c.state().messages().get(0).ownReactions())
                .extracting(Reaction::type)
                .containsExactly("love");

        ctx.reply("{\"message\":" + message("m1", "tom", 1) + ",\"reaction\":" + reaction + "}");
        c.deleteReaction("m1", "love").join();
        assertThat(ctx.last().method()).isEqualTo("DELETE");
        assertThat(ctx.last().path()).isEqualTo("/messages/m1/reaction/love");
        assertThat(c.state().messages().get(0).ownReactions()).isEmpty();

        c.markRead().join();
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/read");
        c.markUnread("m1").join();
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"message_id\":\"m1\"}");
    }

    @Test
    void channelChangesUseTheirEndpoints() {
        Channel c = ctx.watchedGeneral();
        ctx.reply("{\"channel\":" + channel("general", "") + ",\"members\":[" + ChannelFixtures.member("maria") + ","
                + ChannelFixtures.member("tom") + "," + ChannelFixtures.member("leo") + "]}");
        assertThat(c.addMembers(List.of("leo")).join())
                .extracting(Member::userId)
                .contains("leo");
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"add_members\":[\"leo\"]}");
        assertThat(c.state().members()).extracting(Member::userId).containsExactly("maria", "tom", "leo");
        c.removeMembers(List.of("leo"));
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"remove_members\":[\"leo\"]}");
        c.update(CustomFields.of("name", "New"));
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"data\":{\"name\":\"New\"}}");
        c.updatePartial(CustomFields.of("topic", "x"), List.of("image"));
        assertThat(ctx.last().method()).isEqualTo("PATCH");
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"set\":{\"topic\":\"x\"},\"unset\":[\"image\"]}");
        c.hide(true).join();
        assertThat(body(ctx.last()).toString()).isEqualTo("{\"clear_history\":true}");
        assertThat(c.state().hidden()).isTrue();
        c.show().join();
        assertThat(c.state().hidden()).isFalse();
        c.truncate();
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/truncate");
        c.delete();
        assertThat(ctx.last().method()).isEqualTo("DELETE");
        c.stopWatching().join();
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/stop-watching");
        assertThat(ctx.watched).isEmpty();
    }

    @Test
    void keystrokeSendsTypingStartAtMostEveryTwoSecondsAndStopTypingResetsIt() {
        Channel c = ctx.watchedGeneral();
        c.keystroke().join();
        c.keystroke().join();
        ctx.advance(Duration.ofMillis(1999));
        c.keystroke().join();
        assertThat(typingCalls()).containsExactly("typing.start");
        ctx.advance(Duration.ofMillis(1));
        c.keystroke("m1").join();
        assertThat(typingCalls()).containsExactly("typing.start", "typing.start");
        assertThat(body(ctx.last()).toString())
                .isEqualTo("{\"event\":{\"type\":\"typing.start\",\"parent_id\":\"m1\"}}");
        c.stopTyping().join();
        c.keystroke().join();
        assertThat(typingCalls()).containsExactly("typing.start", "typing.start", "typing.stop", "typing.start");
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/event");
    }

    List<String> typingCalls() {
        List<String> out = new ArrayList<>();
        ctx.calls.stream()
                .filter(call -> call.path().endsWith("/event"))
                .forEach(call -> out.add(body(call).path("event").path("type").asText()));
        return out;
    }

    @Test
    void typingAndReadCallsSendNothingWhenTheConfigTurnsThemOff() {
        Channel c = ctx.channel("messaging", "general");
        ctx.reply(ChannelFixtures.stateWithConfig(",\"typing_events\":false,\"read_events\":false"));
        c.watch().join();
        int before = ctx.calls.size();
        c.keystroke().join();
        c.stopTyping().join();
        c.markRead().join();
        c.markUnread("m1").join();
        assertThat(ctx.calls).hasSize(before);
    }

    @Test
    void sendEventReturnsTheEventAsTheServerBroadcastIt() {
        Channel c = ctx.watchedGeneral();
        ctx.reply("{\"event\":"
                + ChannelFixtures.event("party", ",\"user\":" + ChannelFixtures.user("maria") + ",\"balloons\":3")
                + "}");
        Event e = c.sendEvent(JsonObject.of("type", "party", "balloons", 3)).join();
        assertThat(e).isInstanceOf(GenericEvent.class);
        assertThat(e.raw().get("balloons")).contains(JsonValue.of(3));
        assertThatThrownBy(() -> c.sendEvent(JsonObject.EMPTY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void methodsActingOnStateRefuseAChannelThatWasNeverWatched() {
        Channel c = ctx.channel("messaging", "general");
        List<ThrowingConsumer<Channel>> calls = List.of(
                Channel::markRead,
                ch -> ch.markUnread("m1"),
                Channel::keystroke,
                Channel::stopTyping,
                ch -> ch.sendEvent(JsonObject.of("type", "x")),
                Channel::hide,
                Channel::show,
                ch -> ch.deleteReaction("m1", "like"));
        for (ThrowingConsumer<Channel> call : calls) {
            assertThatThrownBy(() -> call.accept(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Channel messaging:general hasn't been initialized yet. Make sure to call .watch() and "
                            + "wait for it to resolve");
        }
        assertThat(ctx.calls).isEmpty();
    }

    @Test
    void aServerSideClientMayActOnAChannelItNeverWatched() {
        ctx.serverSide = true;
        ctx.channel("messaging", "general").markRead().join();
        assertThat(ctx.last().path()).isEqualTo("/channels/messaging/general/read");
    }

    @Test
    void afterDisconnectUserEveryMethodFailsWithAClearError() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        ctx.disconnected = true;
        List<ThrowingConsumer<Channel>> calls = List.of(
                Channel::watch,
                ch -> ch.query(ChannelQueryOptions.defaults()),
                Channel::create,
                Channel::stopWatching,
                ch -> ch.sendMessage(Message.of("x")),
                Channel::markRead,
                Channel::keystroke,
                ch -> ch.sendReaction("m1", "like"),
                ch -> ch.getReplies("m1", MessagePagination.limit(1)),
                ch -> ch.update(CustomFields.EMPTY),
                Channel::delete,
                Channel::truncate,
                ch -> ch.addMembers(List.of("x")));
        int before = ctx.calls.size();
        for (ThrowingConsumer<Channel> call : calls) {
            assertThatThrownBy(() -> call.accept(c))
                    .isInstanceOf(DisconnectedException.class)
                    .hasMessage("You can't use a channel after client.disconnectUser() was called");
        }
        assertThat(ctx.calls).hasSize(before);
    }

    @Test
    void theReWatchAfterAReconnectHasTheBodyOfSection35ThirtyChannelsPerRequest() {
        List<ObjectNode> one = ClientCore.rewatchBodies(Set.of("messaging:general"));
        assertThat(one)
                .singleElement()
                .asString()
                .isEqualTo("{\"filter_conditions\":{\"cid\":{\"$in\":"
                        + "[\"messaging:general\"]}},\"sort\":[{\"field\":\"last_message_at\",\"direction\":-1}],\"limit\":30,"
                        + "\"state\":true,\"watch\":true,\"presence\":false}");
        Set<String> many = new java.util.HashSet<>();
        for (int i = 0; i < 61; i++) {
            many.add("messaging:c" + i);
        }
        assertThat(ClientCore.rewatchBodies(many))
                .extracting(
                        b -> b.path("filter_conditions").path("cid").path("$in").size())
                .containsExactly(30, 30, 1);
        assertThat(ClientCore.rewatchBodies(Set.of())).isEmpty();
    }
}
