package dev.parley.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A webhook receiver for tests: a real HTTP server on a free port of 127.0.0.1 that records every request
 * (headers and raw body) and answers what {@link #answer} says, by default 200. Requests are answered on
 * virtual threads, so that an answer may block (a slow receiver) without holding up others.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as it arrived. */
    public record Request(Map<String, List<String>> headers, byte[] body, JsonNode json, int attemptSeen) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }

        public String type() {
            return json.path("type").asText();
        }
    }

    private final HttpServer server;
    private final LinkedBlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private final List<Request> all = java.util.Collections.synchronizedList(new ArrayList<>());
    /** An answer: a status and a body (empty for none). */
    public record Reply(int status, String body) {}

    private volatile Function<Request, Reply> answer = r -> new Reply(200, "");

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            WebhookReceiver r = new WebhookReceiver(s);
            s.createContext("/", r::handle);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.start();
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The URL to configure as a webhook. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** What each further request is answered: a status, computed when the request arrives (it may block). */
    public void answer(Function<Request, Integer> status) {
        this.answer = r -> new Reply(status.apply(r), "");
    }

    /** What each further request is answered, body included. */
    public void reply(Function<Request, Reply> reply) {
        this.answer = reply;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode json = Json.parse(body, "webhook body");
            Request r = new Request(Map.copyOf(ex.getRequestHeaders()), body, json, all.size());
            all.add(r);
            received.add(r);
            Reply reply = answer.apply(r);
            byte[] out = reply.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (out.length == 0) {
                ex.sendResponseHeaders(reply.status(), -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(reply.status(), out.length);
                ex.getResponseBody().write(out);
            }
        }
    }

    /** The next request that matches, waiting at most {@code timeout}; fails the test when none comes. */
    public Request next(Predicate<Request> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Request r;
            try {
                r = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (r == null) {
                throw new AssertionError("no webhook request matching within " + timeout + "; received: "
                        + all.stream().map(Request::type).toList());
            }
            if (matching.test(r)) {
                return r;
            }
        }
    }

    /** The next request of event type {@code type}. */
    public Request next(String type) {
        return next(r -> r.type().equals(type), Duration.ofSeconds(20));
    }

    /** Every request so far, in arrival order. */
    public List<Request> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
