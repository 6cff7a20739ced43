package dev.parley.bench.importfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.migration.AppImport;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small generated app file (PROTOCOL.md §17) imports into an embedded store with no bad record, and the
 * generator gives the same bytes for the same sizes and seed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImportFileGeneratorTest {
    private static final ImportFileGenerator.Sizes SMALL = new ImportFileGenerator.Sizes(200, 20, 5, 2_000, 300, 20);

    @TempDir
    Path dir;

    @Test
    void aSmallGeneratedFileOfEveryRecordTypeImportsWithNoBadRecord() throws Exception {
        Path file = dir.resolve("app.jsonl");
        ImportFileGenerator.Counts counts = new ImportFileGenerator(SMALL, 7).write(file);
        assertThat(counts.byType().keySet())
                .containsExactly("user", "channel", "member", "message", "reaction", "device");
        assertThat(counts.total()).isEqualTo(200 + 20 + 100 + 2_000 + 300 + 20);
        assertThat(new ImportFileGenerator(SMALL, 7).counts()).isEqualTo(counts);
        assertThat(Files.readAllLines(file)).hasSize((int) counts.total());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Store store = Stores.open(null, dir.resolve("data"))) {
            AppImport.Result r = new AppImport(
                            store,
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8),
                            false)
                    .run(file, new AppImport.Options(AppImport.Mode.UPSERT, 500, false, false));
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
            assertThat(r.bad()).isZero();
            assertThat(r.complete()).isTrue();
            assertThat(r.records()).isEqualTo(counts.total());

            var channel = store.chat().findChannel("messaging:c0").orElseThrow();
            assertThat(channel.memberCount()).isEqualTo(5);
            // 100 messages, of which 10 replies, 3 of them also shown in the channel
            assertThat(channel.messageCount()).isEqualTo(93);
            assertThat(store.chat().findMessage("m9").orElseThrow().parentId()).isEqualTo("m8");
            assertThat(store.chat()
                            .findMessage("m8")
                            .orElseThrow()
                            .doc()
                            .path("reply_count")
                            .asInt())
                    .isEqualTo(1);
            assertThat(store.chat().findMessage("m55").orElseThrow().deletedAt())
                    .isNotNull();
            assertThat(store.findUser("u0").orElseThrow().teams()).containsExactly("red", "blue");
        }
    }

    @Test
    void theSameSizesAndSeedGiveTheSameFile() throws Exception {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        Path c = dir.resolve("c.jsonl");
        new ImportFileGenerator(SMALL, 3).write(a);
        new ImportFileGenerator(SMALL, 3).write(b);
        new ImportFileGenerator(SMALL, 4).write(c);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1);
    }

    @Test
    void theUsersOnlyFileHoldsTheSameUsers() throws Exception {
        Path users = dir.resolve("users.ndjson");
        new ImportFileGenerator(SMALL, 3).writeUsersOnly(users);
        List<String> lines = Files.readAllLines(users);
        assertThat(lines).hasSize(200);
        assertThat(lines.getFirst()).startsWith("{\"id\":\"u0\"");
    }
}
