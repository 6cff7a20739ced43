package dev.parley.server.store;

import static dev.parley.server.store.FilterSql.comparison;
import static dev.parley.server.store.FilterSql.customKey;
import static dev.parley.server.store.FilterSql.escapeLike;
import static dev.parley.server.store.FilterSql.negate;
import static dev.parley.server.store.FilterSql.unsupported;
import static dev.parley.server.store.JsonValues.scalar;
import static dev.parley.server.store.JsonValues.value;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.Filter.Op;
import dev.parley.server.filter.SortField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Translates a {@link UserQuery} into one SELECT on the {@code users} table (PROTOCOL.md §9.1, §9.3, §9.6).
 *
 * <p>Every operand is a bind parameter; field names become SQL only when they are one of the typed
 * columns, and custom keys are validated and bound. The logic is two-valued like the filter language:
 * a condition on a missing value is false, and {@code $ne}, {@code $nin} and {@code $nor} match users
 * without the field. Input errors are {@link ChatException}s with code 4 naming the field. Thread-safe.
 */
final class UserQueryTranslator {
    /** Most operands of one {@code $in} or {@code $nin}. */
    static final int MAX_LIST = 1000;

    private static final List<String> WORD_SEPARATORS = List.of(" ", "-", "\\_", ".");

    private enum Type {
        STRING,
        BOOLEAN,
        TIMESTAMP
    }

    private record Column(String name, Type type) {}

    private static final Map<String, Column> COLUMNS = Map.ofEntries(
            column("id", Type.STRING),
            column("role", Type.STRING),
            column("online", Type.BOOLEAN),
            column("invisible", Type.BOOLEAN),
            column("banned", Type.BOOLEAN),
            column("shadow_banned", Type.BOOLEAN),
            column("created_at", Type.TIMESTAMP),
            column("updated_at", Type.TIMESTAMP),
            column("last_active", Type.TIMESTAMP),
            column("ban_expires", Type.TIMESTAMP),
            column("deactivated_at", Type.TIMESTAMP),
            column("deleted_at", Type.TIMESTAMP),
            column("revoke_tokens_issued_before", Type.TIMESTAMP));

    private final SqlDialect dialect;

    UserQueryTranslator(SqlDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect");
    }

