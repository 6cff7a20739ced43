package dev.parley.bench.load;

import java.util.Locale;

/** The workloads of issue 6. */
public enum Workload {
    /**
     * N users connected and heart-beating, each watching a messaging channel of its own (unless {@code
     * --no-watch}), doing nothing else.
     */
    W1("idle"),
    /** New users connecting as fast as the target rate allows, each closing once answered. */
    W2("connect storm"),
    /** One channel watched by every user; messages at a fixed rate. */
    W3("one big channel"),
    /** Many small channels; every user watches one; messages spread over all channels. */
    W4("many small channels"),
    /**
     * Slow consumers: a fraction of the users stop reading and flood heartbeats, whose answers pile up on
     * the server; the others keep measuring their heartbeat round trip. (W3 with {@code --slow} is the
     * message variant, once channels exist.)
     */
    W5("slow consumers");

    public final String title;

    Workload(String title) {
        this.title = title;
    }

    /** Whether the workload needs channels and messages (the chat core). */
    public boolean needsChannels() {
        return this == W3 || this == W4;
    }

    public static Workload parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("workload: " + s + " (expected: w1, w2, w3, w4 or w5)");
        }
    }
}
