package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.util.List;

/**
 * A page of one user's own items (drafts, reminders): a filter over the fields the store names, a sort, and an
 * offset. The store refuses a field or operator it does not know with code 4.
 *
 * @param userId whose items
 * @param filter the parsed filter; {@link Filter.All} for none
 * @param sort the sort fields, first first; empty for the store's default order
 * @param limit most items, at least 1
 * @param offset items to skip, at least 0
 */
public record PersonalQuery(String userId, Filter filter, List<SortField> sort, int limit, int offset) {
    public PersonalQuery {
        requireNonNull(userId, "userId");
        requireNonNull(filter, "filter");
        sort = List.copyOf(sort);
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
