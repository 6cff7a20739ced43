package dev.parley.client;

/**
 * A registered event listener. {@link #close()} removes it; closing twice is harmless. Listeners are
 * also dropped when the {@link ChatClient} is closed.
 */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
