package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Imports through the HTTP routes (PROTOCOL.md §17.5): one row per upload URL handed out, which becomes an
 * import task once its file is uploaded and the import is asked for. A change of state is a compare-and-set on
 * the stored state, so that of several nodes or threads only one moves a task on. Blocking and thread-safe.
 */
public interface ImportStore {
    /**
     * One import.
     *
     * @param path what the upload URL answer calls the file, unique
     * @param fileName the file's name as the client gave it
     * @param mode {@code upsert} or {@code insert}
     * @param size the file's size once uploaded
     * @param node the node whose disk holds the file once uploaded
     * @param history JSON array of the state changes
     * @param result JSON object of the outcome, once there is one
     */
    record ImportRow(
            String id,
            String path,
            String fileName,
            String mode,
            String state,
            @Nullable Long size,
            @Nullable String node,
            Instant createdAt,
            Instant updatedAt,
            String history,
            @Nullable String result) {
        public ImportRow {
            requireNonNull(id, "id");
            requireNonNull(path, "path");
            requireNonNull(fileName, "fileName");
            requireNonNull(mode, "mode");
            requireNonNull(state, "state");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
            requireNonNull(history, "history");
        }
    }

    /** Adds a row; its id and path are new. */
    void insert(ImportRow row);

    Optional<ImportRow> find(String id);

    Optional<ImportRow> findByPath(String path);

    /** Replaces the row of {@code row.id()} with {@code row} when its stored state is {@code expectedState}. */
    boolean replace(ImportRow row, String expectedState);

    /** The rows in one of {@code states}, newest first, after skipping {@code offset}. */
    List<ImportRow> list(Collection<String> states, int limit, int offset);

    /** The rows of {@code node} in one of {@code states}, oldest first, at most {@code limit}. */
    List<ImportRow> ofNode(String node, Collection<String> states, int limit);

    /** Deletes the rows in one of {@code states} last changed before {@code before}; answers their ids. */
    List<String> deleteOlder(Collection<String> states, Instant before, int limit);
}
