package dev.parley.server.uploads;

import dev.parley.protocol.ChatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A parser of {@code multipart/form-data} bodies (RFC 7578) already held in memory: parts with their
 * field name, optional file name and content type. Malformed bodies are refused with code 4; at most
 * {@link #MAX_PARTS} parts and {@link #MAX_HEADER_BYTES} of headers per part are read. Stateless.
 */
public final class MultipartForm {
    static final int MAX_PARTS = 16;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    /** One part; {@code fileName} and {@code contentType} are null when the part did not name them. */
    public record Part(String name, String fileName, String contentType, byte[] bytes) {}

    private MultipartForm() {}

    /** The parts of {@code body} sent with the request header {@code contentType}. */
    public static List<Part> parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw bad("the body holds no part delimited by the boundary");
        }
        List<Part> parts = new ArrayList<>();
        int pos = at + delimiter.length;
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return parts;
            }
            if (!startsWith(body, pos, CRLF)) {
                throw bad("a boundary is not followed by a line break");
            }
            pos += 2;
            int headersEnd = indexOf(body, HEADER_END, pos);
            if (headersEnd < 0 || headersEnd - pos > MAX_HEADER_BYTES) {
                throw bad("a part's headers are missing or longer than " + MAX_HEADER_BYTES + " bytes");
            }
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headersEnd + HEADER_END.length;
            int contentEnd = indexOf(body, nextDelimiter, contentStart);
            if (contentEnd < 0) {
                throw bad("a part is not closed by the boundary");
            }
            if (parts.size() == MAX_PARTS) {
                throw bad("more than " + MAX_PARTS + " parts");
            }
            parts.add(part(headers, Arrays.copyOfRange(body, contentStart, contentEnd)));
            pos = contentEnd + nextDelimiter.length;
        }
    }

    /** The first part named {@code name}, or null. */
    public static Part find(List<Part> parts, String name) {
        return parts.stream().filter(p -> name.equals(p.name())).findFirst().orElse(null);
    }

    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw bad("Content-Type must be multipart/form-data (got " + (contentType == null ? "none" : "'"
                    + shorten(contentType) + "'") + ")");
        }
        String b = parameter(contentType, "boundary");
        if (b == null || b.isEmpty() || b.length() > 70) {
            throw bad("Content-Type has no boundary of 1 to 70 characters");
        }
        return b;
    }

    private static Part part(String headers, byte[] bytes) {
        String name = null;
        String fileName = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (key.equals("content-disposition")) {
                name = parameter(value, "name");
                fileName = parameter(value, "filename");
            } else if (key.equals("content-type")) {
                type = value;
            }
        }
        if (name == null) {
            throw bad("a part has no Content-Disposition name");
        }
        return new Part(name, fileName, type, bytes);
    }

    /** A parameter of a header value such as {@code form-data; name="file"; filename="a b.png"}. */
    static String parameter(String header, String key) {
        int i = 0;
        int n = header.length();
        while (i < n) {
            int semi = header.indexOf(';', i);
            if (semi < 0) {
                return null;
            }
            i = semi + 1;
            while (i < n && header.charAt(i) == ' ') {
                i++;
            }
            int eq = header.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String k = header.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            String v;
            int end;
            if (eq + 1 < n && header.charAt(eq + 1) == '"') {
                StringBuilder s = new StringBuilder();
                end = eq + 2;
                while (end < n && header.charAt(end) != '"') {
                    if (header.charAt(end) == '\\' && end + 1 < n) {
                        end++;
                    }
                    s.append(header.charAt(end++));
                }
                v = s.toString();
                end++;
            } else {
                end = header.indexOf(';', eq + 1);
                end = end < 0 ? n : end;
                v = header.substring(eq + 1, end).strip();
            }
            if (k.equals(key)) {
                return v;
            }
            i = end;
        }
        return null;
    }

    private static boolean startsWith(byte[] body, int at, byte[] prefix) {
        if (at + prefix.length > body.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (body[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        byte first = needle[0];
        int last = body.length - needle.length;
        for (int i = from; i <= last; i++) {
            if (body[i] == first && startsWith(body, i, needle)) {
                return i;
            }
        }
        return -1;
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    private static ChatException bad(String detail) {
        return ChatException.input("UploadFile failed with error: \"malformed multipart body: " + detail + "\"");
    }
}
