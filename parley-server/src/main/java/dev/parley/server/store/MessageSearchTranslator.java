package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.Filter.Op;
import dev.parley.server.filter.SortField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Translates a {@link MessageSearch} into one SELECT on {@code messages} (PROTOCOL.md §9.5). Text
 * matching is case-insensitive {@code LIKE} on the message's {@code text} taken out of its JSON document
 * by the store's {@link SqlDialect} (SQLite's {@code lower} folds ASCII letters only): {@code $q} needs every word of the query,
 * {@code $autocomplete} a word starting with each. Operands are always bound; unknown fields and
 * operators are refused with code 4. Thread-safe.
 */
final class MessageSearchTranslator {
    /** Writes one operand expression into the SQL. */
    @FunctionalInterface
    private interface Column {
        void write(SqlBuilder b);
    }

    private final SqlDialect doc;

    /** {@code doc}: the dialect reading the message's JSON document ({@link SqlDialect#onDocument}). */
    MessageSearchTranslator(SqlDialect doc) {
        this.doc = doc;
    }

    SqlBuilder select(String columns, MessageSearch s) {
        SqlBuilder b =
                new SqlBuilder().sql("SELECT " + columns + " FROM messages WHERE deleted_at IS NULL AND cid IN (");
        for (int i = 0; i < s.cids().size(); i++) {
            b.sql(i == 0 ? "" : ", ").param(s.cids().get(i));
        }
        b.sql(") AND (");
        filter(b, s.filter());
        b.sql(")");
        orderBy(b, s.sort());
        return b.sql(" LIMIT ").param(s.limit()).sql(" OFFSET ").param(s.offset());
    }

    private void filter(SqlBuilder b, Filter f) {
        switch (f) {
            case Filter.All all -> b.sql("1 = 1");
            case Filter.And and -> join(b, and.filters(), " AND ");
            case Filter.Or or -> join(b, or.filters(), " OR ");
            case Filter.Nor nor -> {
                b.sql("NOT COALESCE(");
                join(b, nor.filters(), " OR ");
                b.sql(", FALSE)");
            }
            case Condition c -> condition(b, c);
        }
    }

    private void join(SqlBuilder b, List<Filter> filters, String operator) {
        b.sql("(");
        for (int i = 0; i < filters.size(); i++) {
            b.sql(i > 0 ? operator : "");
            filter(b, filters.get(i));
        }
        b.sql(")");
    }

    private void condition(SqlBuilder b, Condition c) {
        switch (c.field()) {
            case "text" -> text(b, c);
            case "id" -> string(b, x -> x.sql("id"), c);
            case "user.id", "user_id" -> string(b, x -> x.sql("user_id"), c);
            case "type" -> string(b, json("type"), c);
            case "parent_id" -> {
                if (c.op() == Op.EXISTS) {
                    b.sql(c.value().asBoolean() ? "parent_id IS NOT NULL" : "parent_id IS NULL");
                } else {
                    string(b, x -> x.sql("parent_id"), c);
                }
            }
            case "pinned" -> {
                require(c, c.op() == Op.EQ && c.value().isBoolean(), "$eq with true or false");
                b.sql(c.value().asBoolean() ? "pinned_at IS NOT NULL" : "pinned_at IS NULL");
            }
            case "created_at", "updated_at" -> time(b, c);
            default ->
                throw ChatException.input("Search failed with error: \"message field '" + c.field()
                        + "' is not supported in message_filter_conditions\"");
        }
    }

    /** The string under {@code key} of the message document, '' when absent or not a string. */
    private Column json(String key) {
        return b -> {
            b.sql("COALESCE(");
            doc.customScalar(b, key, SqlDialect.Scalar.STRING);
            b.sql(", '')");
        };
    }

