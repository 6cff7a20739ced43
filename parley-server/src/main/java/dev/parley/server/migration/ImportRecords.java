package dev.parley.server.migration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Reads the records of an import file (PROTOCOL.md §17) one at a time, in bounded memory: a JSON array of
 * records, read with Jackson's streaming parser, when the first non-blank byte is {@code [}; JSON Lines, one
 * record a line, when it is {@code {}. Every record is {@code {"type": ..., "item": {...}}}.
 *
 * <p>A record that cannot be read comes back with its error and reading goes on, except in a JSON array that
 * stops being valid JSON: nothing after it can be trusted, so that error ends the file. Not thread-safe.
 */
final class ImportRecords implements Iterator<ImportRecords.Record>, AutoCloseable {
    /** Longest record accepted (characters of a JSON Lines line): a record past it is reported, not read. */
    static final int MAX_RECORD_CHARS = 4 * 1024 * 1024;

    /**
     * One record: its ordinal (1-based, counting bad records too), the line it starts on, and its type and item,
     * or why it is bad.
     */
    record Record(
            long ordinal,
            long line,
            @Nullable String type,
            @Nullable ObjectNode item,
            @Nullable String field,
            @Nullable String error) {
        boolean bad() {
            return error != null;
        }
    }

    private final BufferedReader reader;
    private final boolean array;
    private @Nullable JsonParser parser;
    private long lineNo;
    private long ordinal;
    private @Nullable Record next;
    private boolean done;

    /** Opens {@code in}; throws {@link IllegalArgumentException} when it starts with neither {@code [} nor {@code {}. */
    ImportRecords(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        int first = firstNonBlank(buffered);
        if (first != '[' && first != '{') {
            throw new IllegalArgumentException("import: the file starts with neither '[' (a JSON array of records)"
                    + " nor '{' (JSON Lines, one record a line)");
        }
        this.array = first == '[';
        this.reader = new BufferedReader(new InputStreamReader(buffered, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Whether the first non-blank byte of the stream was {@code [}. */
    boolean isArray() {
        return array;
    }

    private static int firstNonBlank(BufferedInputStream in) throws IOException {
        in.mark(1 << 16);
        int b;
        int read = 0;
        do {
            b = in.read();
            read++;
        } while (b == ' ' || b == '\t' || b == '\r' || b == '\n');
        if (read < (1 << 16)) {
            in.reset();
        }
        return b;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = array ? readArray() : readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            done = next == null;
        }
        return next != null;
    }

    @Override
    public Record next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Record r = java.util.Objects.requireNonNull(next);
        next = null;
        return r;
    }

    private @Nullable Record readLine() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            ordinal++;
            if (line.length() > MAX_RECORD_CHARS) {
                return bad(lineNo, null, "record longer than " + MAX_RECORD_CHARS + " characters");
            }
            JsonNode n;
            try {
                n = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                return bad(lineNo, null, "not valid JSON: " + e.getOriginalMessage());
            }
            return record(lineNo, n);
        }
        return null;
    }

    private @Nullable Record readArray() throws IOException {
        JsonParser p = parser;
        try {
            if (p == null) {
                p = Json.mapper().getFactory().createParser(reader);
                parser = p;
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    return bad(1, null, "expected a JSON array of records");
                }
            }
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.END_ARRAY) {
                return null;
            }
            long line = p.currentTokenLocation().getLineNr();
            ordinal++;
            JsonNode n = p.readValueAsTree();
            return record(line, n);
        } catch (JsonProcessingException e) {
            done = true;
            ordinal++;
            long line = e.getLocation() == null ? lineNo : e.getLocation().getLineNr();
            return bad(line, null, "not valid JSON, the rest of the file is not read: " + e.getOriginalMessage());
        }
    }

    private Record record(long line, @Nullable JsonNode n) {
        if (n == null || !n.isObject()) {
            return bad(line, null, "a record must be an object {\"type\": ..., \"item\": {...}}");
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            return bad(line, "type", "required, a string");
        }
        JsonNode item = n.get("item");
        if (item == null || !item.isObject()) {
            return bad(line, "item", "required, an object");
        }
        return new Record(ordinal, line, type.asText(), (ObjectNode) item, null, null);
    }

    private Record bad(long line, @Nullable String field, String why) {
        return new Record(ordinal, line, null, null, field, why);
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
        reader.close();
    }
}
