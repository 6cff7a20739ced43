package dev.parley.server.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Reads user rows from a file for {@code parley import}, one {@link Row} at a time, in one of three formats:
 *
 * <ul>
 *   <li>{@code json}: an array of user objects (or {@code {"users": [...]}});
 *   <li>{@code ndjson}: one user object per line;
 *   <li>{@code csv}: a header row naming the fields ({@code id} required), then one user per row (RFC 4180
 *       quoting; empty cells are left out; {@code teams} holds team names separated by {@code |}).
 * </ul>
 *
 * <p>A row that cannot be read is returned with its error and its line number, and reading goes on; only a
 * JSON array that stops being valid JSON ends the file, since nothing after it can be trusted. Not thread-safe.
 */
final class UserRows implements Iterator<UserRows.Row>, AutoCloseable {

    /** One row: the user object, or why the row is bad; {@code line} is where it starts (1-based). */
    record Row(
            long line, @Nullable ObjectNode user, @Nullable String error) {
        boolean bad() {
            return error != null;
        }
    }

    enum Format {
        JSON,
        NDJSON,
        CSV;

        static Format of(String fileName) {
            String n = fileName.toLowerCase(Locale.ROOT);
            if (n.endsWith(".ndjson") || n.endsWith(".jsonl")) {
                return NDJSON;
            }
            if (n.endsWith(".json")) {
                return JSON;
            }
            if (n.endsWith(".csv")) {
                return CSV;
            }
            throw new IllegalArgumentException("import: cannot tell the format of '" + fileName
                    + "' (expected: a .json, .ndjson or .csv file, or --format json|ndjson|csv)");
        }
    }

    private final Format format;
    private final BufferedReader reader;
    private @Nullable JsonParser parser;
    private @Nullable List<String> header;
    private long lineNo;
    private @Nullable Row next;
    private boolean done;

    UserRows(InputStream in, Format format) {
        this.format = format;
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = read();
            done = next == null;
        }
        return next != null;
    }

    @Override
    public Row next() {
        Row r = hasNext() ? next : null;
        if (r == null) {
            throw new NoSuchElementException();
        }
        next = null;
        return r;
    }

    private @Nullable Row read() {
        try {
            return switch (format) {
                case NDJSON -> readNdjson();
                case CSV -> readCsv();
                case JSON -> readJsonArray();
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private @Nullable Row readNdjson() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (!line.isBlank()) {
                return object(lineNo, line);
            }
        }
        return null;
    }

    private static Row object(long line, String text) {
        try {
            JsonNode n = Json.mapper().readTree(text);
            if (n == null || !n.isObject()) {
                return new Row(line, null, "expected a JSON object");
            }
            return new Row(line, (ObjectNode) n, null);
        } catch (JsonProcessingException e) {
            return new Row(line, null, "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private @Nullable Row readJsonArray() throws IOException {
        if (parser == null) {
            parser = Json.mapper().getFactory().createParser(reader);
            JsonToken t = parser.nextToken();
            if (t == JsonToken.START_OBJECT) {
                // {"users": [...]}
                while ((t = parser.nextToken()) == JsonToken.FIELD_NAME && !"users".equals(parser.currentName())) {
                    parser.nextToken();
                    parser.skipChildren();
                }
                t = parser.nextToken();
            }
            if (t != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(
                        "import: a .json file must hold an array of users, or {\"users\": [...]}");
            }
        }
        JsonToken t;
        try {
            t = parser.nextToken();
        } catch (JsonProcessingException e) {
            return fatal(e);
        }
        if (t == null || t == JsonToken.END_ARRAY) {
            return null;
        }
        long line = parser.currentTokenLocation().getLineNr();
        try {
            JsonNode n = parser.readValueAsTree();
            if (!(n instanceof ObjectNode o)) {
                return new Row(line, null, "expected a JSON object");
            }
            return new Row(line, o, null);
        } catch (JsonProcessingException e) {
            return fatal(e);
        }
    }

    private Row fatal(JsonProcessingException e) {
        done = true;
        return new Row(
                e.getLocation() == null ? -1 : e.getLocation().getLineNr(),
                null,
                "not valid JSON, the rest of the file is skipped: " + e.getOriginalMessage());
    }

    private @Nullable Row readCsv() throws IOException {
        if (header == null) {
            long start = lineNo + 1;
            List<String> h = csvRecord();
            if (h == null) {
                return null;
            }
            header = h.stream().map(String::trim).toList();
            if (!header.contains("id")) {
                throw new IllegalArgumentException("import: the CSV header (line " + start + ") has no 'id' column");
            }
        }
        List<String> cells;
        long start;
        do {
            start = lineNo + 1;
            cells = csvRecord();
            if (cells == null) {
                return null;
            }
        } while (cells.size() == 1 && cells.get(0).isEmpty());
        if (cells.size() != header.size()) {
            return new Row(start, null, "has " + cells.size() + " cells, the header has " + header.size());
        }
        ObjectNode o = Json.object();
        for (int i = 0; i < cells.size(); i++) {
            String v = cells.get(i);
            if (v.isEmpty()) {
                continue;
            }
            String key = header.get(i);
            if (key.equals("teams")) {
                var teams = o.putArray("teams");
                for (String team : v.split("\\|")) {
                    teams.add(team.trim());
                }
            } else {
                o.put(key, v);
            }
        }
        return new Row(start, o, null);
    }

    /** One CSV record, possibly over several lines when a quoted cell holds line breaks; null at the end. */
    private @Nullable List<String> csvRecord() throws IOException {
        String line = reader.readLine();
        if (line == null) {
            return null;
        }
        lineNo++;
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (true) {
            if (i >= line.length()) {
                if (!quoted) {
                    break;
                }
                String more = reader.readLine();
                if (more == null) {
                    break;
                }
                lineNo++;
                cell.append('\n');
                line = more;
                i = 0;
                continue;
            }
            char c = line.charAt(i++);
            if (quoted) {
                if (c == '"' && i < line.length() && line.charAt(i) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
        reader.close();
    }
}
