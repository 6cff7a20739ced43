package dev.parley.server.transport;

import dev.parley.server.uploads.UploadForm;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A request body that is one file, not a form (an import file's upload, PROTOCOL.md §17.5), written to disk as it
 * arrives. Only its upload's serial executor touches it. The file is deleted by {@link #destroy} unless the handler
 * moved it into place.
 */
final class RawBody {
    private final Path file;
    private final FileChannel out;
    private long size;
    private boolean moved;

    RawBody(Path dir) throws IOException {
        this.file = Files.createTempFile(dir, "body-", ".part");
        this.out = FileChannel.open(file, StandardOpenOption.WRITE);
    }

    void write(ByteBuf bytes) throws IOException {
        while (bytes.isReadable()) {
            size += bytes.readBytes(out, bytes.readableBytes());
        }
    }

    /** The body as a form of one file part, {@code body}; the file is complete. */
    UploadForm form() throws IOException {
        out.force(false);
        out.close();
        long length = size;
        UploadForm.UploadedFile part = new UploadForm.UploadedFile() {
            @Override
            public String fieldName() {
                return "body";
            }

            @Override
            public String fileName() {
                return "";
            }

            @Override
            public String contentType() {
                return "application/octet-stream";
            }

            @Override
            public long size() {
                return length;
            }

            @Override
            public void transferTo(Path target) throws IOException {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                moved = true;
            }
        };
        return new UploadForm(Map.of(), List.of(part));
    }

    void destroy() {
        try {
            out.close();
            if (!moved) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temporary file left behind is deleted when the node starts again (ImportTasks)
        }
    }
}
