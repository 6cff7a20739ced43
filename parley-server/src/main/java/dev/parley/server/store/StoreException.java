package dev.parley.server.store;

/**
 * A storage failure: the database is unreachable, a statement failed, or a migration could not run.
 *
 * <p>Unchecked, like every exception of the server module. The message is for operators and logs, never
 * for clients: the API layer reports it as an internal error.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
