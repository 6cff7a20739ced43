package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A query of {@code POST /channels} (PROTOCOL.md §7.2, §9.2, §9.6).
 *
 * @param filter the parsed {@code filter_conditions}
 * @param sort sort fields; empty means {@code last_updated} descending
 * @param viewerId whose view: membership-based fields ({@code hidden}, {@code joined}) and visibility are
 *     computed for this user; null for a server-side query without a user, which sees every channel
 * @param openTypes channel types the viewer may read without being a member (livestream)
 */
public record ChannelQuery(
        Filter filter,
        List<SortField> sort,
        int limit,
        int offset,
        @Nullable String viewerId,
        Set<String> openTypes) {
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 30;
    public static final int MAX_OFFSET = 1000;

    public ChannelQuery {
        requireNonNull(filter, "filter");
        sort = List.copyOf(sort);
        openTypes = Set.copyOf(openTypes);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to " + MAX_LIMIT + ")");
        }
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: 0 to " + MAX_OFFSET + ")");
        }
    }
}
