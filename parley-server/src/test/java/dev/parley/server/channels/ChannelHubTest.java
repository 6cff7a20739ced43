package dev.parley.server.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.Session;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Watching and fan-out of {@link ChannelHub}, with in-memory sessions. No sockets. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChannelHubTest {

    /** A session that keeps the frames it is sent, releasing each buffer as the transport would. */
    static class FakeSession implements Session {
        final String id;
        final String user;
        final List<String> frames = new ArrayList<>();
        final List<ByteBuf> underlying = new ArrayList<>();

        FakeSession(String id, String user) {
            this.id = id;
            this.user = user;
        }

        @Override public String connectionId() { return id; }
        @Override public String userId() { return user; }
        @Override public Instant connectedAt() { return Instant.EPOCH; }
        @Override public String client() { return ""; }
        @Override public String remoteAddress() { return ""; }
        @Override public String userAgent() { return ""; }

        @Override
        public void send(ByteBuf frame) {
            frames.add(frame.toString(StandardCharsets.UTF_8));
            underlying.add(frame.unwrap());
            frame.release();
        }

        @Override public void close(int code, String reason) {}
    }

    /** A {@link FakeSession} written by an executor that queues tasks until {@link QueueingWriter#runAll}. */
    static final class WriterSession extends FakeSession {
        final QueueingWriter writer;

        WriterSession(String id, String user, QueueingWriter writer) {
            super(id, user);
            this.writer = writer;
        }

        @Override public Executor writer() { return writer; }
        @Override public boolean onWriter() { return writer.running; }
    }

    static final class QueueingWriter implements Executor {
        final List<Runnable> tasks = new ArrayList<>();
        boolean running;

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            running = true;
            tasks.forEach(Runnable::run);
            tasks.clear();
            running = false;
        }
    }

    @Test
    void aChannelGrowingPastTheSmallSizeKeepsEveryWatcherAndCountsUsers() {
        ChannelHub hub = new ChannelHub();
        List<FakeSession> sessions = new ArrayList<>();
        for (int i = 0; i < 3 * CompactSets.SMALL; i++) {
            FakeSession s = new FakeSession("c" + i, "u" + (i % (2 * CompactSets.SMALL)));
            sessions.add(s);
            hub.watch(s, "m:big");
            hub.watch(s, "m:own-" + i);
        }
        assertThat(hub.watcherCount("m:big")).isEqualTo(2 * CompactSets.SMALL);

        hub.publish("m:big", Json.object().put("type", "x"));
        assertThat(sessions).allSatisfy(s -> assertThat(s.frames).hasSize(1));

        for (FakeSession s : sessions.subList(0, 2 * CompactSets.SMALL)) {
            hub.unwatchAll(s);
        }
        assertThat(hub.watcherCount("m:big")).isEqualTo(CompactSets.SMALL);
        assertThat(hub.watchCount(sessions.get(0))).isZero();
        assertThat(hub.watchCount(sessions.getLast())).isEqualTo(2);
        assertThat(hub.isWatching(sessions.getLast(), "m:own-" + (sessions.size() - 1))).isTrue();
        hub.dropChannel("m:big");
        assertThat(hub.watchCount(sessions.getLast())).isEqualTo(1);
        assertThat(hub.watcherCount("m:big")).isZero();
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

        ChannelHub.sendAll(new ArrayList<>(sessions), Json.object().put("type", "message.new"));

        assertThat(loopA.tasks).hasSize(1);
        assertThat(loopB.tasks).hasSize(1);
        assertThat(direct.frames).hasSize(1);
        assertThat(sessions.get(0).frames).isEmpty();
        loopA.runAll();
        loopB.runAll();
        assertThat(sessions).allSatisfy(s -> assertThat(s.frames).containsExactly("{\"type\":\"message.new\"}"));
        assertThat(direct.underlying.get(0).refCnt()).as("the shared buffer is released once all sent").isZero();
    }

    @Test
    void aFanOutFromTheWritersOwnThreadWritesAtOnce() {
        QueueingWriter loop = new QueueingWriter();
        WriterSession s = new WriterSession("s", "sam", loop);
        loop.running = true;

        ChannelHub.sendAll(List.of(s), Json.object().put("type", "x"));

        assertThat(loop.tasks).isEmpty();
        assertThat(s.frames).hasSize(1);
    }

    @Test
    void watcherCountCountsUsersAndOnlyTheLastConnectionOfAUserStopsWatching() {
        ChannelHub hub = new ChannelHub();
        FakeSession a1 = new FakeSession("a1", "ann");
        FakeSession a2 = new FakeSession("a2", "ann");
        FakeSession b1 = new FakeSession("b1", "bob");

        assertThat(hub.watch(a1, "m:x")).isTrue();
        assertThat(hub.watch(a2, "m:x")).isFalse();
        assertThat(hub.watch(b1, "m:x")).isTrue();
        assertThat(hub.watcherCount("m:x")).isEqualTo(2);
        assertThat(hub.unwatchAll(a1)).isEmpty();
        assertThat(hub.unwatchAll(a2)).containsExactly("m:x");
        assertThat(hub.watcherCount("m:x")).isEqualTo(1);
    }

    @Test
    void variantsAreBuiltAndEncodedOncePerKeyAndSharedByItsConnections() {
        ChannelHub hub = new ChannelHub();
        List<FakeSession> sessions = List.of(new FakeSession("a1", "ann"), new FakeSession("a2", "ann"),
                new FakeSession("b1", "bob"), new FakeSession("c1", "cat"));
        sessions.forEach(s -> hub.watch(s, "m:x"));
        AtomicInteger builds = new AtomicInteger();

        hub.publishVariants("m:x", user -> user.equals("cat") ? 1 : 0, key -> {
            builds.incrementAndGet();
            ObjectNode e = Json.object().put("type", "message.new").put("unread_count", key);
            return e;
        });

        assertThat(builds.get()).isEqualTo(2);
        assertThat(sessions.get(0).frames.getFirst()).contains("\"unread_count\":0");
        assertThat(sessions.get(3).frames.getFirst()).contains("\"unread_count\":1");
        assertThat(sessions.get(0).underlying.getFirst()).isSameAs(sessions.get(2).underlying.getFirst());
        assertThat(sessions.get(0).underlying.getFirst().refCnt()).isZero();
    }

    @Test
    void publishExceptLeavesOutEveryConnectionOfTheActor() {
        ChannelHub hub = new ChannelHub();
        FakeSession a1 = new FakeSession("a1", "ann");
        FakeSession b1 = new FakeSession("b1", "bob");
        hub.watch(a1, "m:x");
        hub.watch(b1, "m:x");

        hub.publishExcept("m:x", "ann", Json.object().put("type", "user.watching.start"));

        assertThat(a1.frames).isEmpty();
        assertThat(b1.frames).hasSize(1);
    }
}
