package dev.parley.server.store;

import java.util.function.Consumer;

/**
 * What a node keeps of the store in memory, seen from the other nodes of a cluster (docs/PROTOCOL.md §8.5).
 * Each local write that drops cached values reports them to the sink as a short message; the other nodes
 * apply it with {@link #drop}, so that a value cached on any node is dropped once the write that changed it
 * has committed and its message has crossed the broker. Thread-safe.
 */
public interface StoreCaches {
    /** A store that keeps nothing in memory. */
    StoreCaches NONE = new StoreCaches() {
        @Override
        public void onDrop(Consumer<String> sink) {}

        @Override
        public void drop(String message) {}

        @Override
        public void dropAll() {}
    };

    /** Receives, after each local write's commit, the message naming what it dropped; one sink at a time. */
    void onDrop(Consumer<String> sink);

    /** Applies a message another node's {@link #onDrop} sink received; an unknown one drops everything. */
    void drop(String message);

    /** Drops everything kept: after the messages of other nodes may have been lost (the broker was away). */
    void dropAll();
}
