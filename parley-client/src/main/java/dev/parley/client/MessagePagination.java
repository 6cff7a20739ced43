package dev.parley.client;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A page of messages by id (PROTOCOL.md §9.7), for {@link Channel#getReplies}. Pages come back ascending
 * by creation time; fewer than {@code limit} means there are no more. Immutable.
 *
 * @param limit page size, 0 for the server's default
 * @param idLt messages older than this id, or null
 * @param idGt messages newer than this id, or null
 */
public record MessagePagination(
        int limit, @Nullable String idLt, @Nullable String idGt) {
    public MessagePagination {
        ChannelQueryOptions.nonNegative(limit, "limit");
    }

    /** The newest {@code limit} messages. */
    public static MessagePagination limit(int limit) {
        return new MessagePagination(limit, null, null);
    }

    public MessagePagination olderThan(String messageId) {
        return new MessagePagination(limit, messageId, null);
    }

    public MessagePagination newerThan(String messageId) {
        return new MessagePagination(limit, null, messageId);
    }

    /** The query parameters. */
    Map<String, String> toQuery() {
        Map<String, String> q = new LinkedHashMap<>();
        if (limit > 0) {
            q.put("limit", Integer.toString(limit));
        }
        q.put("id_lt", idLt);
        q.put("id_gt", idGt);
        return q;
    }
}
