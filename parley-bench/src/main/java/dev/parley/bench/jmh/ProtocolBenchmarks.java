package dev.parley.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.protocol.User;
import dev.parley.server.events.Events;
import dev.parley.server.users.UserRules;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-connect CPU work outside the network: token check, user merge, encoding of events. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ProtocolBenchmarks {
    private static final String SECRET = "bench-secret-0123456789abcdef0123456789abcdef";

    private String token;
    private Instant now;
    private User stored;
    private ObjectNode details;
    private ObjectNode healthCheck;
    private ObjectNode presence;

    @Setup
    @SuppressWarnings("NullAway") // UserRules.mergeConnect takes null for a new user; not annotated yet
    public void setup() {
        now = Instant.now();
        token = Jwt.userToken(SECRET, "maria", null, now.minusSeconds(5));
        details = Json.parseObject(
                "{\"id\":\"maria\",\"name\":\"Maria Lopez\",\"image\":\"https://cdn.example/m.png\","
                        + "\"team_color\":\"blue\"}",
                "details");
        stored = UserRules.mergeConnect(null, "maria", details, now);
        healthCheck = Events.healthCheck("8a1d0c62-0b2e-4c39-8f0e-5f3a9d2c7b10", Events.me(stored), now);
        presence = Events.userEvent("user.presence.changed", stored, now);
    }

    /** HS256 check of a user token, as on every socket handshake and REST call. */
    @Benchmark
    public Object jwtVerify() {
        return Jwt.verify(token, SECRET, now, false);
    }

    /** The connect merge of {@code user_details} into a stored user that did not change. */
    @Benchmark
    public User mergeConnectUnchanged() {
        return UserRules.mergeConnect(stored, "maria", details, now);
    }

    /** The connect merge for a new user. */
    @Benchmark
    @SuppressWarnings("NullAway") // as in setup()
    public User mergeConnectNewUser() {
        return UserRules.mergeConnect(null, "maria", details, now);
    }

    /** Building and encoding the first frame ({@code health.check} with {@code me}). */
    @Benchmark
    public byte[] encodeHealthCheckWithMe() {
        return Json.writeBytes(Events.healthCheck("8a1d0c62-0b2e-4c39-8f0e-5f3a9d2c7b10", Events.me(stored), now));
    }

    /** Encoding an already-built first frame. */
    @Benchmark
    public byte[] encodeHealthCheckOnly() {
        return Json.writeBytes(healthCheck);
    }

    /** Encoding a presence event, done once per fan-out. */
    @Benchmark
    public byte[] encodePresenceEvent() {
        return Json.writeBytes(presence);
    }
}
