package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.SortField;
import java.util.List;
import java.util.Map;

/**
 * Writes the WHERE and ORDER BY of a {@link PersonalQuery} (or another filtered page) for one table: each filterable field maps to a column
 * of a kind; {@code $and} of conditions with {@code $eq}, {@code $in}, the range operators and {@code $exists}
 * (on the columns that may be empty). Anything else is code 4 naming the field.
 */
final class PersonalQuerySql {
    /** How a column stores its field. */
    enum Kind {
        /** Text, never empty. */
        TEXT,
        /** Text where '' means absent (a draft's parent_id). */
        TEXT_EMPTY_ABSENT,
        /** Microseconds, never NULL. */
        TIME,
        /** Microseconds, NULL when absent. */
        TIME_NULLABLE,
        /** A boolean stored as 0 or 1. */
        BOOL
    }

    record Column(String name, Kind kind) {}

    private final String what;
    private final Map<String, Column> fields;
    private final Map<String, Column> sortable;
    private final String tieBreak;

    /**
     * @param what the items, for error messages
     * @param fields the filterable fields by name
     * @param sortable the sortable fields by name
     * @param tieBreak the ORDER BY tail that makes the order total (unique columns)
     */
    PersonalQuerySql(String what, Map<String, Column> fields, Map<String, Column> sortable, String tieBreak) {
        this.what = what;
        this.fields = Map.copyOf(fields);
        this.sortable = Map.copyOf(sortable);
        this.tieBreak = tieBreak;
    }

    /** Appends {@code AND ...} for the filter (nothing for {@link Filter.All}). */
    void where(SqlBuilder b, Filter filter) {
        switch (filter) {
            case Filter.All a -> {}
            case Filter.And and -> and.filters().forEach(f -> where(b, f));
            case Condition c -> condition(b, c);
            case Filter.Or o -> throw ChatException.input("filter: $or is not supported for " + what);
            case Filter.Nor n -> throw ChatException.input("filter: $nor is not supported for " + what);
        }
    }

    /** Appends {@code ORDER BY ...}: the asked fields, then {@code defaultOrder} when none, then the tie-break. */
    void orderBy(SqlBuilder b, List<SortField> sort, String defaultOrder) {
        StringBuilder order = new StringBuilder(" ORDER BY ");
        if (sort.isEmpty()) {
            order.append(defaultOrder).append(", ");
        }
        for (SortField s : sort) {
            Column c = sortable.get(s.field());
            if (c == null) {
                throw ChatException.input("sort: " + what + " cannot be sorted by '" + s.field()
                        + "' (expected: one of "
                        + String.join(", ", sortable.keySet().stream().sorted().toList()) + ")");
            }
            // NULLs (no remind_at) sort last either way, on both databases.
            if (c.kind() == Kind.TIME_NULLABLE) {
                order.append("CASE WHEN ").append(c.name()).append(" IS NULL THEN 1 ELSE 0 END, ");
            }
            order.append(c.name()).append(s.ascending() ? " ASC, " : " DESC, ");
        }
        order.append(tieBreak);
        b.sql(order.toString());
    }

    private void condition(SqlBuilder b, Condition c) {
        Column col = fields.get(c.field());
        if (col == null) {
            throw ChatException.input("filter: " + what + " cannot be filtered by '" + c.field()
                    + "' (expected: one of "
                    + String.join(", ", fields.keySet().stream().sorted().toList()) + ")");
        }
        String n = col.name();
        switch (c.op()) {
            case EQ -> {
                if (c.value().isNull()) {
                    absent(b, col, true);
                } else {
                    b.sql(" AND " + n + " = ").param(value(col, c.field(), c.value()));
                }
            }
            case IN -> {
                if (!c.value().isArray() || c.value().isEmpty()) {
                    throw ChatException.input("filter: " + c.field() + ".$in must be a non-empty array");
                }
                b.sql(" AND " + n + " IN (");
                for (int i = 0; i < c.value().size(); i++) {
                    b.sql(i == 0 ? "" : ", ")
                            .param(value(col, c.field(), c.value().get(i)));
                }
                b.sql(")");
            }
            case GT, GTE, LT, LTE -> {
                if (col.kind() != Kind.TIME && col.kind() != Kind.TIME_NULLABLE) {
                    throw FilterSql.unsupported(c, what);
                }
                b.sql(" AND " + n + FilterSql.comparison(c.op())).param(value(col, c.field(), c.value()));
            }
            case EXISTS -> {
                if (col.kind() != Kind.TEXT_EMPTY_ABSENT && col.kind() != Kind.TIME_NULLABLE) {
                    throw FilterSql.unsupported(c, what);
                }
                if (!c.value().isBoolean()) {
                    throw ChatException.input("filter: " + c.field() + ".$exists must be true or false");
                }
                absent(b, col, !c.value().asBoolean());
            }
            default -> throw FilterSql.unsupported(c, what);
        }
    }

    private static void absent(SqlBuilder b, Column col, boolean absent) {
        if (col.kind() == Kind.TEXT_EMPTY_ABSENT) {
            b.sql(" AND " + col.name() + (absent ? " = ''" : " <> ''"));
        } else {
            b.sql(" AND " + col.name() + (absent ? " IS NULL" : " IS NOT NULL"));
        }
    }

    private static Object value(Column col, String field, JsonNode v) {
        return switch (col.kind()) {
            case TEXT, TEXT_EMPTY_ABSENT -> {
                if (!v.isTextual()) {
                    throw ChatException.input("filter: " + field + " must be compared with a string");
                }
                yield v.asText();
            }
            case TIME, TIME_NULLABLE -> {
                if (!v.isTextual()) {
                    throw ChatException.input("filter: " + field + " must be compared with a timestamp");
                }
                yield Timestamps.toMicros(Timestamps.parse(v.asText(), "filter." + field));
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw ChatException.input("filter: " + field + " must be compared with true or false");
                }
                yield v.asBoolean() ? 1 : 0;
            }
        };
    }
}
