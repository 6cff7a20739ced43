package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.client.transport.JdkTransport;
import dev.parley.client.transport.OkHttpTransport;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import dev.parley.protocol.User;
import dev.parley.server.app.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Channels through the SDK against a real Parley server: two users, one room each test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jdk", "okhttp"})
class ChannelIntegrationTest {

    /** Every test runs on both transports. */
    @Parameter
    String transportName;

    Transport.Factory transport() {
        return transportName.equals("okhttp") ? OkHttpTransport.factory() : JdkTransport.factory();
    }

    static final AtomicInteger SEQ = new AtomicInteger();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    final LogCapture log = new LogCapture();
    final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    final String n = Integer.toString(SEQ.incrementAndGet());
    final String maria = "maria" + n;
    final String tom = "tom" + n;
    final String room = "room" + n;

    @AfterEach
    void closeClients() throws Exception {
        List<String> warnings = log.warnings();
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
        log.close();
        assertThat(warnings).as("SDK warnings").isEmpty();
    }

    ChatClient connect(String baseUrl, String userId) {
        ChatClient c = ChatClient.builder(TestServer.API_KEY)
                .transport(transport())
                .baseUrl(baseUrl)
                .logger(log.logger())
                .build();
        resources.add(c);
        c.connectUser(User.builder(userId).build(), Tokens.user(TestServer.API_SECRET, userId))
                .join();
        return c;
    }

    ChatClient connect(String userId) {
        return connect(server.baseUrl(), userId);
    }

    CustomFields members(String... ids) {
        return CustomFields.of("name", "Room " + n, "members", List.of(ids));
    }

    /** Both users connected, both watching {@code room}; maria made it. */
    record Pair(ChatClient mariaClient, Channel mariaChannel, ChatClient tomClient, Channel tomChannel) {}

    Pair pair() {
        ChatClient m = connect(maria);
        ChatClient t = connect(tom);
        Channel mc = m.channel("messaging", room, members(maria, tom));
        mc.watch().join();
        Channel tc = t.channel("messaging", room);
        tc.watch().join();
        return new Pair(m, mc, t, tc);
    }

