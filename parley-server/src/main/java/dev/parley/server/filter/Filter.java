package dev.parley.server.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed filter of the filter language (PROTOCOL.md §9.1). Stores translate it into their own query
 * language; {@link FilterParser} builds it from JSON and refuses bad input with code 4.
 */
public sealed interface Filter {

    /** Matches everything: the empty filter {@code {}}. */
    record All() implements Filter {}

    record And(List<Filter> filters) implements Filter {
        public And {
            filters = List.copyOf(filters);
        }
    }

    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = List.copyOf(filters);
        }
    }

    record Nor(List<Filter> filters) implements Filter {
        public Nor {
            filters = List.copyOf(filters);
        }
    }

    /**
     * One condition on a field.
     *
     * @param field the field name as sent, for example {@code "name"} or a custom key
     * @param op the operator; a bare value is {@link Op#EQ}
     * @param value the JSON operand: a scalar, null, or an array for {@code $in}/{@code $nin}
     */
    record Condition(String field, Op op, JsonNode value) implements Filter {}

    /** The operators of §9.1. */
    enum Op {
        EQ("$eq"),
        NE("$ne"),
        GT("$gt"),
        GTE("$gte"),
        LT("$lt"),
        LTE("$lte"),
        IN("$in"),
        NIN("$nin"),
        EXISTS("$exists"),
        CONTAINS("$contains"),
        AUTOCOMPLETE("$autocomplete"),
        Q("$q");

        private final String wire;

        Op(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Op of(String wire) {
            for (Op op : values()) {
                if (op.wire.equals(wire)) {
                    return op;
                }
            }
            throw ChatException.input("filter operator '" + wire + "' is not supported");
        }
    }

    /** Parses {@code filter_conditions}; null or missing means {@link All}. */
    static Filter parse(JsonNode node) {
        return FilterParser.parse(node);
    }

    /** Every condition in this filter, for callers that look for a given field. */
    default List<Condition> conditions() {
        List<Condition> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(Filter f, List<Condition> out) {
        switch (f) {
            case All a -> {}
            case And a -> a.filters().forEach(x -> collect(x, out));
            case Or o -> o.filters().forEach(x -> collect(x, out));
            case Nor n -> n.filters().forEach(x -> collect(x, out));
            case Condition c -> out.add(c);
        }
    }
}
