package dev.parley.server.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.store.ChatRows.ChannelRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pacing of watching events in large channels, with a hand-driven clock and scheduler. No threads. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WatchingEventsTest {
    private static final long SECOND = WatchingEvents.INTERVAL_NANOS;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final List<String> sent = new ArrayList<>();
    private final List<long[]> due = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();
    private long now = 1_000 * SECOND;
    private final WatchingEvents events = pacer(sent, WatchingEvents.Gate.OPEN);

    /** A pacer on this test's clock and scheduler, recording what it sends in {@code into}. */
    private WatchingEvents pacer(List<String> into, WatchingEvents.Gate gate) {
        return new WatchingEvents(
                (kind, user, ch) -> into.add(kind + " " + user),
                gate,
                (nanos, task) -> {
                    due.add(new long[] {now + nanos});
                    tasks.add(task);
                },
                () -> now);
    }

    private static ChannelRow channel() {
        return new ChannelRow(
                "livestream:big",
                "livestream",
                "big",
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
                Json.object());
    }

    /** Advances the clock and runs the tasks that fall due, in order. */
    private void advance(long nanos) {
        now += nanos;
        for (int i = 0; i < tasks.size(); i++) {
            if (due.get(i)[0] <= now) {
                Runnable t = tasks.get(i);
                tasks.set(i, () -> {});
                due.get(i)[0] = Long.MAX_VALUE;
                t.run();
            }
        }
    }

    @Test
    void smallChannelGetsEveryEventAtOnce() {
        for (int i = 0; i < 5; i++) {
            events.changed("user.watching.start", "u" + i, channel(), i + 1);
        }

        assertThat(sent).hasSize(5);
        assertThat(tasks).isEmpty();
    }

    @Test
    void largeChannelSendsOneEventPerSecondAndTheLastOneAtTheEndOfTheSecond() {
        int watchers = WatchingEvents.LARGE;
        for (int i = 0; i < 1_000; i++) {
            events.changed("user.watching.start", "u" + i, channel(), ++watchers);
        }
        assertThat(sent).containsExactly("user.watching.start u0");

        advance(SECOND);
        assertThat(sent).containsExactly("user.watching.start u0", "user.watching.start u999");

        advance(SECOND);
        assertThat(sent).hasSize(2);
        assertThat(events.open()).isZero();
    }

    @Test
    void largeChannelAfterAQuietSecondSendsAtOnceAgain() {
        events.changed("user.watching.start", "a", channel(), 500);
        advance(3 * SECOND);
        events.changed("user.watching.stop", "b", channel(), 499);

        assertThat(sent).containsExactly("user.watching.start a", "user.watching.stop b");
    }

    @Test
    void nodesOfAClusterSharingTheGateSendOneEventPerIntervalBetweenThem() {
        // A second node's pacer on the same clock and scheduler; the gate hands each interval to one of them.
        long[] heldUntil = {Long.MIN_VALUE};
        WatchingEvents.Gate gate = (cid, interval) -> {
            if (now >= heldUntil[0]) {
                heldUntil[0] = now + interval;
                return 0;
            }
            return heldUntil[0] - now;
        };
        List<String> sentB = new ArrayList<>();
        WatchingEvents a = pacer(sent, gate);
        WatchingEvents b = pacer(sentB, gate);

        int watchers = WatchingEvents.LARGE;
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 100; i++) {
                a.changed("user.watching.start", "a" + second + "-" + i, channel(), ++watchers);
                b.changed("user.watching.start", "b" + second + "-" + i, channel(), ++watchers);
                advance(SECOND / 100);
            }
        }
        int during = sent.size() + sentB.size();
        for (int i = 0; i < 50; i++) {
            advance(SECOND / 10);
        }

        assertThat(during).as("events in 5 s of joins on both nodes").isBetween(5, 6);
        assertThat(sent).as("node a's last change is sent in the end").contains("user.watching.start a4-99");
        assertThat(sentB).as("node b's last change is sent in the end").contains("user.watching.start b4-99");
        assertThat(a.open()).isZero();
        assertThat(b.open()).isZero();
    }

    @Test
    void aVeryLargeChannelsIntervalGrowsWithItsWatchersSoItsEventsCostAtMostTenThousandFramesASecond() {
        int watchers = 50_000; // an interval of 5 s
        for (int i = 0; i < 100; i++) {
            events.changed("user.watching.start", "u" + i, channel(), ++watchers);
            advance(SECOND / 10); // 10 s of joins in all
        }
        for (int i = 0; i < 100; i++) {
            advance(SECOND / 10);
        }

        assertThat(sent)
                .as("10 s of joins in a channel of 50,000: at once, after about 5 s, and the last after about 10 s")
                .hasSize(3)
                .startsWith("user.watching.start u0")
                .endsWith("user.watching.start u99");
        assertThat(WatchingEvents.intervalFor(95_000)).isEqualTo(95 * SECOND / 10);
        assertThat(WatchingEvents.intervalFor(2_000)).isEqualTo(SECOND);
        assertThat(events.open()).isZero();
    }
}
