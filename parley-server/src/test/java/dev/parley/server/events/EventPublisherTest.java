package dev.parley.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.events.ChannelHubTest.FakeSession;
import dev.parley.server.events.ChannelHubTest.QueueingWriter;
import dev.parley.server.events.ChannelHubTest.WriterSession;
import dev.parley.server.metrics.Metrics;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import dev.parley.server.usage.ConnectionRegistry;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventPublisherTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    Store store;
    final ChannelHub hub = new ChannelHub();
    final PresenceHub presence = new PresenceHub();
    final ConnectionRegistry registry = new ConnectionRegistry(Clock.systemUTC());
    final Metrics metrics = new Metrics();
    EventPublisher publisher;

    @BeforeEach
    void open() {
        store = Stores.open(null, dir);
        publisher =
                new EventPublisher(store.chat(), new LocalBroker(hub, presence, registry), new ChannelLocks(), metrics);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private FakeSession connect(String id, String user) {
        FakeSession s = new FakeSession(id, user);
        registry.register(s);
        return s;
    }

    private static ObjectNode event(String type, String cid) {
        return Json.object().put("type", type).put("cid", cid).put("created_at", "2026-03-01T10:00:00Z");
    }

    @Test
    void aFanOutHandsEachWriterOneTaskForAllOfItsSessions() {
        QueueingWriter loopA = new QueueingWriter();
        QueueingWriter loopB = new QueueingWriter();
        List<FakeSession> sessions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sessions.add(new WriterSession("s" + i, "u" + i, i % 2 == 0 ? loopA : loopB));
        }
        FakeSession direct = new FakeSession("d", "dan");
        sessions.add(direct);
        Frames frames =
                Frames.of(Unpooled.wrappedBuffer("{\"type\":\"message.new\"}".getBytes(StandardCharsets.UTF_8)));

        LocalBroker.send(new ArrayList<>(sessions), frames);
        frames.release();

        assertThat(loopA.tasks).hasSize(1);
        assertThat(loopB.tasks).hasSize(1);
        assertThat(direct.frames).hasSize(1);
        assertThat(sessions.get(0).frames).isEmpty();
        loopA.runAll();
        loopB.runAll();
        assertThat(sessions).allSatisfy(s -> assertThat(s.frames).containsExactly("{\"type\":\"message.new\"}"));
        assertThat(direct.underlying.get(0).refCnt())
                .as("the shared buffer is released once all sent")
                .isZero();
    }

    @Test
    void aFanOutFromTheWritersOwnThreadWritesAtOnce() {
        QueueingWriter loop = new QueueingWriter();
        WriterSession s = new WriterSession("s", "sam", loop);
        loop.running = true;
        Frames frames = Frames.of(Unpooled.wrappedBuffer(new byte[] {'{', '}'}));

        LocalBroker.send(List.of(s), frames);
        frames.release();

        assertThat(loop.tasks).isEmpty();
        assertThat(s.frames).hasSize(1);
    }

    @Test
    void variantsAreBuiltAndEncodedOncePerKeyAndSharedByItsConnections() {
        List<FakeSession> sessions = List.of(
                new FakeSession("a1", "ann"),
                new FakeSession("a2", "ann"),
                new FakeSession("b1", "bob"),
                new FakeSession("c1", "cat"),
                new FakeSession("d1", "dan"));
        sessions.forEach(s -> hub.watch(s, "m:x"));
        AtomicInteger builds = new AtomicInteger();
        ObjectNode base = event("typing.start", "m:x");

        publisher.publish(OutboundEvent.of(base, Audience.watchers("m:x"))
                .withVariants(new OutboundEvent.Variants<>(Map.of("ann", 0, "bob", 0, "cat", 1), 0, key -> {
                    builds.incrementAndGet();
                    return base.deepCopy().put("unread_count", key);
                })));

        assertThat(builds.get()).isEqualTo(2);
        assertThat(sessions.get(0).frames.getFirst()).contains("\"unread_count\":0");
        assertThat(sessions.get(3).frames.getFirst()).contains("\"unread_count\":1");
        assertThat(sessions.get(4).frames.getFirst())
                .as("a user without a variant gets the others' one")
                .contains("\"unread_count\":0");
        assertThat(sessions.get(0).underlying.getFirst())
                .isSameAs(sessions.get(2).underlying.getFirst());
        assertThat(sessions.get(0).underlying.getFirst().refCnt()).isZero();
        assertThat(sessions.get(3).underlying.getFirst().refCnt()).isZero();
    }

    @Test
    void watchersExceptLeavesOutEveryConnectionOfTheActor() {
        FakeSession a1 = new FakeSession("a1", "ann");
        FakeSession b1 = new FakeSession("b1", "bob");
        hub.watch(a1, "m:x");
        hub.watch(b1, "m:x");

        publisher.publish(event("user.watching.start", "m:x"), Audience.watchersExcept("m:x", "ann"));

        assertThat(a1.frames).isEmpty();
        assertThat(b1.frames).hasSize(1);
    }

    @Test
    void membersWhoWatchTheChannelAreLeftOutOfItsNotification() {
        FakeSession ann = connect("a1", "ann");
        FakeSession bob = connect("b1", "bob");
        FakeSession bob2 = connect("b2", "bob");
        hub.watch(ann, "m:x");

        publisher.publish(event("notification.message_new", "m:x"), Audience.notWatching(List.of("ann", "bob"), "m:x"));

        assertThat(ann.frames).isEmpty();
        assertThat(bob.frames).hasSize(1);
        assertThat(bob2.frames).hasSize(1);
    }

    @Test
    void presenceGoesToSubscribersAndOptionallyOnceToTheUsersOwnConnections() {
        FakeSession watcher = connect("w1", "wes");
        FakeSession self = connect("s1", "sue");
        presence.subscribe(watcher, List.of("sue"));
        presence.subscribe(self, List.of("sue"));

        publisher.publish(Json.object().put("type", "user.updated"), Audience.presenceOfAndSelf("sue"));
        publisher.publishIfHeard("user.updated", Audience.presenceOf("nobody"), () -> {
            throw new AssertionError("an event nobody hears is not built");
        });

        assertThat(watcher.frames).hasSize(1);
        assertThat(self.frames)
                .as("a subscriber that is also the user gets it once")
                .hasSize(1);
    }

    private void createChannel(String cid) {
        String id = cid.substring(cid.indexOf(':') + 1);
        store.chat()
                .createChannel(
                        new ChannelRow(
                                cid,
                                "messaging",
                                id,
                                "ann",
                                null,
                                T0,
                                T0,
                                null,
                                null,
                                null,
                                false,
                                false,
                                0,
                                0,
                                0,
                                Json.object()),
                        List.of());
    }

    @Test
    void channelEventsThatSyncKeepsAreStoredWithTheirSequenceAndCarryIt() {
        createChannel("m:x");
        FakeSession ann = connect("a1", "ann");
        hub.watch(ann, "m:x");

        publisher.publish(event("message.updated", "m:x"), Audience.watchers("m:x"));
        publisher.publish(event("typing.start", "m:x"), Audience.watchers("m:x"));
        publisher.publish(event("channel.hidden", "m:x"), Audience.user("ann"));
        publisher.publish(event("channel.updated", "m:x"), Audience.watchers("m:x"));

        assertThat(ann.frames).hasSize(4);
        assertThat(ann.frames.get(0)).contains("\"channel_seq\":1");
        assertThat(ann.frames.get(1)).as("typing is not kept").doesNotContain("channel_seq");
        assertThat(ann.frames.get(2)).contains("\"channel_seq\":2");
        assertThat(ann.frames.get(3)).contains("\"channel_seq\":3");
        assertThat(store.chat().eventsSince(List.of("m:x"), "bob", T0, 10))
                .extracting(e -> e.get("type").asText())
                .containsExactly("message.updated", "channel.updated");
        assertThat(store.chat().eventsSince(List.of("m:x"), "ann", T0, 10)).hasSize(3);
    }

    @Test
    void aKeptEventIsDeliveredAsTheBytesTheStoreWroteWithItsVariantsAppended() {
        createChannel("m:y");
        FakeSession ann = connect("a1", "ann");
        FakeSession bob = connect("b1", "bob");
        hub.watch(ann, "m:y");
        hub.watch(bob, "m:y");
        OutboundEvent event = OutboundEvent.of(event("message.new", "m:y"), Audience.watchers("m:y"))
                .withVariants(OutboundEvent.Variants.appending(
                        Map.of("ann", 1), 0, n -> Json.object().put("unread_count", n)));

        store.chat().appendEvent(publisher.storedWith(event, T0));
        byte[] written = event.stored().bytes();
        publisher.publishStored(event, java.util.List.of());

        assertThat(written).as("the bytes the store wrote").isNotNull();
        String row = new String(written, StandardCharsets.UTF_8);
        assertThat(row).contains("\"channel_seq\":1").isEqualTo(Json.write(event.body()));
        assertThat(store.chat().eventsSince(List.of("m:y"), "bob", T0, 10))
                .singleElement()
                .satisfies(e -> assertThat(Json.write(e)).isEqualTo(row));
        assertThat(bob.frames).containsExactly(row.substring(0, row.length() - 1) + ",\"unread_count\":0}");
        assertThat(ann.frames).containsExactly(row.substring(0, row.length() - 1) + ",\"unread_count\":1}");
    }

    @Test
    void onlyMessageNewCountsAsASentMessage() {
        publisher.publish(event("message.updated", "m:none"), Audience.watchers("m:none"));
        publisher.publishStored(
                OutboundEvent.of(event("message.new", "m:none"), Audience.watchers("m:none")), java.util.List.of());

        assertThat(metrics.scrape()).contains("parley_messages_sent_total 1.0");
    }

    @Test
    void appendedVariantsAreTheBodyWithTheirFieldsAtTheEndEncodedOncePerKey() {
        FakeSession ann = new FakeSession("a1", "ann");
        FakeSession bob = new FakeSession("b1", "bob");
        FakeSession cat = new FakeSession("c1", "cat");
        List.of(ann, bob, cat).forEach(s -> hub.watch(s, "m:x"));
        ObjectNode body = event("typing.start", "m:x");
        body.set(
                "message",
                Json.object()
                        .put("text", "a \"quoted\" text")
                        .set("list", Json.array().add(1)));
        AtomicInteger made = new AtomicInteger();

        publisher.publish(OutboundEvent.of(body, Audience.watchers("m:x"))
                .withVariants(OutboundEvent.Variants.appending(Map.of("ann", 2, "bob", 2), 0, n -> {
                    made.incrementAndGet();
                    return Json.object().put("unread_count", n).put("unread_channels", n > 0 ? 1 : 0);
                })));

        assertThat(made.get()).isEqualTo(2);
        ObjectNode expected = body.deepCopy().put("unread_count", 2).put("unread_channels", 1);
        assertThat(ann.frames.getFirst()).isEqualTo(Json.write(expected)).isEqualTo(bob.frames.getFirst());
        assertThat(cat.frames.getFirst())
                .isEqualTo(Json.write(body.deepCopy().put("unread_count", 0).put("unread_channels", 0)));
        assertThat(Json.parse(cat.frames.getFirst(), "frame").isObject()).isTrue();
        assertThat(new String(
                        EventPublisher.appended(
                                "{}".getBytes(StandardCharsets.UTF_8), "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1}");
        assertThat(new String(
                        EventPublisher.appended(
                                "{\"b\":2}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8))
                .isEqualTo("{\"b\":2}");
    }

    @Test
    void aNotificationNobodyWouldGetIsNotBuilt() {
        FakeSession ann = connect("a1", "ann");
        hub.watch(ann, "m:x");

        assertThat(publisher.mayReach(Audience.notWatching(List.of("ann", "offline"), "m:x")))
                .isFalse();
        connect("o1", "offline");
        assertThat(publisher.mayReach(Audience.notWatching(List.of("ann", "offline"), "m:x")))
                .isTrue();
    }
}