    private void text(SqlBuilder b, Condition c) {
        Column text = json("text");
        Column column = x -> {
            x.sql("lower(");
            text.write(x);
            x.sql(")");
        };
        switch (c.op()) {
            case Q, AUTOCOMPLETE -> {
                List<String> words = words(c);
                if (words.isEmpty()) {
                    b.sql("1 = 0");
                    return;
                }
                b.sql("(");
                for (int i = 0; i < words.size(); i++) {
                    String w = escape(words.get(i));
                    b.sql(i == 0 ? "" : " AND ");
                    if (c.op() == Op.Q) {
                        column.write(b);
                        b.sql(" LIKE ").param("%" + w + "%").sql(" ESCAPE '\\'");
                    } else {
                        b.sql("(");
                        column.write(b);
                        b.sql(" LIKE ").param(w + "%").sql(" ESCAPE '\\' OR ");
                        column.write(b);
                        b.sql(" LIKE ").param("% " + w + "%").sql(" ESCAPE '\\')");
                    }
                }
                b.sql(")");
            }
            default -> string(b, text, c);
        }
    }

    private static List<String> words(Condition c) {
        require(c, c.value().isTextual(), "a string");
        List<String> out = new ArrayList<>();
        for (String w : c.value().asText().toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!w.isEmpty() && out.size() < 10) {
                out.add(w);
            }
        }
        return out;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static void string(SqlBuilder b, Column column, Condition c) {
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ, NE, GT, GTE, LT, LTE -> {
                require(c, v.isTextual(), "a string");
                column.write(b);
                b.sql(" " + comparison(c.op()) + " ").param(v.asText());
            }
            case IN, NIN -> {
                require(c, v.isArray() && !v.isEmpty() && v.size() <= 100, "an array of 1 to 100 strings");
                b.sql(c.op() == Op.NIN ? "NOT " : "");
                column.write(b);
                b.sql(" IN (");
                for (int i = 0; i < v.size(); i++) {
                    require(c, v.get(i).isTextual(), "an array of strings");
                    b.sql(i == 0 ? "" : ", ").param(v.get(i).asText());
                }
                b.sql(")");
            }
            default -> throw unsupported(c);
        }
    }

    private static void time(SqlBuilder b, Condition c) {
        switch (c.op()) {
            case EQ, NE, GT, GTE, LT, LTE -> {
                require(c, c.value().isTextual(), "an RFC 3339 timestamp");
                long micros = Timestamps.toMicros(Timestamps.parse(c.value().asText(), c.field()));
                b.sql(c.field() + " " + comparison(c.op()) + " ").param(micros);
            }
            default -> throw unsupported(c);
        }
    }

    private static String comparison(Op op) {
        return switch (op) {
            case EQ -> "=";
            case NE -> "<>";
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
            default -> throw new IllegalArgumentException(op.wire());
        };
    }

    private static void orderBy(SqlBuilder b, List<SortField> sort) {
        List<String> terms = new ArrayList<>();
        for (SortField f : sort) {
            String column = switch (f.field()) {
                case "relevance" -> "created_at";
                case "created_at", "updated_at", "id" -> f.field();
                default ->
                    throw ChatException.input("Search failed with error: \"sort field '" + f.field()
                            + "' is not supported (expected: relevance, created_at, updated_at or id)\"");
            };
            boolean ascending = f.field().equals("relevance") ? false : f.ascending();
            terms.add(column + (ascending ? " ASC" : " DESC"));
        }
        terms.add("created_at DESC");
        terms.add("id DESC");
        b.sql(" ORDER BY " + String.join(", ", terms));
    }

    private static void require(Condition c, boolean ok, String expected) {
        if (!ok) {
            throw ChatException.input(
                    "Search failed with error: \"" + c.field() + " " + c.op().wire() + ": expected " + expected + "\"");
        }
    }

    private static ChatException unsupported(Condition c) {
        return ChatException.input(
                "Search failed with error: \"operator " + c.op().wire() + " is not supported on " + c.field() + "\"");
    }
}
