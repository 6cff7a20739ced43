package dev.parley.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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

        @Override
        public String connectionId() {
            return id;
        }

        @Override
        public String userId() {
            return user;
        }

        @Override
        public Instant connectedAt() {
            return Instant.EPOCH;
        }

        @Override
        public String client() {
            return "";
        }

        @Override
        public String remoteAddress() {
            return "";
        }

        @Override
        public String userAgent() {
            return "";
        }

        @Override
        public void send(ByteBuf frame) {
            frames.add(frame.toString(StandardCharsets.UTF_8));
            underlying.add(frame.unwrap());
            frame.release();
        }

        @Override
        public void close(int code, String reason) {}
    }

    /** A {@link FakeSession} written by an executor that queues tasks until {@link QueueingWriter#runAll}. */
    static final class WriterSession extends FakeSession {
        final QueueingWriter writer;

        WriterSession(String id, String user, QueueingWriter writer) {
            super(id, user);
            this.writer = writer;
        }

        @Override
        public Executor writer() {
            return writer;
        }

        @Override
        public boolean onWriter() {
            return writer.running;
        }
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

        assertThat(new LocalBroker(hub, new PresenceHub(), new ConnectionRegistry(Clock.systemUTC()))
                        .recipients(Audience.watchers("m:big")))
                .hasSize(3 * CompactSets.SMALL);

        for (FakeSession s : sessions.subList(0, 2 * CompactSets.SMALL)) {
            hub.unwatchAll(s);
        }
        assertThat(hub.watcherCount("m:big")).isEqualTo(CompactSets.SMALL);
        assertThat(hub.watchCount(sessions.get(0))).isZero();
        assertThat(hub.watchCount(sessions.getLast())).isEqualTo(2);
        assertThat(hub.isWatching(sessions.getLast(), "m:own-" + (sessions.size() - 1)))
                .isTrue();
        hub.dropChannel("m:big");
        assertThat(hub.watchCount(sessions.getLast())).isEqualTo(1);
        assertThat(hub.watcherCount("m:big")).isZero();
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
}
