package dev.parley.server.store;

import dev.parley.protocol.ChatException;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.Filter.Op;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** SQL pieces that the user and channel query translators write the same way. */
final class FilterSql {
    /** What a custom key may look like; anything else is refused before it reaches the database. */
    static final Pattern CUSTOM_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private FilterSql() {}

    /** {@code key} when it is a valid custom key, else an input error naming {@code where} it was. */
    static String customKey(String key, String where) {
        if (!CUSTOM_KEY.matcher(key).matches()) {
            String shown = key.length() > 64 ? key.substring(0, 64) + "..." : key;
            throw ChatException.input(where + ": field '" + shown
                    + "' is not a valid field name (expected: 1 to 64 characters of A-Z a-z 0-9 _ . -)");
        }
        return key;
    }

    /** NOT of a condition that may be NULL (unknown) in SQL: unknown counts as false before negation. */
    static void negate(SqlBuilder b, Consumer<SqlBuilder> condition) {
        b.sql("NOT COALESCE(");
        condition.accept(b);
        b.sql(", FALSE)");
    }

    /** The SQL operator of a range comparison, with a space on each side. */
    static String comparison(Op op) {
        return switch (op) {
            case GT -> " > ";
            case GTE -> " >= ";
            case LT -> " < ";
            case LTE -> " <= ";
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    /** Escapes the LIKE wildcards of {@code s} (and the escape itself) for {@code ESCAPE '\'}. */
    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static ChatException unsupported(Condition c, String what) {
        return ChatException.input(
                "filter_conditions." + c.field() + ": operator " + c.op().wire() + " is not supported for " + what);
    }
}
