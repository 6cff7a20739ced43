package dev.parley.server.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code parley connections}: the connection inspector of a running server as a table. Calls
 * {@code GET /parley/connections} (or {@code /parley/connections/users?min=N} with {@code --min}) with a
 * server token made from the configured secret.
 */
public final class ConnectionsCommand {
    private static final String[] HEADER = {
        "USER", "CONNECTION", "CLIENT", "ADDRESS", "CONNECTED", "LAST HEARTBEAT", "QUEUED"
    };

    private final String baseUrl;
    private final String apiKey;
    private final String apiSecret;
    private final PrintStream out;

    /** A command against the server at {@code baseUrl} ({@code http://host:port}). */
    public ConnectionsCommand(String baseUrl, String apiKey, String apiSecret, PrintStream out) {
        this.baseUrl = requireNonNull(baseUrl, "baseUrl").replaceAll("/+$", "");
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.apiSecret = requireNonNull(apiSecret, "apiSecret");
        this.out = requireNonNull(out, "out");
    }

    /**
     * Prints the table.
     *
     * @param min with a value, only users with at least this many sockets, worst first
     * @param user with a value, only this user's sockets
     * @return the process exit code: 0, or 1 when the server could not be asked
     */
    public int run(@Nullable Integer min, @Nullable String user) {
        ObjectNode body;
        try {
            body = min != null
                    ? get("/parley/connections/users", "min", min.toString(), "limit", "1000")
                    : user != null
                            ? get("/parley/connections", "user_id", user, "limit", "1000")
                            : get("/parley/connections", "limit", "1000");
        } catch (IOException e) {
            out.println("parley: cannot reach " + baseUrl + " (" + e.getMessage() + "); is the server running?");
            return 1;
        }
        if (body.has("code") && body.has("StatusCode")) {
            out.println("parley: the server refused: " + body.path("message").asText() + " (code "
                    + body.path("code").asInt() + ")");
            return 1;
        }
        List<JsonNode> rows = new ArrayList<>();
        if (min != null) {
            body.path("users").forEach(u -> u.path("connections").forEach(rows::add));
            out.println(body.path("total").asInt() + " users with at least " + min + " sockets");
        } else {
            body.path("connections").forEach(rows::add);
            out.println(body.path("total").asInt() + " open connections"
                    + (body.path("total").asInt() > rows.size() ? " (first " + rows.size() + " shown)" : ""));
        }
        printTable(rows);
        return 0;
    }

    private void printTable(List<JsonNode> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (JsonNode c : rows) {
            cells.add(new String[] {
                c.path("user_id").asText(),
                c.path("connection_id").asText(),
                c.path("client").asText(),
                c.path("remote_address").asText(),
                c.path("connected_at").asText(),
                c.path("last_heartbeat").asText(),
                Long.toString(c.path("outbound_queue_bytes").asLong())
            });
        }
        int[] width = new int[HEADER.length];
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.min(48, Math.max(width[i], r[i].length()));
            }
        }
        for (String[] r : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String v = r[i].length() > width[i] ? r[i].substring(0, width[i] - 1) + "…" : r[i];
                line.append(String.format("%-" + width[i] + "s", v)).append(i < r.length - 1 ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private ObjectNode get(String path, String... params) throws IOException {
        StringBuilder url = new StringBuilder(baseUrl)
                .append(path)
                .append("?api_key=")
                .append(URLEncoder.encode(apiKey, StandardCharsets.UTF_8));
        for (int i = 0; i < params.length; i += 2) {
            url.append('&')
                    .append(params[i])
                    .append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", Jwt.serverToken(apiSecret))
                .header("stream-auth-type", "jwt")
                .GET()
                .build();
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            return Json.parseObject(res.body(), "response of " + path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
