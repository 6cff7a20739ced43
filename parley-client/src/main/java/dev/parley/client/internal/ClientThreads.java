package dev.parley.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names every thread the SDK starts {@code parley-client-<instance>-<role>[-<n>]}, so that tests and
 * thread dumps can tell them apart. All are daemon threads: a forgotten client never keeps the JVM
 * alive (the leak detector reports it instead).
 */
public final class ClientThreads {
    /** The prefix of every SDK thread name. */
    public static final String PREFIX = "parley-client-";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private ClientThreads() {}

    /** A new instance number, used once per {@code ChatClient}. */
    public static int nextInstance() {
        return INSTANCES.incrementAndGet();
    }

    /** Daemon threads named {@code name}, then {@code name-2}, {@code name-3}... */
    public static ThreadFactory factory(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(r, n == 1 ? name : name + "-" + n);
            t.setDaemon(true);
            return t;
        };
    }
}
