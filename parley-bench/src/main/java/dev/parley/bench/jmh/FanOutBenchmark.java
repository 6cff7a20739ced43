package dev.parley.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.User;
import dev.parley.server.Events;
import dev.parley.server.Session;
import dev.parley.server.channels.ChannelHub;
import dev.parley.server.presence.PresenceHub;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
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
 * Hub fan-out: one event published to N sessions through {@link PresenceHub#publish} and through the
 * chat core's {@link ChannelHub} (the same event for all, or one variant per user). Sessions only
 * release the frame, so this is the hub's own cost: encodes, then a retained duplicate per session.
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

    private PresenceHub hub;
    private ChannelHub channels;
    private ObjectNode event;

    @Setup
    public void setup() {
        hub = new PresenceHub();
        channels = new ChannelHub();
        for (int i = 0; i < sessions; i++) {
            NullSession s = new NullSession("c" + i);
            hub.subscribe(s, List.of("maria"));
            channels.watch(s, "livestream:big");
        }
        Instant now = Instant.now();
        event = Events.userEvent("user.presence.changed", User.builder("maria").createdAt(now).updatedAt(now)
                .lastActive(now).online(true).build(), now);
    }

    @Benchmark
    public void presencePublish() {
        hub.publish("maria", event, List.of());
    }

    @Benchmark
    public void channelPublish() {
        channels.publish("livestream:big", event);
    }

    /** One encode per watching user, as for events whose fields differ per recipient. */
    @Benchmark
    public void channelPublishPerUser() {
        channels.publishVariants("livestream:big", user -> user, user -> event);
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
