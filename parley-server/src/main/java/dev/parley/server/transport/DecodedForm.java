package dev.parley.server.transport;

import dev.parley.protocol.ChatException;
import dev.parley.server.uploads.UploadForm;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What Netty's multipart decoder produced, as the API sees it ({@link UploadForm}): text fields up to a size,
 * and the file parts where the decoder left them. Valid until the decoder is destroyed. Blocking.
 */
final class DecodedForm {
    private DecodedForm() {}

    /** The decoded parts as the API sees them: files stay where the decoder put them until stored. */
    static UploadForm of(HttpPostRequestDecoder decoder, String endpoint, int maxFieldBytes) {
        Map<String, String> fields = new HashMap<>();
        List<UploadForm.UploadedFile> parts = new ArrayList<>();
        for (InterfaceHttpData d : decoder.getBodyHttpDatas()) {
            if (d instanceof FileUpload f && f.isCompleted()) {
                parts.add(new DecodedFile(f));
            } else if (d instanceof Attribute a && a.isCompleted()) {
                if (a.length() > maxFieldBytes) {
                    throw ChatException.input(endpoint + " failed with error: \"the multipart field '" + a.getName()
                            + "' is larger than " + maxFieldBytes + " bytes\"");
                }
                try {
                    fields.putIfAbsent(a.getName(), a.getValue());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new UploadForm(fields, parts);
    }

    /** A decoded file part: in memory when small, else a file the decoder wrote, which is moved. */
    private record DecodedFile(FileUpload upload) implements UploadForm.UploadedFile {
        @Override
        public String fieldName() {
            return upload.getName();
        }

        @Override
        public String fileName() {
            return upload.getFilename();
        }

        @Override
        public String contentType() {
            return upload.getContentType();
        }

        @Override
        public long size() {
            return upload.length();
        }

        @Override
        public void transferTo(Path target) throws IOException {
            if (upload.isInMemory()) {
                Files.write(target, upload.get());
            } else {
                Files.move(upload.getFile().toPath(), target);
            }
        }
    }
}
