package dev.parley.client;

/**
 * Thrown, or used to fail a future, when an operation needs the user session that
 * {@link ChatClient#disconnectUser()} or {@link ChatClient#close()} has ended.
 */
public final class DisconnectedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DisconnectedException(String message) {
        super(message);
    }
}
