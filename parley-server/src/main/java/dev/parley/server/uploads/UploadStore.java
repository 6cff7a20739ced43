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
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Uploaded files on disk, in one folder ({@code <dataDir>/uploads}) whatever the database: each upload
 * is {@code <id>} (the bytes) and {@code <id>.json} (channel, uploader, name, type, size), where the id is
 * a random UUID, so that an id from a URL can never name another path. Both files are written to a
 * temporary name and moved into place. Thread-safe; blocking.
 */
public final class UploadStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** What is known of one upload. */
    public record StoredFile(String id, String cid, String userId, String fileName, String contentType, long size,
            Instant createdAt, Path path) {}

    private final Path dir;

    public UploadStore(Path dir) {
        this.dir = requireNonNull(dir, "dir");
    }

    public Path dir() {
        return dir;
    }

    /** Stores the bytes and returns the new upload. */
    public StoredFile save(String cid, String userId, String fileName, String contentType, byte[] bytes, Instant now) {
        String id = UUID.randomUUID().toString();
        ObjectNode meta = Json.object();
        meta.put("cid", cid);
        if (userId != null) {
            meta.put("user_id", userId);
        }
        meta.put("file_name", fileName);
        meta.put("content_type", contentType);
        meta.put("size", bytes.length);
        meta.put("created_at", Timestamps.format(now));
        try {
            Files.createDirectories(dir);
            write(dir.resolve(id), bytes);
            write(dir.resolve(id + ".json"), Json.writeBytes(meta));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store upload " + id + " in " + dir, e);
        }
        return new StoredFile(id, cid, userId, fileName, contentType, bytes.length, Timestamps.truncate(now),
                dir.resolve(id));
    }

    /** The upload with this id; empty for an unknown or malformed id. */
    public Optional<StoredFile> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            ObjectNode meta = Json.parseObject(Files.readString(dir.resolve(id + ".json")), "upload metadata");
            return Optional.of(new StoredFile(id, meta.path("cid").asText(), meta.path("user_id").asText(null),
                    meta.path("file_name").asText(), meta.path("content_type").asText("application/octet-stream"),
                    meta.path("size").asLong(), Timestamps.parse(meta.path("created_at").asText(), "created_at"),
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
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
