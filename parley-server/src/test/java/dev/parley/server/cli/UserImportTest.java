package dev.parley.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.User;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code parley import} against the embedded store: formats, bad rows, resuming, and MAU left alone. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserImportTest {
    @TempDir
    Path dir;

    private Store store;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void open() {
        store = Stores.open(null, dir.resolve("data"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private UserImport importer() {
        return new UserImport(
                store,
                Clock.systemUTC(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** 100,000 users, one per line; line 50,001 is broken JSON and line 70,001 has an id Stream refuses. */
    private Path hundredThousandWithBadRows() throws IOException {
        Path file = dir.resolve("users.ndjson");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 1; i <= 100_000; i++) {
                if (i == 50_001) {
                    w.write("{\"id\": \"u-broken\", \"name\": \n");
                } else if (i == 70_001) {
                    w.write("{\"id\": \"not a valid id!\"}\n");
                } else {
                    w.write("{\"id\":\"u-" + i + "\",\"name\":\"User " + i + "\",\"team_color\":\"blue\"}\n");
                }
            }
        }
        return file;
    }

    @Test
    void hundredThousandUsersImportWithBadRowsReportedByLineAndNoneCountedAsActive() throws IOException {
        Path file = hundredThousandWithBadRows();
        UserImport.Result r = importer().run(file, UserImport.Options.defaults());
        assertThat(r.imported()).isEqualTo(99_998);
        assertThat(r.bad()).isEqualTo(2);
        assertThat(r.complete()).isTrue();
        assertThat(errors()).contains("users.ndjson:50001: not valid JSON").contains("users.ndjson:70001:");
        assertThat(store.findUser("u-100000").orElseThrow().custom()).containsKey("team_color");
        assertThat(store.findUser("u-50002")).isPresent();
        assertThat(store.findUser("u-broken")).isEmpty();
        assertThat(store.countActiveUsers(YearMonth.now(java.time.ZoneOffset.UTC)))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("100%");
        assertThat(file.resolveSibling("users.ndjson" + UserImport.CHECKPOINT_SUFFIX))
                .doesNotExist();
    }

    @Test
    void anInterruptedImportResumesAfterItsCheckpoint() throws IOException {
        Path file = hundredThousandWithBadRows();
        UserImport.Result first = importer().run(file, new UserImport.Options(1000, null, false, 30_000));
        assertThat(first.complete()).isFalse();
        assertThat(first.imported()).isEqualTo(30_000);
        Path checkpoint = file.resolveSibling("users.ndjson" + UserImport.CHECKPOINT_SUFFIX);
        assertThat(checkpoint).exists();
        assertThat(store.findUser("u-30001")).isEmpty();

        store.deleteUser("u-10"); // a row before the checkpoint is not imported again
        UserImport.Result rest = importer().run(file, UserImport.Options.defaults());
        assertThat(rest.complete()).isTrue();
        assertThat(rest.imported()).isEqualTo(99_998);
        assertThat(rest.bad()).isEqualTo(2);
        assertThat(store.findUser("u-10")).isEmpty();
        assertThat(store.findUser("u-30001")).isPresent();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("resuming after line 30000");
        assertThat(checkpoint).doesNotExist();
    }

    @Test
    void aCheckpointOfAnotherVersionOfTheFileIsRefusedUnlessRestarting() throws IOException {
        Path file = dir.resolve("users.ndjson");
        Files.writeString(file, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
        Files.writeString(
                file.resolveSibling("users.ndjson" + UserImport.CHECKPOINT_SUFFIX),
                "{\"size\":1,\"modified\":1,\"line\":1,\"imported\":1,\"bad\":0}");
        assertThatThrownBy(() -> importer().run(file, UserImport.Options.defaults()))
                .hasMessageContaining("--restart");
        UserImport.Result r = importer().run(file, new UserImport.Options(1000, null, true, 0));
        assertThat(r.imported()).isEqualTo(2);
    }

    @Test
    void csvWithQuotedCellsAndTeamsImportsAndBadRowsNameTheirLine() throws IOException {
        Path file = dir.resolve("users.csv");
        Files.writeString(file, """
                id,name,role,teams,city
                ada,"Lovelace, Ada",admin,red|blue,London
                bob,"Bob ""the builder""\",,,
                broken,only two
                cy,"Cy
                Two Lines",user,,Paris
                """);
        UserImport.Result r = importer().run(file, UserImport.Options.defaults());
        assertThat(r.imported()).isEqualTo(3);
        assertThat(r.bad()).isEqualTo(1);
        assertThat(errors()).contains("users.csv:4: has 2 cells");
        User ada = store.findUser("ada").orElseThrow();
        assertThat(ada.role()).isEqualTo("admin");
        assertThat(ada.teams()).containsExactly("red", "blue");
        assertThat(ada.custom().get("name").asText()).isEqualTo("Lovelace, Ada");
        assertThat(store.findUser("bob").orElseThrow().custom().get("name").asText())
                .isEqualTo("Bob \"the builder\"");
        assertThat(store.findUser("cy").orElseThrow().custom().get("name").asText())
                .isEqualTo("Cy\nTwo Lines");
    }

    @Test
    void jsonArrayImportsAndAnExistingUserIsUpdated() throws IOException {
        store.apply(dev.parley.server.store.WriteBatch.ofUsers(
                java.util.List.of(User.create("old", java.time.Instant.parse("2020-01-01T00:00:00Z")))));
        Path file = dir.resolve("users.json");
        Files.writeString(file, """
                {"users": [
                  {"id": "old", "name": "Updated"},
                  {"id": "new", "name": "New"},
                  42
                ]}
                """);
        UserImport.Result r = importer().run(file, UserImport.Options.defaults());
        assertThat(r.imported()).isEqualTo(2);
        assertThat(r.bad()).isEqualTo(1);
        assertThat(errors()).contains("users.json:4: expected a JSON object");
        User old = store.findUser("old").orElseThrow();
        assertThat(old.custom().get("name").asText()).isEqualTo("Updated");
        assertThat(old.createdAt()).isEqualTo(java.time.Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void aRowWithAValueTheStoreCannotKeepIsReportedAndTheRestOfItsBatchIsImported() throws IOException {
        Path file = dir.resolve("users.ndjson");
        Files.writeString(
                file,
                "{\"id\":\"a\"}\n{\"id\":\"b\",\"name\":\"b\\u0000\"}\n{\"id\":\"c\",\"n\":1e400}\n"
                        + "{\"id\":\"d\"}\n");

        UserImport.Result r = importer().run(file, UserImport.Options.defaults());

        assertThat(r.imported()).isEqualTo(2);
        assertThat(r.bad()).isEqualTo(2);
        assertThat(errors()).contains("users.ndjson:2: ").contains("NUL").contains("users.ndjson:3: ");
        assertThat(store.findUsers(java.util.List.of("a", "b", "c", "d")).keySet())
                .containsExactly("a", "d");
    }

    @Test
    void anUnknownExtensionNamesTheFormatsItExpects() throws IOException {
        Path file = dir.resolve("users.xml");
        Files.writeString(file, "<users/>");
        assertThatThrownBy(() -> importer().run(file, UserImport.Options.defaults()))
                .hasMessageContaining(".json, .ndjson or .csv");
    }
}
