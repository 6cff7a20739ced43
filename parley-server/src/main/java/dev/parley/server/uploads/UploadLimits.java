package dev.parley.server.uploads;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import java.util.Locale;

/**
 * The checks of {@code app.file_upload_config} / {@code app.image_upload_config} (PROTOCOL.md §7.9):
 * allowed and blocked extensions and MIME types (entries such as {@code ".png"}, {@code "png"},
 * {@code "image/*"}), and {@code size_limit} in bytes (0 or absent: the server's upload limit). A type or
 * extension refused is code 4; a file too large is code 22. Stateless.
 */
public final class UploadLimits {
    private UploadLimits() {}

    public static void check(JsonNode config, String fileName, String contentType, long size, long serverLimit) {
        long limit = config.path("size_limit").asLong(0);
        long effective = limit > 0 ? Math.min(limit, serverLimit) : serverLimit;
        if (size > effective) {
            throw new ChatException(
                    ErrorCode.PAYLOAD_TOO_BIG,
                    "UploadFile failed with error: \"file is " + size + " bytes (expected: at most " + effective
                            + ")\"");
        }
        String ext = extension(fileName);
        String type = contentType.toLowerCase(Locale.ROOT);
        JsonNode allowedExt = config.path("allowed_file_extensions");
        if (allowedExt.isArray() && !allowedExt.isEmpty() && !matchesExtension(allowedExt, ext)) {
            throw refused("extension '" + ext + "' is not among the allowed file extensions");
        }
        if (matchesExtension(config.path("blocked_file_extensions"), ext)) {
            throw refused("extension '" + ext + "' is blocked");
        }
        JsonNode allowedTypes = config.path("allowed_mime_types");
        if (allowedTypes.isArray() && !allowedTypes.isEmpty() && !matchesType(allowedTypes, type)) {
            throw refused("MIME type '" + type + "' is not among the allowed MIME types");
        }
        if (matchesType(config.path("blocked_mime_types"), type)) {
            throw refused("MIME type '" + type + "' is blocked");
        }
    }

    /** The lower-case extension without the dot, or "" when the name has none. */
    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 || dot == fileName.length() - 1
                ? ""
                : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static boolean matchesExtension(JsonNode list, String ext) {
        for (JsonNode n : list) {
            String e = n.asText().toLowerCase(Locale.ROOT);
            if ((e.startsWith(".") ? e.substring(1) : e).equals(ext)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesType(JsonNode list, String type) {
        for (JsonNode n : list) {
            String t = n.asText().toLowerCase(Locale.ROOT);
            if (t.equals(type) || (t.endsWith("/*") && type.startsWith(t.substring(0, t.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static ChatException refused(String detail) {
        return ChatException.input("UploadFile failed with error: \"" + detail + "\"");
    }
}
