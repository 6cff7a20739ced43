package dev.parley.bench.load;

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
 *     compiled the connect path before the server's CPU time is sampled
 */
public record Plan(Workload workload, String prefix, int from, int to, int rate, int inflight, int groupSize,
        double slowFraction, int seconds, int floodRate, int warmupSeconds) {

    /** A plan without warm-up. */
    public Plan(Workload workload, String prefix, int from, int to, int rate, int inflight, int groupSize,
            double slowFraction, int seconds, int floodRate) {
        this(workload, prefix, from, to, rate, inflight, groupSize, slowFraction, seconds, floodRate, 0);
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

    /** Channel type and id user {@code i} watches. */
    public String[] channelOf(int i) {
        return workload == Workload.W4
                ? new String[] {"messaging", prefix + "-g" + (i / groupSize)}
                : new String[] {"livestream", prefix + "-big"};
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
