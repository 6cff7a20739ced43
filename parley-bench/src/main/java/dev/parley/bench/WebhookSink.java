package dev.parley.bench;

import com.sun.net.httpserver.HttpServer;
import dev.parley.protocol.Jwt;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver that answers every request 200 at once and counts them, for {@code --webhook}: Parley's
 * W4 with its webhook on. It runs in the bench's own process, so that its CPU is not counted as the server's.
 */
final class WebhookSink implements AutoCloseable {
    private final HttpServer server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong messageNew = new AtomicLong();

    private WebhookSink(HttpServer server) {
        this.server = server;
    }

    static WebhookSink start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        WebhookSink sink = new WebhookSink(s);
        s.createContext("/", ex -> {
            try (ex;
                    InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                sink.requests.incrementAndGet();
                if (new String(body, 0, Math.min(body.length, 40), java.nio.charset.StandardCharsets.UTF_8)
                        .contains("message.new")) {
                    sink.messageNew.incrementAndGet();
                }
                ex.sendResponseHeaders(200, -1);
            }
        });
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return sink;
    }

    /** Points the server's {@code webhook_url} at this sink with {@code PATCH /app}. */
    void configure(int port, String apiKey, String secret) throws IOException, InterruptedException {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app?api_key=" + apiKey))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", Jwt.serverToken(secret))
                            .header("stream-auth-type", "jwt")
                            .header("Content-Type", "application/json")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"webhook_url\":\"" + url + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("PATCH /app webhook_url: " + r.statusCode() + " " + r.body());
            }
        }
    }

    long requests() {
        return requests.get();
    }

    long messageNew() {
        return messageNew.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
