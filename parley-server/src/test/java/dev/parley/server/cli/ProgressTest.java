package dev.parley.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Progress of {@code parley import}: a bar on a terminal, plain lines elsewhere. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void withoutATerminalEachTenthIsOnePlainLineAndTheEndCarriesTheFinalCount() {
        Progress p = new Progress(out, false, 1000);
        for (int done = 0; done <= 1000; done += 50) {
            p.update(done, done / 10);
        }
        p.finish(100);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").doesNotContain("#");
        assertThat(text.lines())
                .hasSize(11)
                .allMatch(l -> l.startsWith("import: ") && l.contains("rows/s") && l.contains("ETA"));
        assertThat(text.lines().toList().getLast()).contains("100%").contains("100 rows");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlace() {
        Progress p = new Progress(out, true, 1000);
        p.update(500, 50);
        p.finish(100);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r[###############               ]  50%");
        assertThat(text).contains("\r[" + "#".repeat(30) + "] 100%");
        assertThat(text.chars().filter(c -> c == '\n').count()).isEqualTo(1); // one line, redrawn with \r
    }
}