    @Test
    void aMessageSentByOneMemberReachesTheOtherAsMessageNew() {
        Pair p = pair();
        List<MessageEvent> received = new CopyOnWriteArrayList<>();
        p.tomChannel().on(EventType.MESSAGE_NEW, e -> received.add((MessageEvent) e));

        Message sent = p.mariaChannel().sendMessage(Message.of("hello " + tom)).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        MessageEvent e = received.get(0);
        assertThat(e.cid()).isEqualTo("messaging:" + room);
        assertThat(e.message().id()).isEqualTo(sent.id());
        assertThat(e.message().text()).isEqualTo("hello " + tom);
        assertThat(e.message().user().id()).isEqualTo(maria);
        assertThat(p.tomChannel().state().messages()).extracting(Message::id).containsExactly(sent.id());
        assertThat(p.mariaChannel().state().channel()).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("Room " + n);
            assertThat(c.ownCapabilities()).contains("send-message");
        });
        assertThat(p.tomChannel().state().members()).extracting(Member::userId).containsExactlyInAnyOrder(maria, tom);
    }

    @Test
    void aThreadReplyIsListedByGetReplies() {
        Pair p = pair();
        Message parent = p.mariaChannel().sendMessage(Message.of("parent")).join();
        Message reply = p.tomChannel()
                .sendMessage(
                        Message.builder().text("reply").parentId(parent.id()).build())
                .join();

        List<Message> replies = p.mariaChannel()
                .getReplies(parent.id(), MessagePagination.limit(10))
                .join();

        assertThat(replies).extracting(Message::id).containsExactly(reply.id());
        assertThat(replies.get(0).parentId()).isEqualTo(parent.id());
        assertThat(p.tomChannel().state().messages()).extracting(Message::id).containsExactly(parent.id());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> p.mariaChannel().state().messages().get(0).replyCount() == 1);
    }

    @Test
    void aReactionReachesTheOtherWatcherAsReactionNew() {
        Pair p = pair();
        List<ReactionEvent> received = new CopyOnWriteArrayList<>();
        p.tomClient().on(ReactionEvent.class, received::add);
        Message m = p.tomChannel().sendMessage(Message.of("react to me")).join();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !p.mariaChannel().state().messages().isEmpty());

        ReactionResponse r = p.mariaChannel().sendReaction(m.id(), "love").join();

        assertThat(r.reaction().userId()).isEqualTo(maria);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received.get(0).knownType()).contains(EventType.REACTION_NEW);
        assertThat(received.get(0).reaction().type()).isEqualTo("love");
        assertThat(received.get(0).message().reactionCounts()).containsEntry("love", 1);
        assertThat(p.mariaChannel().state().messages().get(0).ownReactions())
                .extracting(Reaction::type)
                .containsExactly("love");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> p.tomChannel()
                                .state()
                                .messages()
                                .get(0)
                                .reactionCounts()
                                .getOrDefault("love", 0)
                        == 1);
        assertThat(p.tomChannel().state().messages().get(0).ownReactions()).isEmpty();
    }

    @Test
    void markReadClearsTheUnreadCountAndTellsTheOtherWatcher() {
        Pair p = pair();
        String cid = "messaging:" + room;
        List<ReadEvent> reads = new CopyOnWriteArrayList<>();
        p.tomChannel().on(EventType.MESSAGE_READ, e -> reads.add((ReadEvent) e));
        p.tomChannel().sendMessage(Message.of("one")).join();
        p.tomChannel().sendMessage(Message.of("two")).join();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> p.mariaChannel().state().unreadCount(maria) == 2);
        assertThat(p.mariaClient().getUnreadCount().join().unreadCount(cid)).isEqualTo(2);

        p.mariaChannel().markRead().join();

        assertThat(p.mariaClient().getUnreadCount().join().unreadCount(cid)).isZero();
        assertThat(p.mariaChannel().state().unreadCount(maria)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !reads.isEmpty());
        assertThat(reads.get(0).user())
                .hasValueSatisfying(u -> assertThat(u.id()).isEqualTo(maria));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> p.tomChannel().state().unreadCount(maria) == 0);
    }

    @Test
    void aKeystrokeReachesTheOtherWatcherAsTypingStart() {
        Pair p = pair();
        List<TypingEvent> typing = new CopyOnWriteArrayList<>();
        p.tomChannel().on(EventType.TYPING_START, e -> typing.add((TypingEvent) e));

        p.mariaChannel().keystroke().join();

        await().atMost(Duration.ofSeconds(10)).until(() -> !typing.isEmpty());
        assertThat(typing.get(0).user().id()).isEqualTo(maria);
        assertThat(p.tomChannel().state().typing()).extracting(User::id).containsExactly(maria);
    }

    @Test
    void queryChannelsLoadsAndWatchesTheRoomsOfTheUser() {
        ChatClient m = connect(maria);
        ChatClient t = connect(tom);
        Channel tc = t.channel("messaging", room, members(maria, tom));
        tc.watch().join();
        tc.sendMessage(Message.of("before")).join();
        JsonObject filter = JsonObject.of("members", JsonObject.of("$in", List.of(maria)));

        List<Channel> found = m.queryChannels(
                        filter, List.of(SortOption.desc("last_message_at")), QueryChannelsOptions.defaults())
                .join();

        Channel mc = found.stream()
                .filter(c -> c.cid().equals("messaging:" + room))
                .findFirst()
                .orElseThrow();
        assertThat(mc.state().messages()).extracting(Message::text).containsExactly("before");
        List<MessageEvent> received = new CopyOnWriteArrayList<>();
        m.on(MessageEvent.class, received::add);
        tc.sendMessage(Message.of("after")).join();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.stream()
                        .anyMatch(e -> e.knownType().equals(Optional.of(EventType.MESSAGE_NEW))
                                && e.message().text().equals("after")));
        assertThat(mc.state().messages()).extracting(Message::text).containsExactly("before", "after");
        mc.markRead().join();
    }

    @Test
    void everyChannelEventTheServerSendsArrivesAsItsTypedView() {
        connect("leo" + n);
        Pair p = pair();
        List<Event> seen = new CopyOnWriteArrayList<>();
        p.tomClient().on(seen::add);
        Channel mc = p.mariaChannel();
        ChatClient m = p.mariaClient();

        Message msg = mc.sendMessage(Message.of("first")).join();
        m.updateMessage(msg.toBuilder().text("first, edited").build()).join();
        m.pinMessage(msg.id()).join();
        mc.sendReaction(msg.id(), "like").join();
        mc.deleteReaction(msg.id(), "like").join();
        mc.keystroke().join();
        mc.stopTyping().join();
        mc.markRead().join();
        mc.update(members(maria, tom).with("topic", "typed events")).join();
        mc.addMembers(List.of("leo" + n)).join();
        mc.removeMembers(List.of("leo" + n)).join();
        m.deleteMessage(msg.id(), false).join();
        p.tomChannel().hide().join();
        p.tomChannel().show().join();
        mc.truncate().join();

        List<String> expected = Stream.of(
                        EventType.MESSAGE_NEW,
                        EventType.MESSAGE_UPDATED,
                        EventType.REACTION_NEW,
                        EventType.REACTION_DELETED,
                        EventType.TYPING_START,
                        EventType.TYPING_STOP,
                        EventType.MESSAGE_READ,
                        EventType.CHANNEL_UPDATED,
                        EventType.MEMBER_ADDED,
                        EventType.MEMBER_REMOVED,
                        EventType.MESSAGE_DELETED,
                        EventType.CHANNEL_HIDDEN,
                        EventType.CHANNEL_VISIBLE,
                        EventType.CHANNEL_TRUNCATED)
                .map(EventType::wireName)
                .toList();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(seen).extracting(Event::type).containsAll(expected));
        assertThat(seen)
                .filteredOn(e -> expected.contains(e.type()))
                .allSatisfy(e -> assertThat(e).as(e.type()).isNotInstanceOf(GenericEvent.class));
        ChannelState s = p.tomChannel().state();
        assertThat(s.messages()).isEmpty();
        assertThat(s.members()).extracting(Member::userId).containsExactlyInAnyOrder(maria, tom);
        assertThat(s.hidden()).isFalse();
        assertThat(s.channel())
                .hasValueSatisfying(c ->
                        assertThat(c.custom().string("topic").orElseThrow()).isEqualTo("typed events"));
    }

    @Test
    void afterDisconnectUserTheOldChannelFails() {
        Pair p = pair();
        p.mariaClient().disconnectUser().join();
        assertThatThrownBy(() -> p.mariaChannel().sendMessage(Message.of("too late")))
                .isInstanceOf(DisconnectedException.class)
                .hasMessage("You can't use a channel after client.disconnectUser() was called");
        p.mariaClient()
                .connectUser(User.builder(maria).build(), Tokens.user(TestServer.API_SECRET, maria))
                .join();
        assertThatThrownBy(() -> p.mariaChannel().watch()).isInstanceOf(DisconnectedException.class);
        assertThat(p.mariaClient().channel("messaging", room).watch().join().members())
                .hasSize(2);
    }

    @Test
    void afterAServerRestartWatchedChannelsAreWatchedAgainThenConnectionRecoveredIsEmitted(@TempDir Path dataDir)
            throws IOException {
        ServerConfig config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(freePort())
                .apiKey(TestServer.API_KEY)
                .apiSecret(TestServer.API_SECRET)
                .dataDir(dataDir)
                .build();
        ParleyServer first = ParleyServer.start(config);
        String baseUrl = "http://127.0.0.1:" + config.port();
        ChatClient m = connect(baseUrl, maria);
        ChatClient t = connect(baseUrl, tom);
        Channel mc = m.channel("messaging", room, members(maria, tom));
        mc.watch().join();
        List<Event> events = new CopyOnWriteArrayList<>();
        m.on(events::add);

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> m.connectionId().isEmpty());
        resources.add(ParleyServer.start(config));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.stream().anyMatch(ConnectionRecoveredEvent.class::isInstance) && t.isConnected());
        Channel tc = t.channel("messaging", room);
        tc.watch().join();
        Message after = tc.sendMessage(Message.of("after the restart")).join();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.stream()
                        .anyMatch(e -> e instanceof MessageEvent me
                                && me.knownType().equals(Optional.of(EventType.MESSAGE_NEW))
                                && me.message().id().equals(after.id())));
        // message.new goes to watchers only (members not watching get notification.message_new): the
        // new connection watches the room because the SDK watched it again
        assertThat(mc.state().messages()).extracting(Message::id).contains(after.id());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
