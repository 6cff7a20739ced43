package dev.parley.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.events.Audience;
import dev.parley.server.events.Broker;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.Events;
import dev.parley.server.events.Frames;
import dev.parley.server.events.LocalBroker;
import dev.parley.server.events.PresenceHub;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fan-out on one node: one event encoded and handed to the {@link LocalBroker} for N sessions, as the
 * subscribers of a user's presence ({@link PresenceHub}) and as the watchers of a channel ({@link
 * ChannelHub}): the same frame for all, or one encode per user. Sessions only release the frame, so this is
 * the encode and the broker's own cost: a retained duplicate per session.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FanOutBenchmark {
    @Param({"1000", "19000"})
    public int sessions;

    private ChannelHub channels;
    private LocalBroker broker;
    private ObjectNode event;

    @Setup
    public void setup() {
        PresenceHub presence = new PresenceHub();
        channels = new ChannelHub();
        broker = new LocalBroker(channels, presence, new ConnectionRegistry(Clock.systemUTC()));
        for (int i = 0; i < sessions; i++) {
            NullSession s = new NullSession("c" + i);
            presence.subscribe(s, List.of("maria"));
            channels.watch(s, "livestream:big");
        }
        Instant now = Instant.now();
        event = Events.userEvent(
                "user.presence.changed",
                User.builder("maria")
                        .createdAt(now)
                        .updatedAt(now)
                        .lastActive(now)
                        .online(true)
                        .build(),
                now);
    }

    @Benchmark
    public void presencePublish() {
        publish(new Audience.PresenceOf("maria", false), new Frames(frame(), Map.of()));
    }

    @Benchmark
    public void channelPublish() {
        publish(Audience.watchers("livestream:big"), new Frames(frame(), Map.of()));
    }

    /** One encode per watching user, as for events whose fields differ per recipient. */
    @Benchmark
    public void channelPublishPerUser() {
        Map<String, ByteBuf> byUser = new HashMap<>();
        for (String user : channels.watchingUsers("livestream:big")) {
            byUser.put(user, frame());
        }
        publish(Audience.watchers("livestream:big"), new Frames(frame(), byUser));
    }

    private void publish(Audience audience, Frames frames) {
        broker.publish(new Broker.Delivery("user.presence.changed", audience, frames));
    }

    private ByteBuf frame() {
        return Unpooled.wrappedBuffer(Json.writeBytes(event));
    }

    /** A session that drops what it is sent. */
    record NullSession(String connectionId) implements Session {
        @Override
        public String userId() {
            return "u-" + connectionId;
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
            frame.release();
        }

        @Override
        public void close(int code, String reason) {}
    }
}
