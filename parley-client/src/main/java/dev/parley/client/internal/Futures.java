package dev.parley.client.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Future helpers on the API Android 8 (API 26) offers: {@code CompletableFuture.failedFuture},
 * {@code orTimeout} and {@code exceptionallyCompose} came with later Java versions. The timeout runs on
 * the client's own scheduler thread, so no JDK-wide timer thread is left behind when the client closes.
 */
public final class Futures {
    private Futures() {}

    /** A future already failed with {@code error}. */
    public static <T> CompletableFuture<T> failed(Throwable error) {
        CompletableFuture<T> f = new CompletableFuture<>();
        f.completeExceptionally(error);
        return f;
    }

    /**
     * A future completed as {@code source}, or failed with a {@link TimeoutException} when {@code source}
     * is not done after {@code timeout} (measured on {@code scheduler}).
     */
    public static <T> CompletableFuture<T> within(CompletableFuture<T> source, Duration timeout, Scheduler scheduler) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Scheduler.Cancellable timer = scheduler.schedule(
                () -> out.completeExceptionally(new TimeoutException("not done within " + timeout.toMillis() + " ms")),
                timeout);
        source.whenComplete((r, e) -> {
            timer.cancel();
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        });
        return out;
    }

    /**
     * On failure of {@code source}, the future {@code recovery} returns for the cause (unwrapped from a
     * {@link CompletionException}); otherwise {@code source}'s value.
     */
    public static <T> CompletableFuture<T> recoverWith(
            CompletableFuture<T> source, Function<Throwable, CompletableFuture<T>> recovery) {
        return source.handle((r, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(r);
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    return recovery.apply(cause);
                })
                .thenCompose(Function.identity());
    }
}
