package dev.parley.server.uploads;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Uploaded files on disk, in one folder ({@code <dataDir>/uploads}) whatever the database: each upload
 * is {@code <id>} (the bytes) and {@code <id>.json} (channel, uploader, name, type, size), where the id is
 * a random UUID, so that an id from a URL can never name another path. Both files are written to a
 * temporary name and moved into place. Bodies still arriving live in {@code <dataDir>/uploads/incoming}
 * ({@link #prepareIncoming}). Thread-safe; blocking.
 */
public final class UploadStore {
    /** The folder, inside {@link #dir()}, of bodies still arriving; never a valid upload id. */
    static final String INCOMING = "incoming";

    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** What is known of one upload. */
    public record StoredFile(
            String id,
            String cid,
            @Nullable String userId,
            String fileName,
            String contentType,
            long size,
            Instant createdAt,
            Path path) {}

    private final Path dir;

    public UploadStore(Path dir) {
        this.dir = requireNonNull(dir, "dir");
    }

    public Path dir() {
        return dir;
    }

    /**
     * Stores a file and returns the new upload. A file on disk is moved into place, never read into memory;
     * the bytes are in place before the metadata that makes them visible to {@link #find}.
     */
    public StoredFile save(
            String cid,
            @Nullable String userId,
            String fileName,
            String contentType,
            UploadForm.UploadedFile file,
            Instant now) {
        String id = UUID.randomUUID().toString();
        long size = file.size();
        ObjectNode meta = Json.object();
        meta.put("cid", cid);
        if (userId != null) {
            meta.put("user_id", userId);
        }
        meta.put("file_name", fileName);
        meta.put("content_type", contentType);
        meta.put("size", size);
        meta.put("created_at", Timestamps.format(now));
        Path target = dir.resolve(id);
        try {
            Files.createDirectories(dir);
            Path tmp = target.resolveSibling(id + ".tmp");
            file.transferTo(tmp);
            move(tmp, target);
            write(dir.resolve(id + ".json"), Json.writeBytes(meta));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(dir.resolve(id + ".tmp"));
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the original failure is the one worth reporting
            }
            throw new UncheckedIOException("cannot store upload " + id + " in " + dir, e);
        }
        return new StoredFile(id, cid, userId, fileName, contentType, size, now.truncatedTo(ChronoUnit.MICROS), target);
    }

    /**
     * The folder where the transport writes upload bodies while they arrive: inside the store's folder, so
     * that storing a file is a rename. Created, and emptied of what a stopped server left there.
     */
    public Path prepareIncoming() {
        Path incoming = dir.resolve(INCOMING);
        try {
            Files.createDirectories(incoming);
            try (var leftovers = Files.list(incoming)) {
                for (Path p : (Iterable<Path>) leftovers::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + incoming, e);
        }
        return incoming;
    }

    /** The upload with this id; empty for an unknown or malformed id. */
    public Optional<StoredFile> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            ObjectNode meta = Json.parseObject(Files.readString(dir.resolve(id + ".json")), "upload metadata");
            return Optional.of(new StoredFile(
                    id,
                    meta.path("cid").asText(),
                    meta.path("user_id").asText(null),
                    meta.path("file_name").asText(),
                    meta.path("content_type").asText("application/octet-stream"),
                    meta.path("size").asLong(),
                    Timestamps.parse(meta.path("created_at").asText(), "created_at"),
                    dir.resolve(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read upload " + id, e);
        }
    }

    /** Deletes an upload; false when there was none. */
    public boolean delete(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        try {
            boolean existed = Files.deleteIfExists(dir.resolve(id + ".json"));
            Files.deleteIfExists(dir.resolve(id));
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete upload " + id, e);
        }
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        move(tmp, target);
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
