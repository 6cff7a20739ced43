package dev.parley.server.uploads;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded {@code multipart/form-data} body of an upload: its small text fields and its files. The
 * transport decodes the body as it arrives and holds large files on disk; a form is valid only while the
 * request is handled, after which the transport deletes whatever was not moved into the store.
 *
 * @param fields the text fields, first value of each name
 * @param files the file parts, in body order
 */
public record UploadForm(Map<String, String> fields, List<UploadedFile> files) {
    public UploadForm {
        fields = Map.copyOf(fields);
        files = List.copyOf(files);
    }

    /** The first file part named {@code name}. */
    public Optional<UploadedFile> file(String name) {
        return files.stream().filter(f -> f.fieldName().equals(name)).findFirst();
    }

    /** The text field named {@code name}. */
    public Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** One file part; blocking. */
    public interface UploadedFile {
        String fieldName();

        /** The file name the client sent, possibly empty. */
        String fileName();

        /** The part's Content-Type as sent, or null. */
        String contentType();

        long size();

        /**
         * Puts the bytes at {@code target}, a path that does not exist yet: a file already on disk is moved
         * there, never read into memory. Called at most once.
         */
        void transferTo(Path target) throws IOException;

        /** A file held in memory, as small parts and tests have it. */
        static UploadedFile ofBytes(String fieldName, String fileName, String contentType, byte[] bytes) {
            requireNonNull(fieldName, "fieldName");
            requireNonNull(bytes, "bytes");
            return new UploadedFile() {
                @Override
                public String fieldName() {
                    return fieldName;
                }

                @Override
                public String fileName() {
                    return fileName == null ? "" : fileName;
                }

                @Override
                public String contentType() {
                    return contentType;
                }

                @Override
                public long size() {
                    return bytes.length;
                }

                @Override
                public void transferTo(Path target) throws IOException {
                    Files.write(target, bytes);
                }
            };
        }
    }
}
