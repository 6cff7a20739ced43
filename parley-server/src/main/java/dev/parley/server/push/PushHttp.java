package dev.parley.server.push;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The push providers' HTTP client (PROTOCOL.md §16.3): the JDK's, HTTP/2 over TLS (APNs speaks nothing else;
 * Firebase takes it too), one connection per endpoint with its streams multiplexed. It trusts the JDK's
 * certificates, and those of {@code --push-ca-file} when set. Answers are read whole but bounded.
 */
final class PushHttp implements AutoCloseable {
    /** Most bytes of an answer kept. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** A provider's answer. */
    record Answer(int status, Map<String, java.util.List<String>> headers, String body) {
        @Nullable
        String header(String name) {
            java.util.List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }
    }

    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-push-http-", 0).factory());
    private final @Nullable SSLContext ssl;
    /** Made on the first request, so that a node without push providers runs no client (nor its thread). */
    private volatile @Nullable HttpClient client;

    private boolean closed;

    PushHttp(@Nullable Path caFile) {
        this.ssl = caFile == null ? null : trusting(caFile);
    }

    private synchronized HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            if (closed) {
                throw new IllegalStateException("the node is stopping");
            }
            HttpClient.Builder b = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(executor);
            if (ssl != null) {
                b.sslContext(ssl);
            }
            c = b.build();
            client = c;
        }
        return c;
    }

    /** A POST of {@code body} with {@code headers}, answered within {@code timeout}. */
    CompletableFuture<Answer> post(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpRequest.Builder r =
                HttpRequest.newBuilder(url).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(r::header);
        HttpClient c = client;
        if (c == null) {
            try {
                c = client();
            } catch (IllegalStateException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return c.sendAsync(r.build(), HttpResponse.BodyHandlers.ofInputStream()).thenApply(res -> {
            try (InputStream in = res.body()) {
                byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES);
                return new Answer(res.statusCode(), res.headers().map(), new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The JDK's trusted certificates and those of a PEM file. */
    private static SSLContext trusting(Path caFile) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int i = 0;
            for (javax.net.ssl.TrustManager tm : jdk.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("jdk-" + i++, c);
                    }
                }
            }
            try (InputStream in = Files.newInputStream(caFile)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("push-ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--push-ca-file " + caFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        HttpClient c;
        synchronized (this) {
            closed = true;
            c = client;
        }
        if (c != null) {
            c.shutdownNow();
        }
        executor.shutdownNow();
    }
}
