package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action when a watched object becomes unreachable without having been released, as
 * {@link java.lang.ref.Cleaner} does, but with a thread that lives only while something is watched.
 *
 * <p>A JDK {@code Cleaner} keeps its thread until the cleaner itself is collected, so a static one outlives
 * every client and, in a servlet container, pins the app's class loader across redeploys. Here the thread
 * ({@code parley-client-cleaner}) starts with the first {@link #watch} and ends when the last watched object
 * is released or collected; the next {@code watch} starts a new one. Thread-safe.
 */
public final class LeakWatcher {
    /** The name of the watcher's thread. */
    public static final String THREAD_NAME = ClientThreads.PREFIX + "cleaner";

    private static final Logger LOG = LoggerFactory.getLogger(LeakWatcher.class);
    private static final Object LOCK = new Object();
    private static final Set<Watch> WATCHED = new HashSet<>();
    private static @Nullable ReferenceQueue<Object> queue;
    private static @Nullable Thread thread;

    private LeakWatcher() {}

    /**
     * Watches {@code owner}: when it becomes unreachable before {@link Watch#release()} was called,
     * {@code onLeak} runs once on the watcher's thread. {@code onLeak} must not refer to {@code owner}.
     */
    public static Watch watch(Object owner, Runnable onLeak) {
        requireNonNull(owner, "owner");
        requireNonNull(onLeak, "onLeak");
        synchronized (LOCK) {
            ReferenceQueue<Object> q = queue;
            if (q == null) {
                ReferenceQueue<Object> generation = new ReferenceQueue<>();
                Thread t = ClientThreads.factory(THREAD_NAME).newThread(() -> drain(generation));
                queue = generation;
                thread = t;
                t.start();
                q = generation;
            }
            Watch w = new Watch(owner, q, onLeak);
            WATCHED.add(w);
            return w;
        }
    }

    /**
     * Runs until its generation ends: when the last watch of the generation is gone, {@link #queue} moves
     * on (to null) and this thread is interrupted, or, when the last one was a leak found here, returns
     * after running its action.
     */
    private static void drain(ReferenceQueue<Object> q) {
        try {
            while (true) {
                Reference<?> r = q.remove();
                if (r instanceof Watch w && w.forget()) {
                    try {
                        w.onLeak.run();
                    } catch (RuntimeException e) {
                        LOG.warn("leak action failed", e);
                    }
                }
                synchronized (LOCK) {
                    if (queue != q) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // stopped: nothing is watched any more
        }
    }

    /** Ends the generation when nothing is watched. Called with {@link #LOCK} held. */
    private static void stopIfIdle() {
        if (WATCHED.isEmpty() && thread != null) {
            if (thread != Thread.currentThread()) {
                thread.interrupt();
            }
            thread = null;
            queue = null;
        }
    }

    /** One watched object. */
    public static final class Watch extends PhantomReference<Object> {
        private final Runnable onLeak;

        private Watch(Object owner, ReferenceQueue<Object> q, Runnable onLeak) {
            super(owner, q);
            this.onLeak = onLeak;
        }

        /** Stops watching without running the action; the last release stops the thread. Idempotent. */
        public void release() {
            forget();
            clear();
        }

        /** True when this call removed the watch (so its action may run once). */
        private boolean forget() {
            synchronized (LOCK) {
                boolean removed = WATCHED.remove(this);
                stopIfIdle();
                return removed;
            }
        }
    }
}
