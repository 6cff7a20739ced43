package dev.parley.server.hooks;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How hooks post (PROTOCOL.md §15): one HTTP/1.1 POST of a JSON body, answered with its status and at most
 * {@code maxAnswerBytes} of its body within {@code timeout} (from the request to the whole answer), or failed.
 * Redirects are not followed. The node's transport supplies a client on its own event loops
 * ({@code transport.HookClient}); until then, and where no transport runs, the JDK's client is used.
 */
public interface HookHttp extends AutoCloseable {
    /** An answer: its status and its body (at most the bytes asked for). */
    record Answer(int status, byte[] body) {}

    /** Thrown (as the future's cause) when the answer's body is longer than asked for. */
    final class TooLong extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        public TooLong(int max) {
            super("answer longer than " + max + " bytes");
        }
    }

    /** Thrown (as the future's cause) when no whole answer came within the time limit. */
    final class TimedOut extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        public TimedOut(Duration limit) {
            super("no answer within " + limit.toMillis() + " ms");
        }
    }

    CompletableFuture<Answer> post(
            URI url, Map<String, String> headers, byte[] body, Duration timeout, int maxAnswerBytes);

    @Override
    void close();
}
