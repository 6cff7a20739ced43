package dev.parley.server.messages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Message pagination (PROTOCOL.md §9.7): {@code limit} with {@code id_lt}, {@code id_lte}, {@code id_gt},
 * {@code id_gte}, {@code id_around} and the {@code created_at_*} forms. "Older than an id" means older
 * by creation time, ties broken by id; pages are always returned oldest first. An id that names no
 * message gives an empty page. Stateless; thread-safe.
 */
public final class Paging {
    public static final int MAX_LIMIT = 300;

    /** The highest id in code-point order, so that a cursor at a time sorts after every message of that time. */
    private static final String TOP = "\uffff";

    private Paging() {}

    /** A page of the channel's messages; {@code options} may be null (the newest {@code defaultLimit}). */
    public static List<MessageRow> channel(ChatStore store, String cid, @Nullable JsonNode options, int defaultLimit) {
        return channel(store, cid, options, defaultLimit, null);
    }

    /** As {@link #channel(ChatStore, String, JsonNode, int)}, leaving out messages created before {@code floor}. */
    public static List<MessageRow> channel(
            ChatStore store, String cid, @Nullable JsonNode options, int defaultLimit, @Nullable Instant floor) {
        if (floor == null) {
            return page(store, options, defaultLimit, r -> store.channelMessages(cid, r));
        }
        Cursor bottom = new Cursor(floor, "");
        return page(store, options, defaultLimit, r -> {
            boolean raise = r.after() == null || compare(r.after(), bottom) < 0;
            MessageRange clamped = raise
                    ? new MessageRange(r.before(), r.beforeInclusive(), bottom, true, r.limit(), r.oldestFirst())
                    : r;
            return store.channelMessages(cid, clamped);
        });
    }

    private static int compare(Cursor a, Cursor b) {
        int t = a.at().compareTo(b.at());
        return t != 0 ? t : a.id().compareTo(b.id());
    }

    /** A page of a thread's replies. */
    public static List<MessageRow> replies(
            ChatStore store, String parentId, @Nullable JsonNode options, int defaultLimit) {
        return page(store, options, defaultLimit, r -> store.replies(parentId, r));
    }

    private static List<MessageRow> page(
            ChatStore store, @Nullable JsonNode o, int defaultLimit, Function<MessageRange, List<MessageRow>> query) {
        int limit = limit(o, defaultLimit);
        if (o == null || !o.isObject()) {
            return query.apply(MessageRange.latest(limit));
        }
        String idAround = text(o, "id_around");
        if (idAround != null || text(o, "created_at_around") != null) {
            Optional<Cursor> at = idAround != null
                    ? cursor(store, idAround)
                    : Optional.of(new Cursor(time(o, "created_at_around"), TOP));
            if (at.isEmpty()) {
                return List.of();
            }
            int before = Math.max(1, (limit + 1) / 2);
            List<MessageRow> rows =
                    new ArrayList<>(query.apply(new MessageRange(at.get(), true, null, false, before, false)));
            rows.addAll(query.apply(
                    new MessageRange(null, false, at.get(), false, Math.max(0, limit - rows.size()), true)));
            return rows;
        }
        Cursor before = null;
        Cursor after = null;
        boolean beforeInclusive = false;
        boolean afterInclusive = false;
        for (String key : List.of("id_lt", "id_lte")) {
            String id = text(o, key);
            if (id != null) {
                Optional<Cursor> c = cursor(store, id);
                if (c.isEmpty()) {
                    return List.of();
                }
                before = c.get();
                beforeInclusive = key.equals("id_lte");
            }
        }
        for (String key : List.of("id_gt", "id_gte")) {
            String id = text(o, key);
            if (id != null) {
                Optional<Cursor> c = cursor(store, id);
                if (c.isEmpty()) {
                    return List.of();
                }
                after = c.get();
                afterInclusive = key.equals("id_gte");
            }
        }
        if (text(o, "created_at_before") != null) {
            before = new Cursor(time(o, "created_at_before"), "");
        } else if (text(o, "created_at_before_or_equal") != null) {
            before = new Cursor(time(o, "created_at_before_or_equal"), TOP);
            beforeInclusive = true;
        }
        if (text(o, "created_at_after") != null) {
            after = new Cursor(time(o, "created_at_after"), TOP);
        } else if (text(o, "created_at_after_or_equal") != null) {
            after = new Cursor(time(o, "created_at_after_or_equal"), "");
            afterInclusive = true;
        }
        boolean oldestFirst = after != null && before == null;
        return query.apply(new MessageRange(before, beforeInclusive, after, afterInclusive, limit, oldestFirst));
    }

    /** Refuses with code 4 the paging options that {@link #channel} would refuse, without reading the store. */
    public static void check(@Nullable JsonNode o) {
        limit(o, 0);
        if (o != null && o.isObject()) {
            for (String key : List.of(
                    "created_at_around",
                    "created_at_before",
                    "created_at_before_or_equal",
                    "created_at_after",
                    "created_at_after_or_equal")) {
                if (text(o, key) != null) {
                    time(o, key);
                }
            }
        }
    }

    private static Optional<Cursor> cursor(ChatStore store, String id) {
        return store.findMessage(id).map(MessageRow::cursor);
    }

    static int limit(@Nullable JsonNode o, int defaultLimit) {
        JsonNode l = o == null ? null : o.get("limit");
        if (l == null || l.isNull()) {
            return defaultLimit;
        }
        int v = l.isTextual() ? parseInt(l.asText()) : l.canConvertToInt() ? l.asInt() : -1;
        if (v < 0) {
            throw ChatException.input("messages.limit: " + l + " (expected: 0 to " + MAX_LIMIT + ")");
        }
        return Math.min(v, MAX_LIMIT);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static @Nullable String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    private static Instant time(JsonNode o, String key) {
        return Timestamps.parse(o.get(key).asText(), key);
    }
}
