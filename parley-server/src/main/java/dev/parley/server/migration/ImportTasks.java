package dev.parley.server.migration;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.store.ImportBatch;
import dev.parley.server.store.ImportStore;
import dev.parley.server.store.ImportStore.ImportRow;
import dev.parley.server.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stream's import routes on a running server (PROTOCOL.md §17.5): an upload URL signed with the app secret, the
 * file received on this node's disk ({@code <dataDir>/imports/<id>/}), and import tasks run one at a time by the
 * node that holds the file, with the same {@link AppImport} as the command line. Each task is checked whole first
 * ({@code analyzing}) and imported only when no record is bad, as Stream does; the import resumes from its
 * checkpoint when the node restarts. Caches of every node are dropped after each batch, and users kept in memory are
 * read again, so the running cluster serves what was imported. Thread-safe.
 */
public final class ImportTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImportTasks.class);

    /** The route the upload URL names; the transport streams its body to disk. */
    private static final Pattern UPLOAD_ROUTE = Pattern.compile("/import_files/[0-9a-f-]{36}");

    /** How long an upload URL may be used. */
    static final Duration URL_LIFETIME = Duration.ofHours(1);

    /** How long a URL with no import, and a finished import's row, are kept. */
    static final Duration KEPT = Duration.ofDays(7);

    /** Most bad records kept in an import's result; the count goes on past it. */
    static final int MAX_ERRORS = 100;

    /** Largest import file taken (PROTOCOL.md §17.5); the disk is the real bound. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024 * 1024;

    /** Most imports listed at once. */
    public static final int MAX_LIST = 100;

    /** How often a node looks for imports of its own (asked for through another node) and for old rows. */
    static final Duration POLL = Duration.ofSeconds(5);

    // The states of a row; the first two are not an import yet and are never shown.
    static final String AWAITING_FILE = "awaiting_file";
    static final String FILE_RECEIVED = "file_received";
    static final String UPLOADED = "uploaded";
    static final String ANALYZING = "analyzing";
    static final String ANALYZE_FAILED = "analyzing_failed";
    static final String IMPORTING = "importing";
    static final String IMPORT_FAILED = "importing_failed";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";

    private static final Set<String> SHOWN =
            Set.of(UPLOADED, ANALYZING, ANALYZE_FAILED, IMPORTING, IMPORT_FAILED, COMPLETED, FAILED);
    private static final Set<String> TO_RUN = Set.of(UPLOADED, ANALYZING, IMPORTING);
    private static final Set<String> FINISHED = Set.of(ANALYZE_FAILED, IMPORT_FAILED, COMPLETED, FAILED);
    private static final Set<String> NOT_STARTED = Set.of(AWAITING_FILE, FILE_RECEIVED);
    private static final Pattern FILE_NAME = Pattern.compile("[^/\\\\\\x00-\\x1f]{1,200}");

    /** Moves an uploaded body into place. */
    @FunctionalInterface
    public interface Transfer {
        void to(Path target) throws IOException;
    }

    private final ImportStore rows;
    private final Store store;
    private final Path dir;
    private final byte[] secret;
    private final Clock clock;
    private final Consumer<String> userWritten;
    private final String node;
    private final ScheduledExecutorService runner;
    private volatile boolean closed;

    /**
     * @param dir this node's folder of import files
     * @param secret the app secret, which signs upload URLs
     * @param userWritten told the id of each user an import wrote, after its batch committed
     */
    public ImportTasks(Store store, Path dir, String secret, Clock clock, Consumer<String> userWritten) {
        this.store = requireNonNull(store, "store");
        this.rows = store.imports();
        this.dir = requireNonNull(dir, "dir");
        this.secret = requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
        this.clock = requireNonNull(clock, "clock");
        this.userWritten = requireNonNull(userWritten, "userWritten");
        this.node = nodeId(dir);
        deleteFiles("incoming"); // bodies cut short when the node stopped
        this.runner = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("parley-imports").daemon(true).factory());
    }

    /** Whether a request is an import file's upload, whose body the transport streams to disk. */
    public static boolean isUploadRoute(String method, String path) {
        return "PUT".equals(method) && UPLOAD_ROUTE.matcher(path).matches();
    }

    /** Resumes this node's unfinished imports, then looks for new ones every {@link #POLL}. */
    public void start() {
        runner.scheduleWithFixedDelay(this::tick, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Where the transport keeps bodies while they arrive. */
    public Path incoming() {
        Path in = dir.resolve("incoming");
        try {
            Files.createDirectories(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return in;
    }

    // ---- the routes

    /** {@code POST /import_urls}: a path and a signed URL to upload the file to. */
    public ObjectNode createUrl(JsonNode body, String baseUrl) {
        JsonNode f = body.has("filename") ? body.get("filename") : body.get("file_name"); // JS SDK : Java SDK
        String fileName = f != null && f.isTextual() ? f.asText() : null;
        if (fileName == null
                || !FILE_NAME.matcher(fileName).matches()
                || fileName.equals(".")
                || fileName.equals("..")) {
            throw ChatException.input("CreateImportURL failed with error: \"filename must be 1 to 200 characters,"
                    + " without slashes or control characters\"");
        }
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        String path = "imports/" + id + "/" + fileName;
        rows.insert(new ImportRow(id, path, fileName, "upsert", AWAITING_FILE, null, null, now, now, "[]", null));
        long expires = now.plus(URL_LIFETIME).getEpochSecond();
        ObjectNode out = Json.object();
        out.put("path", path);
        out.put(
                "upload_url",
                baseUrl + "/import_files/" + id + "?expires=" + expires + "&signature="
                        + URLEncoder.encode(sign(id, expires), StandardCharsets.UTF_8));
        return out;
    }

    /**
     * Checks an upload's head before any body byte is taken: the signature, its time, and that the URL still waits
     * for its file.
     */
    public void admitUpload(String id, @Nullable String expires, @Nullable String signature) {
        long at;
        try {
            at = Long.parseLong(expires == null ? "" : expires);
        } catch (NumberFormatException e) {
            throw ChatException.notAllowed("the upload URL is not signed");
        }
        byte[] expected = sign(id, at).getBytes(StandardCharsets.UTF_8);
        byte[] given = (signature == null ? "" : signature).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw ChatException.notAllowed("the upload URL's signature does not match");
        }
        if (clock.instant().getEpochSecond() > at) {
            throw ChatException.notAllowed("the upload URL has expired; ask /import_urls for another");
        }
        ImportRow row = rows.find(id).orElseThrow(() -> ChatException.notFound("import file '" + id + "' is unknown"));
        if (!NOT_STARTED.contains(row.state())) {
            throw ChatException.input("the file of '" + row.path() + "' is already imported or being imported");
        }
    }

    /** {@code PUT /import_files/{id}}: keeps the body (again, over an earlier one) until an import is asked for. */
    public ObjectNode receive(String id, long size, Transfer body) {
        ImportRow row = rows.find(id).orElseThrow(() -> ChatException.notFound("import file '" + id + "' is unknown"));
        if (!NOT_STARTED.contains(row.state())) {
            throw ChatException.input("the file of '" + row.path() + "' is already imported or being imported");
        }
        Path target = fileOf(row);
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            body.to(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep import file " + target, e);
        }
        ImportRow next = with(row, FILE_RECEIVED, size, node, null, clock.instant());
        if (!rows.replace(next, row.state())) {
            throw ChatException.input("the file of '" + row.path() + "' changed while it was uploaded; try again");
        }
        return Json.object();
    }

    /** {@code POST /imports}: starts the import of an uploaded file. */
    public ObjectNode create(JsonNode body) {
        JsonNode p = body.get("path");
        if (p == null || !p.isTextual() || p.asText().isEmpty()) {
            throw ChatException.input("CreateImport failed with error: \"path is required\"");
        }
        JsonNode m = body.get("mode");
        String mode = m == null || m.isNull() ? "upsert" : m.asText();
        if (!mode.equals("upsert") && !mode.equals("insert")) {
            throw ChatException.input("CreateImport failed with error: \"mode must be upsert or insert\"");
        }
        String path = p.asText();
        ImportRow row = rows.findByPath(path)
                .orElseThrow(() -> ChatException.notFound("no upload URL was made for path '" + path + "'"));
        if (row.state().equals(AWAITING_FILE)) {
            throw ChatException.input("CreateImport failed with error: \"the file of '" + path
                    + "' has not been uploaded; PUT it to the upload URL first\"");
        }
        if (!row.state().equals(FILE_RECEIVED)) {
            throw ChatException.input(
                    "CreateImport failed with error: \"'" + path + "' is imported already by " + row.id() + "\"");
        }
        Instant now = clock.instant();
        ImportRow next = new ImportRow(
                row.id(),
                row.path(),
                row.fileName(),
                mode,
                UPLOADED,
                row.size(),
                row.node(),
                now,
                now,
                history(row.history(), "", UPLOADED, now),
                null);
        if (!rows.replace(next, FILE_RECEIVED)) {
            throw ChatException.input("CreateImport failed with error: \"'" + path + "' is imported already\"");
        }
        if (node.equals(row.node())) {
            kick();
        }
        ObjectNode out = Json.object();
        out.set("import_task", toJson(next));
        return out;
    }

    /** {@code GET /imports/{id}}. */
    public ObjectNode get(String id) {
        ImportRow row = rows.find(id)
                .filter(r -> SHOWN.contains(r.state()))
                .orElseThrow(() -> ChatException.notFound("import '" + id + "' does not exist"));
        ObjectNode out = Json.object();
        out.set("import_task", toJson(row));
        return out;
    }

    /** {@code GET /imports}: newest first. */
    public ObjectNode list(int limit, int offset) {
        ArrayNode tasks = Json.array();
        rows.list(SHOWN, limit, offset).forEach(r -> tasks.add(toJson(r)));
        ObjectNode out = Json.object();
        out.set("import_tasks", tasks);
        return out;
    }

    // ---- running

    /** Runs this node's waiting imports soon. */
    private void kick() {
        if (!closed) {
            runner.execute(this::drain);
        }
    }

    private void tick() {
        try {
            drain();
            forgetOld();
        } catch (RuntimeException e) {
            log.warn("import tasks: {}", e.toString());
        }
    }

    /** Runs this node's imports that wait or were cut short, one at a time, oldest first. */
    private void drain() {
        while (!closed) {
            List<ImportRow> next = rows.ofNode(node, TO_RUN, 1);
            if (next.isEmpty()) {
                return;
            }
            run(next.get(0));
        }
    }

    private void run(ImportRow row) {
        try {
            ImportRow current = row;
            if (current.state().equals(UPLOADED)) {
                current = move(current, ANALYZING, current.result());
                if (current == null) {
                    return;
                }
            }
            if (current.state().equals(ANALYZING)) {
                current = analyze(current);
                if (current == null) {
                    return;
                }
            }
            if (current.state().equals(IMPORTING)) {
                importAll(current);
            }
        } catch (CancellationException e) {
            log.info("import {} stopped with the node; it resumes when the node starts again", row.id());
        } catch (RuntimeException e) {
            log.warn("import {} failed", row.id(), e);
            rows.find(row.id()).ifPresent(r -> {
                ObjectNode result = r.result() == null ? Json.object() : Json.parseObject(r.result(), "import result");
                ObjectNode error = result.putObject("error");
                error.put("type", "internal");
                error.put("description", String.valueOf(e.getMessage()));
                String state = switch (r.state()) {
                    case ANALYZING -> ANALYZE_FAILED;
                    case IMPORTING -> IMPORT_FAILED;
                    default -> FAILED;
                };
                finish(r, state, result);
            });
        }
    }

    /** Reads the whole file and writes nothing; answers the row importing, or null when it failed or moved on. */
    private @Nullable ImportRow analyze(ImportRow row) {
        Outcome outcome = new Outcome(row);
        AppImport.Result r = new AppImport(store, SILENT, SILENT, false, outcome)
                .run(fileOf(row), new AppImport.Options(mode(row), 1000, true, true));
        ObjectNode result = outcome.json(r);
        if (r.bad() > 0) {
            finish(row, ANALYZE_FAILED, result);
            return null;
        }
        return move(row, IMPORTING, result);
    }

    private void importAll(ImportRow row) {
        Outcome outcome = new Outcome(row);
        AppImport.Result r = new AppImport(store, SILENT, SILENT, false, outcome)
                .run(fileOf(row), new AppImport.Options(mode(row), 1000, false, false));
        finish(row, COMPLETED, outcome.json(r)); // bad records here were good when analysed: they are listed
    }

    /** Records and progress of one run; stops the run when the node closes. */
    private final class Outcome implements AppImport.Listener {
        private final ImportRow row;
        private final List<ObjectNode> errors = new ArrayList<>();
        private long lastBeat = System.nanoTime();

        Outcome(ImportRow row) {
            this.row = row;
        }

        @Override
        public void refused(long line, String field, String reason) {
            if (errors.size() < MAX_ERRORS) {
                ObjectNode e = Json.object();
                e.put("line", line);
                e.put("field", field);
                e.put("reason", reason);
                errors.add(e);
            }
        }

        @Override
        public void committed(ImportBatch batch, long records) {
            for (User u : batch.users()) {
                userWritten.accept(u.id());
            }
            if (closed) {
                throw new CancellationException("the node is closing");
            }
            if (System.nanoTime() - lastBeat > TimeUnit.SECONDS.toNanos(2)) {
                lastBeat = System.nanoTime();
                ObjectNode progress = Json.object();
                progress.put("records", records);
                rows.find(row.id())
                        .filter(r -> r.state().equals(IMPORTING))
                        .ifPresent(r -> rows.replace(
                                with(r, IMPORTING, r.size(), r.node(), progress.toString(), clock.instant()),
                                IMPORTING));
            }
        }

        ObjectNode json(AppImport.Result r) {
            ObjectNode out = Json.object();
            out.put("records", r.records());
            out.put("written", r.written());
            out.put("skipped", r.skipped());
            out.put("bad", r.bad());
            if (!errors.isEmpty()) {
                out.set("errors", Json.array().addAll(errors));
            }
            return out;
        }
    }

    /** Moves the row to {@code state}; null when another run moved it first. */
    private @Nullable ImportRow move(ImportRow row, String state, @Nullable Object result) {
        Instant now = clock.instant();
        ImportRow next = new ImportRow(
                row.id(),
                row.path(),
                row.fileName(),
                row.mode(),
                state,
                row.size(),
                row.node(),
                row.createdAt(),
                now,
                history(row.history(), row.state(), state, now),
                result == null ? null : result.toString());
        return rows.replace(next, row.state()) ? next : null;
    }

    /** Ends the import in {@code state} and deletes its file, which is no longer needed. */
    private void finish(ImportRow row, String state, ObjectNode result) {
        rows.find(row.id()).ifPresent(current -> move(current, state, result));
        deleteFiles(row.id());
    }

    /** Deletes the rows of finished imports and of unused URLs older than {@link #KEPT}, with their files. */
    private void forgetOld() {
        Instant before = clock.instant().minus(KEPT);
        List<String> gone = new ArrayList<>(rows.deleteOlder(FINISHED, before, 100));
        gone.addAll(rows.deleteOlder(NOT_STARTED, before, 100));
        gone.forEach(this::deleteFiles);
    }

    private void deleteFiles(String id) {
        Path folder = dir.resolve(id);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            log.warn("cannot delete import files in {}: {}", folder, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        runner.shutdown();
        try {
            if (!runner.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("an import was still running 10 s after the node began closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers

    private Path fileOf(ImportRow row) {
        return dir.resolve(row.id()).resolve(row.fileName());
    }

    private static AppImport.Mode mode(ImportRow row) {
        return row.mode().equals("insert") ? AppImport.Mode.INSERT : AppImport.Mode.UPSERT;
    }

    /** The row in {@code state}, changed at {@code at}, with its mode and history as they are. */
    private static ImportRow with(
            ImportRow r,
            String state,
            @Nullable Long size,
            @Nullable String node,
            @Nullable String result,
            Instant at) {
        return new ImportRow(
                r.id(), r.path(), r.fileName(), r.mode(), state, size, node, r.createdAt(), at, r.history(), result);
    }

    private static String history(String history, String from, String to, Instant at) {
        ArrayNode h = (ArrayNode) Json.parse(history, "import history");
        ObjectNode change = h.addObject();
        change.put("created_at", Timestamps.format(at));
        change.put("prev_state", from);
        change.put("next_state", to);
        return h.toString();
    }

    private static ObjectNode toJson(ImportRow r) {
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("path", r.path());
        o.put("mode", r.mode());
        o.put("state", r.state());
        if (r.size() != null) {
            o.put("size", r.size());
        }
        o.put("created_at", Timestamps.format(r.createdAt()));
        o.put("updated_at", Timestamps.format(r.updatedAt()));
        o.set("history", Json.parse(r.history(), "import history"));
        if (r.result() != null) {
            o.set("result", Json.parse(r.result(), "import result"));
        }
        return o;
    }

    private String sign(String id, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] sig = mac.doFinal(("import-file\n" + id + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** This node's lasting name among the nodes sharing the database, kept in its folder of import files. */
    private static String nodeId(Path dir) {
        Path file = dir.resolve("node-id");
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            String id = UUID.randomUUID().toString();
            Path tmp = dir.resolve("node-id.tmp");
            Files.writeString(tmp, id, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep this node's id in " + file, e);
        }
    }

    private static final PrintStream SILENT = new PrintStream(OutputStream.nullOutputStream());
}
