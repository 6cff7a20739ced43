package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.SortField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates the filters and sorts of {@code POST /polls/query} and {@code POST /polls/{id}/votes} (PROTOCOL.md
 * §7.21) into SQL on {@code polls} and {@code poll_votes}: each field the SDK sends is a column of a kind, operands
 * are always bound, and anything else is refused with code 4. Thread-safe.
 */
final class PollQueryTranslator {
    private enum Kind {
        STRING,
        BOOLEAN,
        INTEGER,
        TIME,
        /** {@code is_answer}: whether {@code answer_text} is set. */
        ANSWER
    }

    private record Column(String sql, Kind kind) {}

    static final PollQueryTranslator POLLS = new PollQueryTranslator(
            "QueryPolls",
            Map.ofEntries(
                    Map.entry("id", new Column("id", Kind.STRING)),
                    Map.entry("name", new Column("name", Kind.STRING)),
                    Map.entry("created_by_id", new Column("created_by_id", Kind.STRING)),
                    Map.entry("user_id", new Column("created_by_id", Kind.STRING)),
                    Map.entry("voting_visibility", new Column("voting_visibility", Kind.STRING)),
                    Map.entry("is_closed", new Column("is_closed", Kind.BOOLEAN)),
                    Map.entry("enforce_unique_vote", new Column("enforce_unique_vote", Kind.BOOLEAN)),
                    Map.entry("allow_answers", new Column("allow_answers", Kind.BOOLEAN)),
                    Map.entry("allow_user_suggested_options", new Column("allow_user_suggested_options", Kind.BOOLEAN)),
                    Map.entry("max_votes_allowed", new Column("max_votes_allowed", Kind.INTEGER)),
                    Map.entry("created_at", new Column("created_at", Kind.TIME)),
                    Map.entry("updated_at", new Column("updated_at", Kind.TIME))),
            Map.of(
                    "id", "id",
                    "name", "name",
                    "is_closed", "is_closed",
                    "created_at", "created_at",
                    "updated_at", "updated_at"));

    static final PollQueryTranslator VOTES = new PollQueryTranslator(
            "QueryPollVotes",
            Map.of(
                    "id", new Column("id", Kind.STRING),
                    "option_id", new Column("option_id", Kind.STRING),
                    "user_id", new Column("user_id", Kind.STRING),
                    "is_answer", new Column("answer_text", Kind.ANSWER),
                    "created_at", new Column("created_at", Kind.TIME),
                    "updated_at", new Column("updated_at", Kind.TIME)),
            Map.of("id", "id", "created_at", "created_at", "updated_at", "updated_at"));

    private final String endpoint;
    private final Map<String, Column> columns;
    private final Map<String, String> sortable;

    private PollQueryTranslator(String endpoint, Map<String, Column> columns, Map<String, String> sortable) {
        this.endpoint = endpoint;
        this.columns = columns;
        this.sortable = sortable;
    }

    void filter(SqlBuilder b, Filter f) {
        switch (f) {
            case Filter.All all -> b.sql("1 = 1");
            case Filter.And and -> join(b, and.filters(), " AND ");
            case Filter.Or or -> join(b, or.filters(), " OR ");
            case Filter.Nor nor -> FilterSql.negate(b, x -> join(x, nor.filters(), " OR "));
            case Condition c -> condition(b, c);
        }
    }

    /** {@code ORDER BY} the sort, then newest first and by id, so that pages never overlap. */
    void orderBy(SqlBuilder b, List<SortField> sort) {
        List<String> terms = new ArrayList<>();
        for (SortField f : sort) {
            String column = sortable.get(f.field());
            if (column == null) {
                throw ChatException.input(endpoint + " failed with error: \"sort field '" + f.field()
                        + "' is not supported (expected one of "
                        + String.join(", ", sortable.keySet().stream().sorted().toList()) + ")\"");
            }
            terms.add(column + (f.ascending() ? " ASC" : " DESC"));
        }
        terms.add("created_at DESC");
        terms.add("id DESC");
        b.sql(" ORDER BY " + String.join(", ", terms));
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
        Column col = columns.get(c.field());
        if (col == null) {
            throw ChatException.input(
                    endpoint + " failed with error: \"field '" + c.field() + "' is not supported in the filter\"");
        }
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ, NE, GT, GTE, LT, LTE -> {
                if (col.kind == Kind.ANSWER) {
                    require(c, v.isBoolean() && c.op() == Filter.Op.EQ, "$eq with true or false");
                    b.sql(col.sql + (v.asBoolean() ? " IS NOT NULL" : " IS NULL"));
                    return;
                }
                if (col.kind == Kind.BOOLEAN) {
                    require(c, v.isBoolean() && (c.op() == Filter.Op.EQ || c.op() == Filter.Op.NE), "true or false");
                }
                b.sql(col.sql + operator(c.op()));
                operand(b, c, col, v);
            }
            case IN, NIN -> {
                require(c, v.isArray() && !v.isEmpty() && v.size() <= 100, "an array of 1 to 100 values");
                b.sql(c.op() == Filter.Op.NIN ? "NOT " : "").sql(col.sql + " IN (");
                for (int i = 0; i < v.size(); i++) {
                    b.sql(i == 0 ? "" : ", ");
                    operand(b, c, col, v.get(i));
                }
                b.sql(")");
            }
            case EXISTS -> {
                require(c, v.isBoolean(), "true or false");
                b.sql(col.sql + (v.asBoolean() ? " IS NOT NULL" : " IS NULL"));
            }
            default ->
                throw ChatException.input(endpoint + " failed with error: \"operator " + c.op().wire()
                        + " is not supported on " + c.field() + "\"");
        }
    }

    private static String operator(Filter.Op op) {
        return switch (op) {
            case EQ -> " = ";
            case NE -> " <> ";
            default -> FilterSql.comparison(op);
        };
    }

    private void operand(SqlBuilder b, Condition c, Column col, JsonNode v) {
        switch (col.kind) {
            case STRING -> {
                require(c, v.isTextual(), "a string");
                b.param(v.asText());
            }
            case BOOLEAN, ANSWER -> {
                require(c, v.isBoolean(), "true or false");
                b.param(v.asBoolean() ? 1 : 0);
            }
            case INTEGER -> {
                require(c, v.canConvertToInt() && v.isIntegralNumber(), "an integer");
                b.param(v.asInt());
            }
            case TIME -> {
                require(c, v.isTextual(), "an RFC 3339 timestamp");
                b.param(Timestamps.toMicros(Timestamps.parse(v.asText(), c.field())));
            }
        }
    }

    private void require(Condition c, boolean ok, String expected) {
        if (!ok) {
            throw ChatException.input(endpoint + " failed with error: \"" + c.field() + " " + c.op().wire()
                    + ": expected " + expected + "\"");
        }
    }
}
