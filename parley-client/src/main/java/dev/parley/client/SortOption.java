package dev.parley.client;

import static java.util.Objects.requireNonNull;

/**
 * One sort key of a query, sent as {@code {"field": ..., "direction": 1|-1}} (PROTOCOL.md §9.6).
 *
 * @param field the field to sort by
 * @param direction 1 ascending, -1 descending
 */
public record SortOption(String field, int direction) {
    public SortOption {
        requireNonNull(field, "field");
        if (direction != 1 && direction != -1) {
            throw new IllegalArgumentException("direction: " + direction + " (expected: 1 or -1)");
        }
    }

    public static SortOption asc(String field) {
        return new SortOption(field, 1);
    }

    public static SortOption desc(String field) {
        return new SortOption(field, -1);
    }
}
