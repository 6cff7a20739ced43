package dev.parley.server.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.store.StorableValues;
import dev.parley.server.store.Store;
import dev.parley.server.store.WriteBatch;
import dev.parley.server.users.UserRules;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code parley import}: upserts users from a file straight into the store, in batches of one transaction
 * each, as {@code POST /users} would with a server token. Imported users do not count toward MAU: only
 * connecting does.
 *
 * <p>Bad rows are reported with their line number and skipped; the rest goes on. After each committed batch
 * a checkpoint file next to the input ({@code <input>.parley-checkpoint}) records the last line done, so an
 * interrupted import resumes where it stopped; a finished import deletes it. The store must not be used by a
 * running server at the same time (it caches connected users in memory).
 */
public final class UserImport {
    /** Suffix of the checkpoint file written next to the input. */
    public static final String CHECKPOINT_SUFFIX = ".parley-checkpoint";

    /**
     * How to import.
     *
     * @param batchSize users per transaction
     * @param format the input format, or null to tell it from the file name
     * @param restart ignore an existing checkpoint and start from the first row
     * @param maxRows stop after this many rows in this run (0: no limit); the checkpoint allows resuming
     */
    public record Options(int batchSize, @Nullable String format, boolean restart, long maxRows) {
        public Options {
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("--batch: " + batchSize + " (expected: 1..10000)");
            }
            if (maxRows < 0) {
                throw new IllegalArgumentException("--max-rows: " + maxRows + " (expected: >= 0)");
            }
        }

        public static Options defaults() {
            return new Options(1000, null, false, 0);
        }
    }

    /**
     * What an import did, counting earlier runs of a resumed import too.
     *
     * @param imported users written
     * @param bad rows refused
     * @param complete false when {@code maxRows} stopped it early (a checkpoint is kept)
     */
    public record Result(long imported, long bad, boolean complete) {}

    private record Checkpoint(long size, long modified, long line, long imported, long bad) {}

    private final Store store;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public UserImport(Store store, Clock clock, PrintStream out, PrintStream err, boolean terminal) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.out = requireNonNull(out, "out");
        this.err = requireNonNull(err, "err");
        this.terminal = terminal;
    }

    /** Whether the standard output is an interactive terminal: then progress is a bar redrawn in place. */
    public static boolean stdoutIsTerminal() {
        return Progress.stdoutIsTerminal();
    }

    /** Imports {@code input}; bad rows go to the error stream as {@code <file>:<line>: <why>}. */
    public Result run(Path input, Options options) {
        requireNonNull(input, "input");
        UserRows.Format format = options.format() == null
                ? UserRows.Format.of(input.getFileName().toString())
                : UserRows.Format.valueOf(options.format().toUpperCase(java.util.Locale.ROOT));
        Path checkpointFile = input.resolveSibling(input.getFileName() + CHECKPOINT_SUFFIX);
        try {
            long size = Files.size(input);
            long modified = Files.getLastModifiedTime(input).toMillis();
            Checkpoint cp = options.restart() ? null : readCheckpoint(checkpointFile, size, modified);
            if (cp != null) {
                out.println(
                        "import: resuming after line " + cp.line() + " (" + cp.imported() + " users imported before)");
            }
            Checkpoint start = cp != null ? cp : new Checkpoint(size, modified, 0, 0, 0);
            return importRows(input, format, options, checkpointFile, start);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Result importRows(
            Path input, UserRows.Format format, Options options, Path checkpointFile, Checkpoint start)
            throws IOException {
        long imported = start.imported();
        long bad = start.bad();
        long rowsThisRun = 0;
        long lastLine = start.line();
        Map<String, Row> batch = new LinkedHashMap<>();
        Progress progress = new Progress(out, terminal, start.size());
        try (CountingStream counting = new CountingStream(Files.newInputStream(input));
                UserRows rows = new UserRows(counting, format)) {
            while (rows.hasNext()) {
                UserRows.Row row = rows.next();
                if (row.line() >= 0 && row.line() <= start.line()) {
                    continue;
                }
                if (options.maxRows() > 0 && rowsThisRun >= options.maxRows()) {
                    Counts c = commit(batch, input);
                    imported += c.imported();
                    bad += c.bad();
                    saveCheckpoint(checkpointFile, start, lastLine, imported, bad);
                    progress.stop(counting.count, imported + bad);
                    return new Result(imported, bad, false);
                }
                rowsThisRun++;
                ObjectNode user = row.user(); // null exactly for a bad row
                if (row.bad() || user == null) {
                    bad++;
                    report(input, row.line(), row.error());
                } else {
                    String id = user.path("id").asText("");
                    if (batch.containsKey(id)) { // the same user twice: the later row must win
                        Counts c = commit(batch, input);
                        imported += c.imported();
                        bad += c.bad();
                    }
                    batch.put(id, new Row(row.line(), user));
                }
                lastLine = Math.max(lastLine, row.line());
                if (batch.size() >= options.batchSize()) {
                    Counts c = commit(batch, input);
                    imported += c.imported();
                    bad += c.bad();
                    saveCheckpoint(checkpointFile, start, lastLine, imported, bad);
                }
                progress.update(counting.count, imported + bad);
            }
            Counts c = commit(batch, input);
            imported += c.imported();
            bad += c.bad();
            progress.finish(imported + bad);
        }
        Files.deleteIfExists(checkpointFile);
        return new Result(imported, bad, true);
    }

    private record Row(long line, ObjectNode user) {}

    private record Counts(long imported, long bad) {}

    /** Upserts the batch in one transaction; rows the user rules refuse are reported, counted and left out. */
    private Counts commit(Map<String, Row> batch, Path input) {
        if (batch.isEmpty()) {
            return new Counts(0, 0);
        }
        long refused = 0;
        Instant now = clock.instant();
        Map<String, User> stored = store.findUsers(
                batch.keySet().stream().filter(id -> !id.isEmpty()).toList());
        List<User> users = new ArrayList<>(batch.size());
        for (Map.Entry<String, Row> e : batch.entrySet()) {
            try {
                User u = UserRules.upsert(stored.get(e.getKey()), e.getValue().user(), true, now);
                StorableValues.checkUser(u); // one bad row must not fail the whole batch's transaction
                users.add(u);
            } catch (ChatException | IllegalArgumentException ex) {
                refused++;
                report(input, e.getValue().line(), ex.getMessage());
            }
        }
        batch.clear();
        store.apply(WriteBatch.ofUsers(users));
        return new Counts(users.size(), refused);
    }

    private void report(Path input, long line, @Nullable String why) {
        err.println(input.getFileName() + ":" + line + ": " + why);
    }

    private @Nullable Checkpoint readCheckpoint(Path file, long size, long modified) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        ObjectNode n = Json.parseObject(Files.readString(file), file.toString());
        if (n.path("size").asLong() != size || n.path("modified").asLong() != modified) {
            throw new IllegalArgumentException(
                    "import: " + file.getFileName() + " belongs to another version of the input;"
                            + " delete it or pass --restart to import from the first row");
        }
        return new Checkpoint(
                size,
                modified,
                n.path("line").asLong(),
                n.path("imported").asLong(),
                n.path("bad").asLong());
    }

    private static void saveCheckpoint(Path file, Checkpoint start, long line, long imported, long bad)
            throws IOException {
        ObjectNode n = Json.object()
                .put("size", start.size())
                .put("modified", start.modified())
                .put("line", line)
                .put("imported", imported)
                .put("bad", bad);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.write(n));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Counts the bytes read, for the progress bar. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
