package dev.parley.server.links;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Web pages on 127.0.0.1 for link preview tests: the JDK's HTTP server on a free port, each path answered by a
 * handler, with the hits and {@code Host} headers it saw. Close it to stop it.
 */
final class PageServer implements AutoCloseable {
    /** Answers one request. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final List<String> hosts = new CopyOnWriteArrayList<>();

    PageServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Serves {@code path} with {@code handler}. */
    PageServer on(String path, Handler handler) {
        server.createContext(path, exchange -> {
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            try (exchange) {
                handler.handle(exchange);
            }
        });
        return this;
    }

    /** Serves {@code path} as an HTML page. */
    PageServer html(String path, String html) {
        return on(path, x -> send(x, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8)));
    }

    /** Serves {@code path} as a redirect to {@code location}. */
    PageServer redirect(String path, String location) {
        return on(path, x -> {
            x.getResponseHeaders().add("Location", location);
            x.sendResponseHeaders(302, -1);
        });
    }

    int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    /** A page with Open Graph tags. */
    static String ogPage(String title, String description, String image) {
        return "<!doctype html><html><head><title>Fallback</title>"
                + "<meta property=\"og:title\" content=\"" + title + "\">"
                + "<meta property=\"og:description\" content=\"" + description + "\">"
                + "<meta property=\"og:image\" content=\"" + image + "\">"
                + "<meta property=\"og:site_name\" content=\"Parley Pages\">"
                + "</head><body>hello</body></html>";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
