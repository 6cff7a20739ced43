package dev.parley.server.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * {@link HookHttp} on the JDK's HTTP client, made on first use (a node without hooks runs no client thread).
 * Thread-safe.
 */
final class JdkHookHttp implements HookHttp {
    private @Nullable HttpClient client;
    private boolean closed;

    private synchronized HttpClient client() {
        if (closed) {
            throw new IllegalStateException("the node is stopping");
        }
        HttpClient c = client;
        if (c == null) {
            c = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Executors.newThreadPerTaskExecutor(
                            Thread.ofVirtual().name("parley-hook-http-", 0).factory()))
                    .build();
            client = c;
        }
        return c;
    }

    @Override
    public CompletableFuture<Answer> post(
            URI url, Map<String, String> headers, byte[] body, Duration timeout, int maxAnswerBytes) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(url).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        CompletableFuture<HttpResponse<InputStream>> sent;
        try {
            sent = client().sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IllegalStateException stopping) {
            return CompletableFuture.failedFuture(stopping);
        }
        AtomicReference<@Nullable InputStream> stream = new AtomicReference<>();
        CompletableFuture<Answer> answered = sent.thenApply(r -> {
            stream.set(r.body());
            try (InputStream in = r.body()) {
                byte[] bytes = in.readNBytes(maxAnswerBytes + 1);
                if (bytes.length > maxAnswerBytes) {
                    throw new CompletionException(new TooLong(maxAnswerBytes));
                }
                return new Answer(r.statusCode(), bytes);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        return answered.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((a, e) -> {
            if (e == null) {
                return a;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof HttpTimeoutException) {
                sent.cancel(true);
                InputStream in = stream.get();
                if (in != null) {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // abandoned anyway
                    }
                }
                throw new CompletionException(new TimedOut(timeout));
            }
            throw new CompletionException(cause);
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
