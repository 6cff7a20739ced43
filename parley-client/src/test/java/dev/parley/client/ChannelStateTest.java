package dev.parley.client;

import static dev.parley.client.ChannelFixtures.event;
import static dev.parley.client.ChannelFixtures.member;
import static dev.parley.client.ChannelFixtures.message;
import static dev.parley.client.ChannelFixtures.state;
import static dev.parley.client.ChannelFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.EventType;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How events change a channel's local state (PROTOCOL.md §8.3): no network, manual clock. */
@Timeout(10)
class ChannelStateTest {
    final LogCapture log = new LogCapture();
    final FakeChannelContext ctx = new FakeChannelContext("maria", log);

    @AfterEach
    void closeLog() {
        log.close();
    }

    static String messageEvent(String type, String message) {
        return event(type, ",\"message\":" + message + ",\"user\":" + user("tom") + ",\"watcher_count\":4");
    }

    @Test
    void messageNewIsAppendedInOrderAndCountsAsUnreadForEveryoneButTheAuthor() {
        Channel c = ctx.watchedGeneral(message("m1", "maria", 1));
        Event e = ctx.receive(messageEvent("message.new", message("m2", "tom", 2)));
        assertThat(e).isInstanceOfSatisfying(MessageEvent.class, m -> {
            assertThat(m.cid()).isEqualTo("messaging:general");
            assertThat(m.message().text()).isEqualTo("text of m2");
        });
        ChannelState s = c.state();
        assertThat(s.messages()).extracting(Message::id).containsExactly("m1", "m2");
        assertThat(s.unreadCount("maria")).isEqualTo(1);
        assertThat(s.unreadCount("tom")).isZero();
        assertThat(s.readOf("tom"))
                .hasValueSatisfying(r -> assertThat(r.lastReadMessageId()).isEqualTo("m2"));
        assertThat(s.watcherCount()).isEqualTo(4);
        ctx.receive(messageEvent("message.new", message("m2", "tom", 2)));
        assertThat(c.state().messages()).hasSize(2);
        assertThat(c.state().unreadCount("maria")).isEqualTo(1);
    }

    @Test
    void threadOnlyRepliesAndSilentMessagesLeaveTheChannelListAndCountersAlone() {
        Channel c = ctx.watchedGeneral(message("m1", "maria", 1));
        ctx.receive(messageEvent("message.new", message("r1", "tom", 2, ",\"parent_id\":\"m1\"")));
        ctx.receive(messageEvent("message.new", message("s1", "tom", 3, ",\"silent\":true")));
        assertThat(c.state().messages()).extracting(Message::id).containsExactly("m1", "s1");
        assertThat(c.state().unreadCount("maria")).isZero();
    }

    @Test
    void theLocalStateKeepsOnlyTheNewestMessages() {
        Channel c = ctx.watchedGeneral();
        for (int i = 0; i < ChannelState.MAX_MESSAGES + 5; i++) {
            ctx.receive(messageEvent("message.new", message("m" + i, "tom", i)));
        }
        List<Message> messages = c.state().messages();
        assertThat(messages).hasSize(ChannelState.MAX_MESSAGES);
        assertThat(messages.get(0).id()).isEqualTo("m5");
        assertThat(messages.get(messages.size() - 1).id()).isEqualTo("m" + (ChannelState.MAX_MESSAGES + 4));
    }

