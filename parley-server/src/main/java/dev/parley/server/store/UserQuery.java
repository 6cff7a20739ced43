package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.util.List;

/**
 * A query of users (PROTOCOL.md §7.1 U1, §9.3).
 *
 * @param filter the parsed {@code filter_conditions}
 * @param sort sort fields in order; empty means by {@code created_at} ascending, then id
 * @param limit page size, 1 to {@link #MAX_LIMIT}
 * @param offset rows to skip, 0 or more
 * @param includeDeactivated whether deactivated users are returned; deleted users never are unless
 *     the filter names them by id
 */
public record UserQuery(Filter filter, List<SortField> sort, int limit, int offset, boolean includeDeactivated) {
    public static final int DEFAULT_LIMIT = 30;
    public static final int MAX_LIMIT = 100;

    public UserQuery {
        requireNonNull(filter, "filter");
        sort = List.copyOf(sort);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
