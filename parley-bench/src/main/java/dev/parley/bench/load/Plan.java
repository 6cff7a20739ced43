package dev.parley.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * What one worker does: users {@code [from, to)} of a run, paced at {@code rate} connects per second
 * (0: as fast as {@code inflight} allows), watching channels when the workload has them.
 *
 * @param prefix makes user ids unique per run: {@code <prefix>-<i>}
 * @param groupSize users per channel for W4 (W3 and W5: everyone in one channel)
 * @param slowFraction share of users that stop reading once connected (W5)
 * @param seconds how long the measured phase lasts
 * @param floodRate heartbeats a second each slow user sends in W5
 * @param warmupSeconds W2: a storm of other new users before the measured one, so that the JIT has
 *     compiled the connect path before the server's CPU time is sampled. W3 and W4 warm up too, but the
 *     coordinator does it (warm-up messages that readers ignore): a worker has nothing to do for it
 * @param watch W1: each user watches a {@code messaging} channel of its own ({@code <prefix>-u<i>}, the
 *     user its only member), as an idle user of a chat app does; other workloads ignore it
 */
public record Plan(
        Workload workload,
        String prefix,
        int from,
        int to,
        int rate,
        int inflight,
        int groupSize,
        double slowFraction,
        int seconds,
        int floodRate,
        int warmupSeconds,
        boolean watch) {

    /** A plan without warm-up, and a W1 without watched channels. */
    public Plan(
            Workload workload,
            String prefix,
            int from,
            int to,
            int rate,
            int inflight,
            int groupSize,
            double slowFraction,
            int seconds,
            int floodRate) {
        this(workload, prefix, from, to, rate, inflight, groupSize, slowFraction, seconds, floodRate, 0, false);
    }

    public Plan {
        if (to < from) {
            throw new IllegalArgumentException("users: " + from + ".." + to + " (expected: from <= to)");
        }
        if (seconds <= 0 || seconds > 600) {
            throw new IllegalArgumentException("seconds: " + seconds + " (expected: 1..600)");
        }
        if (inflight <= 0) {
            throw new IllegalArgumentException("inflight: " + inflight + " (expected: > 0)");
        }
    }

    public String userId(int i) {
        return prefix + "-" + i;
    }

    /** Whether the users watch channels in {@code setup}: W3 and W4, and W1 with {@link #watch}. */
    public boolean watches() {
        return workload.needsChannels() || (workload == Workload.W1 && watch);
    }

    /** Channel type and id user {@code i} watches. */
    public String[] channelOf(int i) {
        if (workload == Workload.W4) {
            return new String[] {"messaging", prefix + "-g" + (i / groupSize)};
        }
        if (workload == Workload.W1 && watch) {
            return new String[] {"messaging", prefix + "-u" + i};
        }
        return new String[] {"livestream", prefix + "-big"};
    }

    /** The members of the channel user {@code i} watches, given when watching creates it; empty for livestream. */
    public List<String> membersOf(int i) {
        List<String> m = new ArrayList<>();
        if (workload == Workload.W4) {
            int g = i / groupSize;
            for (int j = g * groupSize; j < (g + 1) * groupSize; j++) {
                m.add(userId(j));
            }
        } else if (workload == Workload.W1 && watch) {
            m.add(userId(i));
        }
        return m;
    }

    /** Whether user {@code i} is one of the slow readers: every (1/fraction)th user. */
    public boolean slow(int i) {
        if (slowFraction <= 0) {
            return false;
        }
        int every = (int) Math.round(1 / slowFraction);
        return i % every == every - 1;
    }
}
