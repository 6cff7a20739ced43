package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.util.List;

/**
 * A message search of {@code GET /search} (PROTOCOL.md §7.12, §9.5) within channels already checked
 * for the reader: {@code filter} on message fields ({@code text} with {@code $q}/{@code $autocomplete},
 * {@code id}, {@code user.id}, {@code type}, {@code parent_id}, {@code pinned}, {@code created_at},
 * {@code updated_at}); deleted messages are never found.
 *
 * @param cids the channels to search; empty finds nothing
 * @param sort empty means newest first; {@code relevance} is taken as newest first
 */
public record MessageSearch(List<String> cids, Filter filter, List<SortField> sort, int limit, int offset) {
    public static final int MAX_LIMIT = 100;
    public static final int MAX_OFFSET = 1000;
    public static final int MAX_CHANNELS = 1000;

    public MessageSearch {
        cids = List.copyOf(cids);
        requireNonNull(filter, "filter");
        sort = List.copyOf(sort);
        if (cids.size() > MAX_CHANNELS) {
            throw new IllegalArgumentException("cids: " + cids.size() + " (expected: at most " + MAX_CHANNELS + ")");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to " + MAX_LIMIT + ")");
        }
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: 0 to " + MAX_OFFSET + ")");
        }
    }
}
