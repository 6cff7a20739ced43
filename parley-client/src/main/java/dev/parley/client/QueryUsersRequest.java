package dev.parley.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue.JsonObject;
import java.util.List;

/**
 * The payload of {@code GET /users} (PROTOCOL.md §7.1 U1).
 *
 * @param filter filter conditions in the filter language of §9.1, for example {@code {"id":{"$in":["a"]}}}
 * @param sort sort keys, possibly empty
 * @param presence subscribe this connection to the returned users' presence; forced off while there is
 *     no connection
 * @param limit page size; 0 for the server's default
 * @param offset number of users to skip
 */
public record QueryUsersRequest(JsonObject filter, List<SortOption> sort, boolean presence, int limit, int offset) {
    public QueryUsersRequest {
        requireNonNull(filter, "filter");
        sort = sort == null ? List.of() : List.copyOf(sort);
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }

    /** Users matching {@code filter}, default sort and page size, no presence. */
    public static QueryUsersRequest of(JsonObject filter) {
        return new QueryUsersRequest(filter, List.of(), false, 0, 0);
    }

    /** Users whose id is one of {@code ids}. */
    public static QueryUsersRequest byIds(String... ids) {
        return of(JsonObject.of("id", JsonObject.of("$in", List.of(ids))));
    }

    public QueryUsersRequest withSort(SortOption... keys) {
        return new QueryUsersRequest(filter, List.of(keys), presence, limit, offset);
    }

    public QueryUsersRequest withPresence(boolean value) {
        return new QueryUsersRequest(filter, sort, value, limit, offset);
    }

    public QueryUsersRequest withPage(int newLimit, int newOffset) {
        return new QueryUsersRequest(filter, sort, presence, newLimit, newOffset);
    }

    /** The payload as sent; {@code presence} is forced off when {@code connected} is false (§3.7). */
    ObjectNode toJson(boolean connected) {
        ObjectNode o = Json.object();
        o.set("filter_conditions", Json.node(filter));
        var s = o.putArray("sort");
        for (SortOption k : sort) {
            s.addObject().put("field", k.field()).put("direction", k.direction());
        }
        o.put("presence", presence && connected);
        if (limit > 0) {
            o.put("limit", limit);
        }
        if (offset > 0) {
            o.put("offset", offset);
        }
        return o;
    }
}
