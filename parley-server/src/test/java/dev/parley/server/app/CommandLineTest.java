package dev.parley.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.Json;
import dev.parley.protocol.Jwt;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code parley} commands besides {@code serve}: token, import and connections. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private PrintStream out() {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    private PrintStream err() {
        return new PrintStream(err, true, StandardCharsets.UTF_8);
    }

    private static Map<String, String> credentials(TestServer s) {
        return Map.of(
                "PARLEY_API_KEY",
                s.apiKey(),
                "PARLEY_API_SECRET",
                s.apiSecret(),
                "PARLEY_PORT",
                Integer.toString(s.port()));
    }

    @Test
    void tokenPrintsAUserTokenSignedWithTheConfiguredSecretAndExpiry() {
        Map<String, String> env = Map.of("PARLEY_API_KEY", "k", "PARLEY_API_SECRET", TestServer.API_SECRET);
        Instant now = Instant.parse("2026-05-01T10:00:00Z");
        String token = Main.token(new String[] {"--user", "alice", "--expires", "1h"}, env::get, now);
        Jwt.Claims claims = Jwt.verify(token, TestServer.API_SECRET, now, false);
        assertThat(claims.userId()).isEqualTo("alice");
        assertThat(claims.expiresAt()).isEqualTo(Instant.parse("2026-05-01T11:00:00Z"));
        assertThatThrownBy(() -> Main.token(new String[] {}, env::get, now)).hasMessageContaining("--user");
    }

    @Test
    void tokenWithoutCredentialsUsesThePairGeneratedInTheDataDir() {
        Map<String, String> env = Map.of("PARLEY_DATA_DIR", dir.toString());
        String token = Main.token(new String[] {"--user", "bob"}, env::get, Instant.now());
        Credentials.KeyPair kp = Credentials.loadOrGenerate(dir);
        assertThat(Jwt.verify(token, kp.apiSecret(), Instant.now(), false).userId())
                .isEqualTo("bob");
    }

    @Test
    void importWritesToTheStoreOfTheServerAndExitsWith1WhenARowWasBad() throws IOException {
        Path file = dir.resolve("users.ndjson");
        Files.writeString(file, "{\"id\":\"imp-a\",\"name\":\"A\"}\nnot json\n{\"id\":\"imp-b\"}\n");
        Path data = dir.resolve("data");
        // A server made the store (on PostgreSQL: its schema) and stopped; the import runs on its data.
        TestServer first = TestServer.start(b -> b.dataDir(data));
        first.server().close();
        List<String> args = new ArrayList<>(List.of(file.toString(), "--data-dir", data.toString()));
        if (first.databaseUrl() != null) {
            args.addAll(List.of("--database-url", first.databaseUrl()));
        }
        int code = Main.importUsers(args.toArray(String[]::new), k -> null, out(), err());
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 users imported, 1 bad rows");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("users.ndjson:2:");

        try (TestServer server = TestServer.restartOnDataOf(first, b -> {})) {
            assertThat(server.server().node().store().findUser("imp-a")).isPresent();
            assertThat(RestClient.server(server)
                            .get("/parley/usage")
                            .json()
                            .path("mau")
                            .asInt())
                    .isZero();
        } finally {
            first.close();
        }
    }

    @Test
    void importRefusesAMissingFileAndAnUnknownFormat() {
        assertThatThrownBy(() ->
                        Main.importUsers(new String[] {dir.resolve("none.csv").toString()}, k -> null, out(), err()))
                .hasMessageContaining("no file at");
        assertThatThrownBy(() -> Main.importUsers(new String[] {}, k -> null, out(), err()))
                .hasMessageContaining("import needs a file");
    }

    @Test
    void connectionsPrintsTheInspectorAsATableAndMinListsOnlyDuplicatedUsers() {
        try (TestServer server = TestServer.start();
                WsProbe a1 = WsProbe.connect(server, "cli-dup", server.userToken("cli-dup"), Json.object());
                WsProbe a2 = WsProbe.connect(server, "cli-dup", server.userToken("cli-dup"), Json.object());
                WsProbe b = WsProbe.connect(server, "cli-one", server.userToken("cli-one"), Json.object())) {
            a1.next("health.check");
            a2.next("health.check");
            b.next("health.check");
            Map<String, String> env = credentials(server);

            assertThat(Main.connections(new String[] {}, env::get, out())).isZero();
            String all = out.toString(StandardCharsets.UTF_8);
            assertThat(all)
                    .contains("3 open connections")
                    .contains("USER")
                    .contains("CONNECTION")
                    .contains("cli-one")
                    .contains("parley-test-probe");
            out.reset();

            assertThat(Main.connections(new String[] {"--min", "2"}, env::get, out()))
                    .isZero();
            String dup = out.toString(StandardCharsets.UTF_8);
            assertThat(dup)
                    .contains("1 users with at least 2 sockets")
                    .contains("cli-dup")
                    .doesNotContain("cli-one");
            assertThat(dup.lines().filter(l -> l.startsWith("cli-dup")).count()).isEqualTo(2);
        }
    }

    @Test
    void connectionsSaysSoWhenNoServerAnswers() {
        Map<String, String> env = Map.of("PARLEY_API_KEY", "k", "PARLEY_API_SECRET", TestServer.API_SECRET);
        int code = Main.connections(new String[] {"--url", "http://127.0.0.1:1"}, env::get, out());
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("cannot reach")
                .contains("is the server running?");
    }
}