    @Test
    void updatedAndDeletedMessagesAreReplacedOrRemoved() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1), message("m2", "tom", 2));
        ctx.receive(messageEvent(
                "message.updated",
                message("m1", "tom", 1, ",\"text\":\"edited\"").replace("\"text\":\"text of m1\",", "")));
        assertThat(c.state().messages().get(0).text()).isEqualTo("edited");
        ctx.receive(event(
                "message.deleted",
                ",\"hard_delete\":false,\"message\":"
                        + message("m1", "tom", 1, ",\"type\":\"deleted\"").replace("\"type\":\"regular\",", "")));
        assertThat(c.state().messages().get(0).type()).isEqualTo("deleted");
        ctx.receive(event("message.deleted", ",\"hard_delete\":true,\"message\":" + message("m2", "tom", 2)));
        assertThat(c.state().messages()).extracting(Message::id).containsExactly("m1");
    }

    @Test
    void ownReactionsFollowTheOwnUsersReactionEventsOnly() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        String love = "{\"type\":\"love\",\"message_id\":\"m1\",\"user_id\":\"maria\",\"user\":" + user("maria") + "}";
        String like = "{\"type\":\"like\",\"message_id\":\"m1\",\"user_id\":\"tom\",\"user\":" + user("tom") + "}";
        Event e = ctx.receive(event(
                "reaction.new",
                ",\"message\":"
                        + message("m1", "tom", 1, ",\"reaction_counts\":{\"love\":1}")
                                .replace("\"reaction_counts\":{},", "")
                        + ",\"reaction\":" + love + ",\"user\":" + user("maria")));
        assertThat(e).isInstanceOf(ReactionEvent.class);
        Message m = c.state().messages().get(0);
        assertThat(m.ownReactions()).extracting(Reaction::type).containsExactly("love");
        assertThat(m.reactionCounts()).containsEntry("love", 1);
        ctx.receive(event("reaction.new", ",\"message\":" + message("m1", "tom", 1) + ",\"reaction\":" + like));
        assertThat(c.state().messages().get(0).ownReactions())
                .extracting(Reaction::type)
                .containsExactly("love");
        ctx.receive(event("reaction.deleted", ",\"message\":" + message("m1", "tom", 1) + ",\"reaction\":" + love));
        assertThat(c.state().messages().get(0).ownReactions()).isEmpty();
    }

    @Test
    void readEventsResetTheReadersCounter() {
        Channel c = ctx.watchedGeneral(message("m1", "maria", 1));
        ctx.receive(messageEvent("message.new", message("m2", "tom", 2)));
        assertThat(c.state().unreadCount("maria")).isEqualTo(1);
        Event e = ctx.receive(event("message.read", ",\"user\":" + user("maria") + ",\"last_read_message_id\":\"m2\""));
        assertThat(e)
                .isInstanceOfSatisfying(
                        ReadEvent.class, r -> assertThat(r.lastReadMessageId()).contains("m2"));
        assertThat(c.state().unreadCount("maria")).isZero();
        assertThat(c.state().readOf("maria"))
                .hasValueSatisfying(r -> assertThat(r.lastReadMessageId()).isEqualTo("m2"));
        ctx.receive(event(
                "notification.mark_unread",
                ",\"user\":" + user("maria") + ",\"unread_messages\":2,\"last_read_message_id\":\"m0\""));
        assertThat(c.state().unreadCount("maria")).isEqualTo(2);
        ctx.receive(
                event("notification.mark_read", ",\"unread_count\":0,\"total_unread_count\":0,\"unread_channels\":0"));
        assertThat(c.state().unreadCount("maria")).isZero();
    }

    @Test
    void markReadOfEveryChannelZeroesEachChannelsOwnCounter() {
        Channel general = ctx.watchedGeneral();
        Channel other = ctx.channel("messaging", "other");
        ctx.reply(state().replace("\"id\":\"general\"", "\"id\":\"other\"")
                .replace("messaging:general", "messaging:other"));
        other.watch().join();
        ctx.receive(messageEvent("message.new", message("m1", "tom", 1)));
        ctx.receive(
                messageEvent("message.new", message("o1", "tom", 2)).replace("messaging:general", "messaging:other"));
        assertThat(general.state().unreadCount("maria")).isEqualTo(1);
        assertThat(other.state().unreadCount("maria")).isEqualTo(1);
        Event e = ctx.receive("{\"type\":\"notification.mark_read\",\"created_at\":\"2026-03-02T09:40:00Z\","
                + "\"unread_count\":0,\"total_unread_count\":0,\"unread_channels\":0}");
        assertThat(e)
                .isInstanceOfSatisfying(
                        ReadEvent.class, r -> assertThat(r.channelCid()).isEmpty());
        assertThat(general.state().unreadCount("maria")).isZero();
        assertThat(other.state().unreadCount("maria")).isZero();
    }

    @Test
    void typingStartShowsTheTyperForSevenSecondsOrUntilTypingStop() {
        Channel c = ctx.watchedGeneral();
        Event e = ctx.receive(event("typing.start", ",\"user\":" + user("tom")));
        assertThat(e)
                .isInstanceOfSatisfying(
                        TypingEvent.class, t -> assertThat(t.parentId()).isEmpty());
        assertThat(c.state().typing()).extracting(u -> u.id()).containsExactly("tom");
        ctx.advance(Duration.ofSeconds(7));
        assertThat(c.state().typing()).isEmpty();
        ctx.receive(event("typing.start", ",\"user\":" + user("tom")));
        ctx.receive(event("typing.stop", ",\"user\":" + user("tom")));
        assertThat(c.state().typing()).isEmpty();
        ctx.receive(event("typing.start", ",\"user\":" + user("maria")));
        assertThat(c.state().typing()).as("the own user's echo").isEmpty();
    }

    @Test
    void memberEventsChangeMembersAndTheOwnMembership() {
        Channel c = ctx.watchedGeneral();
        ctx.receive(event("member.added", ",\"member\":" + member("leo") + ",\"user\":" + user("leo")));
        assertThat(c.state().members()).extracting(Member::userId).containsExactly("maria", "tom", "leo");
        ctx.receive(event("member.removed", ",\"user\":" + user("maria")));
        assertThat(c.state().members()).extracting(Member::userId).containsExactly("tom", "leo");
        assertThat(c.state().membership()).isEmpty();
        Event e = ctx.receive(
                event("member.updated", ",\"member\":" + member("tom").replace("channel_member", "channel_moderator")));
        assertThat(e)
                .isInstanceOfSatisfying(
                        MemberEvent.class, m -> assertThat(m.user().id()).isEqualTo("tom"));
        assertThat(c.state().members())
                .filteredOn(m -> m.userId().equals("tom"))
                .extracting(Member::channelRole)
                .containsExactly("channel_moderator");
    }

    @Test
    void channelUpdatedKeepsTheOwnCapabilitiesAnEventLeavesOut() {
        Channel c = ctx.watchedGeneral();
        ctx.receive(event(
                "channel.updated", ",\"channel\":{\"id\":\"general\",\"type\":\"messaging\",\"name\":\"Renamed\"}"));
        ChannelData ch = c.state().channel().orElseThrow();
        assertThat(ch.name()).isEqualTo("Renamed");
        assertThat(ch.ownCapabilities()).contains("send-message");
        assertThat(ch.config().name()).isEqualTo("messaging");
    }

    @Test
    void truncationDropsTheMessagesUpToItsTime() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1), message("m2", "tom", 120));
        ctx.receive(event(
                "channel.truncated",
                ",\"channel\":{\"id\":\"general\",\"type\":\"messaging\","
                        + "\"truncated_at\":\"2026-03-02T09:01:00Z\"}"));
        assertThat(c.state().messages()).extracting(Message::id).containsExactly("m2");
        ctx.receive(event("channel.truncated", ",\"channel\":{\"id\":\"general\",\"type\":\"messaging\"}"));
        assertThat(c.state().messages()).isEmpty();
    }

    @Test
    void hiddenVisibleAndWatchingEventsUpdateTheirFlags() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        ctx.receive(event("channel.hidden", ",\"clear_history\":true,\"user\":" + user("maria")));
        assertThat(c.state().hidden()).isTrue();
        assertThat(c.state().messages()).isEmpty();
        ctx.receive(event("channel.visible", ",\"user\":" + user("maria")));
        assertThat(c.state().hidden()).isFalse();
        Event e = ctx.receive(event("user.watching.start", ",\"user\":" + user("tom") + ",\"watcher_count\":3"));
        assertThat(e)
                .isInstanceOfSatisfying(
                        WatchingEvent.class, w -> assertThat(w.watcherCount()).isEqualTo(3));
        assertThat(c.state().watcherCount()).isEqualTo(3);
    }

    @Test
    void eventsOfOtherChannelsAndUnknownTypesLeaveTheStateAlone() {
        Channel c = ctx.watchedGeneral(message("m1", "tom", 1));
        ctx.receive(
                messageEvent("message.new", message("o1", "tom", 2)).replace("messaging:general", "messaging:other"));
        Event custom = ctx.receive(event("party.started", ",\"balloons\":3"));
        assertThat(custom).isInstanceOf(GenericEvent.class);
        assertThat(c.state().messages()).extracting(Message::id).containsExactly("m1");
    }

    @Test
    void channelOnDeliversOnlyThatChannelsEventsOfThatType() {
        Channel c = ctx.watchedGeneral();
        List<Event> news = new ArrayList<>();
        List<Event> all = new ArrayList<>();
        Subscription s = c.on(EventType.MESSAGE_NEW, news::add);
        c.on(all::add);
        ctx.receive(messageEvent("message.new", message("m1", "tom", 1)));
        ctx.receive(event("typing.start", ",\"user\":" + user("tom")));
        ctx.receive(
                messageEvent("message.new", message("o1", "tom", 2)).replace("messaging:general", "messaging:other"));
        assertThat(news).singleElement().isInstanceOf(MessageEvent.class);
        assertThat(all).extracting(Event::type).containsExactly("message.new", "typing.start");
        s.close();
        ctx.receive(messageEvent("message.new", message("m2", "tom", 3)));
        assertThat(news).hasSize(1);
        // listeners see the event already applied to the local state
        List<Integer> seen = new ArrayList<>();
        c.on(EventType.MESSAGE_NEW, e -> seen.add(c.state().messages().size()));
        ctx.receive(messageEvent("message.new", message("m3", "tom", 4)));
        assertThat(seen).containsExactly(3);
    }
}
