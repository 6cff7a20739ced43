package dev.parley.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every transport promises, against a real HTTP server on a free port: the status and body of any
 * response, redirects not followed, an empty body for a POST without one, and requests and WebSocket
 * handshakes that fail after their timeout.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jdk", "okhttp"})
class TransportTest {
    private static final Duration SHORT = Duration.ofMillis(500);

    @Parameter
    String transportName;

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer http;
    private ExecutorService io;
    private ScheduledExecutorService timer;
    private Transport transport;
    private String base;

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newCachedThreadPool());
        http.createContext("/echo", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String answer = ex.getRequestMethod() + " " + in.length + " "
                    + ex.getRequestHeaders().getFirst("X-Test");
            respond(ex, 201, answer);
        });
        http.createContext("/moved", ex -> {
            ex.getResponseHeaders().add("Location", "/echo");
            respond(ex, 302, "");
        });
        http.createContext("/silent", ex -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort();
        io = Executors.newCachedThreadPool();
        timer = Executors.newSingleThreadScheduledExecutor();
        Transport.Settings settings = new Transport.Settings(SHORT, Duration.ofSeconds(1), io, timer);
        transport =
                (transportName.equals("okhttp") ? OkHttpTransport.factory() : JdkTransport.factory()).create(settings);
    }

    @AfterEach
    void stop() {
        release.countDown();
        transport.close();
        http.stop(0);
        io.shutdownNow();
        timer.shutdownNow();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Transport.Request request(String method, String path, byte[] body, Duration timeout) {
        return new Transport.Request(method, URI.create(base + path), Map.of("X-Test", "yes"), body, timeout);
    }

    @Test
    void aRequestGetsTheStatusAndBodyWithItsHeadersAndBodySent() {
        Transport.Response r = transport
                .send(request("PUT", "/echo", "abc".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)))
                .join();
        assertThat(r.status()).isEqualTo(201);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("PUT 3 yes");
    }

    @Test
    void aPostWithoutABodySendsAnEmptyOneAndADeleteNone() {
        Transport.Response post = transport
                .send(request("POST", "/echo", null, Duration.ofSeconds(5)))
                .join();
        Transport.Response delete = transport
                .send(request("DELETE", "/echo", null, Duration.ofSeconds(5)))
                .join();
        assertThat(new String(post.body(), StandardCharsets.UTF_8)).isEqualTo("POST 0 yes");
        assertThat(new String(delete.body(), StandardCharsets.UTF_8)).isEqualTo("DELETE 0 yes");
    }

    @Test
    void aRedirectIsReturnedNotFollowed() {
        Transport.Response r = transport
                .send(request("GET", "/moved", null, Duration.ofSeconds(5)))
                .join();
        assertThat(r.status()).isEqualTo(302);
    }

    @Test
    void aRequestFailsAfterItsTimeout() {
        long start = System.nanoTime();
        CompletableFuture<Transport.Response> f = transport.send(request("GET", "/silent", null, SHORT));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWebSocketHandshakeWithoutAnswerFailsAfterTheTimeout() {
        long start = System.nanoTime();
        CompletableFuture<Socket> f =
                transport.openSocket(URI.create(base.replace("http:", "ws:") + "/silent"), new Socket.Handler() {
                    @Override
                    public void onText(String text) {}

                    @Override
                    public void onClosed(int code, String reason) {}

                    @Override
                    public void onError(Throwable error) {}
                });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void onAJvmTheDefaultIsJavaNetHttp() {
        Transport t = Transport.automatic().create(new Transport.Settings(SHORT, Duration.ofSeconds(1), io, timer));
        try {
            assertThat(t).isInstanceOf(JdkTransport.class);
        } finally {
            t.close();
        }
    }
}