    /** The SELECT of {@link UserRows#COLUMNS} for {@code query}, with its parameters. */
    SqlBuilder select(UserQuery query) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + UserRows.COLUMNS + " FROM users WHERE ");
        if (!namesId(query.filter())) {
            b.sql("users.deleted_at IS NULL AND ");
        }
        if (!query.includeDeactivated()) {
            b.sql("users.deactivated_at IS NULL AND ");
        }
        b.sql("(");
        filter(b, query.filter());
        b.sql(")");
        orderBy(b, query.sort());
        b.sql(" LIMIT ").param(query.limit()).sql(" OFFSET ").param(query.offset());
        return b;
    }

    private static boolean namesId(Filter filter) {
        return filter.conditions().stream().anyMatch(c -> c.field().equals("id"));
    }

    private void filter(SqlBuilder b, Filter f) {
        switch (f) {
            case Filter.All all -> b.sql("1 = 1");
            case Filter.And and -> join(b, and.filters(), " AND ");
            case Filter.Or or -> join(b, or.filters(), " OR ");
            case Filter.Nor nor -> negate(b, x -> join(x, nor.filters(), " OR "));
            case Condition c -> condition(b, c);
        }
    }

    private void join(SqlBuilder b, List<Filter> filters, String operator) {
        b.sql("(");
        for (int i = 0; i < filters.size(); i++) {
            if (i > 0) {
                b.sql(operator);
            }
            filter(b, filters.get(i));
        }
        b.sql(")");
    }

    private void condition(SqlBuilder b, Condition c) {
        if (!COLUMNS.containsKey(c.field()) && !c.field().equals("teams")) {
            customKey(c.field(), "filter_conditions");
        }
        switch (c.op()) {
            case NE -> negate(b, x -> condition(x, new Condition(c.field(), Op.EQ, c.value())));
            case NIN -> negate(b, x -> condition(x, new Condition(c.field(), Op.IN, c.value())));
            case IN -> in(b, c);
            default -> fieldCondition(b, c);
        }
    }

    private void in(SqlBuilder b, Condition c) {
        if (c.value().isEmpty()) {
            b.sql("1 = 0");
            return;
        }
        if (c.value().size() > MAX_LIST) {
            throw ChatException.input(
                    name(c) + ": " + c.value().size() + " operands (expected: at most " + MAX_LIST + ")");
        }
        b.sql("(");
        boolean first = true;
        for (JsonNode element : c.value()) {
            if (!first) {
                b.sql(" OR ");
            }
            first = false;
            condition(b, new Condition(c.field(), Op.EQ, element));
        }
        b.sql(")");
    }

    private void fieldCondition(SqlBuilder b, Condition c) {
        Column column = COLUMNS.get(c.field());
        if (column != null) {
            typed(b, c, column);
        } else if (c.field().equals("teams")) {
            teams(b, c);
        } else if (c.field().equals("name") && (c.op() == Op.AUTOCOMPLETE || c.op() == Op.Q)) {
            like(b, x -> x.sql("users.name_lower"), c);
        } else {
            custom(b, c, customKey(c.field(), "filter_conditions"));
        }
    }

    private void typed(SqlBuilder b, Condition c, Column column) {
        String expr = "users." + column.name();
        switch (c.op()) {
            case EQ -> {
                if (c.value().isNull()) {
                    b.sql(expr + " IS NULL");
                } else {
                    b.sql(expr + " = ").param(operand(c, column));
                }
            }
            case GT, GTE, LT, LTE -> {
                if (column.type() == Type.BOOLEAN || c.value().isNull()) {
                    throw unsupported(c, "a " + describe(column.type()) + " field");
                }
                b.sql(expr + comparison(c.op())).param(operand(c, column));
            }
            case EXISTS -> b.sql(expr + (c.value().asBoolean() ? " IS NOT NULL" : " IS NULL"));
            case AUTOCOMPLETE, Q -> {
                if (column.type() != Type.STRING) {
                    throw unsupported(c, "a " + describe(column.type()) + " field");
                }
                like(b, x -> x.sql("lower(" + expr + ")"), c);
            }
            default -> throw unsupported(c, "a " + describe(column.type()) + " field");
        }
    }

    private static Object operand(Condition c, Column column) {
        JsonNode v = c.value();
        return switch (column.type()) {
            case STRING -> {
                requireOperand(c, v.isTextual(), "a string");
                yield v.asText();
            }
            case BOOLEAN -> {
                requireOperand(c, v.isBoolean(), "a boolean");
                yield v.asBoolean();
            }
            case TIMESTAMP -> {
                requireOperand(c, v.isTextual(), "an RFC 3339 timestamp string");
                yield Timestamps.toMicros(Timestamps.parse(v.asText(), "filter_conditions." + c.field()));
            }
        };
    }

    private void teams(SqlBuilder b, Condition c) {
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ -> {
                if (v.isNull()) {
                    negate(b, x -> dialect.arrayNotEmpty(x, "teams"));
                } else if (v.isArray()) {
                    b.sql("users.teams = " + dialect.jsonParam()).bind(teamList(c));
                } else {
                    requireOperand(c, v.isTextual(), "a team name or an array of team names");
                    dialect.arrayContains(b, "teams", null, v);
                }
            }
            case CONTAINS -> {
                requireOperand(c, v.isTextual(), "a team name");
                dialect.arrayContains(b, "teams", null, v);
            }
            case EXISTS -> {
                if (v.asBoolean()) {
                    dialect.arrayNotEmpty(b, "teams");
                } else {
                    negate(b, x -> dialect.arrayNotEmpty(x, "teams"));
                }
            }
            default -> throw unsupported(c, "the array field teams");
        }
    }

    private static String teamList(Condition c) {
        for (JsonNode t : c.value()) {
            requireOperand(c, t.isTextual(), "an array of team names");
        }
        return Json.write(c.value());
    }

    private void custom(SqlBuilder b, Condition c, String key) {
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ -> {
                if (v.isNull()) {
                    negate(b, x -> dialect.customExists(x, key));
                } else if (v.isContainerNode()) {
                    dialect.customJsonEquals(b, key, Json.write(v));
                } else {
                    dialect.customScalar(b, key, scalar(v));
                    b.sql(" = ").param(value(v));
                }
            }
            case GT, GTE, LT, LTE -> {
                requireOperand(c, v.isTextual() || v.isNumber(), "a string or a number");
                dialect.customScalar(b, key, scalar(v));
                b.sql(comparison(c.op())).param(value(v));
            }
            case EXISTS -> {
                if (v.asBoolean()) {
                    dialect.customExists(b, key);
                } else {
                    negate(b, x -> dialect.customExists(x, key));
                }
            }
            case CONTAINS -> {
                requireOperand(c, !v.isContainerNode(), "a string, number, boolean or null");
                dialect.arrayContains(b, "custom", key, v);
            }
            case AUTOCOMPLETE, Q ->
                like(
                        b,
                        x -> {
                            x.sql("lower(");
                            dialect.customScalar(x, key, SqlDialect.Scalar.STRING);
                            x.sql(")");
                        },
                        c);
            default -> throw unsupported(c, "a custom field");
        }
    }

    /**
     * Case-insensitive match: {@code $q} anywhere in the value, {@code $autocomplete} at the start of the
     * value or of any word in it. Wildcards in the operand are matched literally.
     */
    private static void like(SqlBuilder b, Consumer<SqlBuilder> expr, Condition c) {
        String needle = escapeLike(c.value().asText().toLowerCase(Locale.ROOT));
        List<String> patterns = new ArrayList<>();
        if (c.op() == Op.Q) {
            patterns.add("%" + needle + "%");
        } else {
            patterns.add(needle + "%");
            WORD_SEPARATORS.forEach(sep -> patterns.add("%" + sep + needle + "%"));
        }
        b.sql("(");
        for (int i = 0; i < patterns.size(); i++) {
            b.sql(i == 0 ? "" : " OR ");
            expr.accept(b);
            b.sql(" LIKE ").param(patterns.get(i)).sql(" ESCAPE '\\'");
        }
        b.sql(")");
    }

    private void orderBy(SqlBuilder b, List<SortField> sort) {
        List<SortField> fields = sort.isEmpty() ? List.of(new SortField("created_at", true)) : sort;
        b.sql(" ORDER BY ");
        for (SortField f : fields) {
            sortKey(b, f.field());
            b.sql(f.ascending() ? " ASC NULLS LAST, " : " DESC NULLS LAST, ");
        }
        b.sql("users.id ASC");
    }

    private void sortKey(SqlBuilder b, String field) {
        Column column = COLUMNS.get(field);
        if (column != null) {
            b.sql("users." + column.name());
        } else if (field.equals("name")) {
            b.sql("users.name_lower");
        } else if (field.equals("teams")) {
            throw ChatException.input("sort: field 'teams' cannot be sorted on (expected: a scalar field)");
        } else {
            dialect.customSortKey(b, customKey(field, "sort"));
        }
    }

    private static void requireOperand(Condition c, boolean ok, String expected) {
        if (!ok) {
            throw ChatException.input(name(c) + " must be " + expected);
        }
    }

    private static String name(Condition c) {
        return "filter_conditions." + c.field() + "." + c.op().wire();
    }

    private static String describe(Type type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private static Map.Entry<String, Column> column(String name, Type type) {
        return Map.entry(name, new Column(name, type));
    }
}
