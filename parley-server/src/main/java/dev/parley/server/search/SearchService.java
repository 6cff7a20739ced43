package dev.parley.server.search;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.ChannelQuery;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MessageSearch;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Message search, {@code GET /search} (PROTOCOL.md §7.12): the channel filter picks the channels (only
 * those the caller may read, as {@code POST /channels} would list them, and whose type has
 * {@code search} on), then the store searches their messages with {@code query} (every word, case
 * insensitive) and/or {@code message_filter_conditions}. Pages by {@code offset} or by the opaque
 * {@code next}/{@code previous} cursors it returns. Thread-safe; blocking.
 */
public final class SearchService {
    static final int DEFAULT_LIMIT = 20;
    private static final String CURSOR_PREFIX = "offset:";

    private final ChatStore store;
    private final ChannelAccess access;
    private final BiFunction<List<MessageRow>, String, List<ObjectNode>> messageViews;

    /**
     * @param messageViews the messages as one reader (a user id, or null) sees them, in the given order:
     *     {@link dev.parley.server.messages.MessageViews}
     */
    public SearchService(
            ChatStore store,
            ChannelAccess access,
            BiFunction<List<MessageRow>, String, List<ObjectNode>> messageViews) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.messageViews = requireNonNull(messageViews, "messageViews");
    }

    public ObjectNode search(Actor actor, ObjectNode payload) {
        JsonNode channelFilter = payload.get("filter_conditions");
        if (channelFilter == null || !channelFilter.isObject() || channelFilter.isEmpty()) {
            throw input("filter_conditions is required: a non-empty channel filter");
        }
        Filter messages = Filter.parse(messageFilter(payload));
        List<SortField> sort = SortField.parse(payload.get("sort"));
        int limit = intField(payload, "limit", DEFAULT_LIMIT, 1, MessageSearch.MAX_LIMIT);
        int offset = intField(payload, "offset", 0, 0, MessageSearch.MAX_OFFSET);
        String next = payload.path("next").asText("");
        if (!next.isEmpty()) {
            if (offset > 0) {
                throw input("offset and next cannot be used together");
            }
            offset = decode(next);
        }
        Map<String, ChannelRow> channels = channels(actor, Filter.parse(channelFilter));
        List<MessageRow> rows =
                store.searchMessages(new MessageSearch(List.copyOf(channels.keySet()), messages, sort, limit, offset));
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        Map<String, ObjectNode> channelJson = new HashMap<>();
        List<ObjectNode> views = messageViews.apply(rows, actor.userId());
        for (int i = 0; i < rows.size(); i++) {
            String cid = rows.get(i).cid();
            ChannelRow ch = requireNonNull(channels.get(cid), cid); // the search reads only the channels of this map
            ObjectNode m = views.get(i);
            m.set(
                    "channel",
                    channelJson.computeIfAbsent(ch.cid(), k -> ChannelViews.channel(ch, access.typeOf(ch), null)));
            results.addObject().set("message", m);
        }
        if (rows.size() == limit && offset + limit <= MessageSearch.MAX_OFFSET) {
            out.put("next", encode(offset + limit));
        }
        if (offset > 0) {
            out.put("previous", encode(Math.max(0, offset - limit)));
        }
        out.putNull("results_warning");
        return out;
    }

    /** {@code query} as a {@code text $q} condition, AND the {@code message_filter_conditions}. */
    private static JsonNode messageFilter(ObjectNode payload) {
        JsonNode query = payload.get("query");
        JsonNode conditions = payload.get("message_filter_conditions");
        boolean hasQuery = query != null && !query.isNull();
        boolean hasConditions = conditions != null && !conditions.isNull();
        if (hasQuery && (!query.isTextual() || query.asText().isBlank())) {
            throw input("query must be a non-empty string");
        }
        if (hasConditions && (!conditions.isObject() || conditions.isEmpty())) {
            throw input("message_filter_conditions must be a non-empty object");
        }
        if (!hasQuery && !hasConditions) {
            throw input("query or message_filter_conditions is required");
        }
        ObjectNode text = Json.object();
        if (hasQuery) {
            text.putObject("text").put("$q", query.asText());
        }
        if (!hasConditions) {
            return text;
        }
        if (!hasQuery) {
            return conditions;
        }
        ObjectNode and = Json.object();
        and.putArray("$and").add(text).add(conditions);
        return and;
    }

    /** The channels matching the filter that the actor may read and that have search on, by cid. */
    private Map<String, ChannelRow> channels(Actor actor, Filter filter) {
        Map<String, ChannelRow> out = new java.util.LinkedHashMap<>();
        for (int offset = 0; offset <= ChannelQuery.MAX_OFFSET; offset += ChannelQuery.MAX_LIMIT) {
            List<ChannelRow> page = store.queryChannels(new ChannelQuery(
                    filter,
                    List.of(),
                    ChannelQuery.MAX_LIMIT,
                    offset,
                    actor.userId(),
                    access.types().openTypes()));
            for (ChannelRow ch : page) {
                ChannelType type = access.typeOf(ch);
                if (type.flag("search") && out.size() < MessageSearch.MAX_CHANNELS && access.mayRead(actor, ch)) {
                    out.put(ch.cid(), ch);
                }
            }
            if (page.size() < ChannelQuery.MAX_LIMIT) {
                break;
            }
        }
        return out;
    }

    private static int intField(ObjectNode payload, String field, int dflt, int min, int max) {
        JsonNode v = payload.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw input(field + ": " + v + " (expected: " + min + " to " + max + ")");
        }
        return v.asInt();
    }

    static String encode(int offset) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((CURSOR_PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    static int decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith(CURSOR_PREFIX)) {
                int offset = Integer.parseInt(s.substring(CURSOR_PREFIX.length()));
                if (offset >= 0 && offset <= MessageSearch.MAX_OFFSET) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw input("next: not a cursor returned by a previous search");
    }

    private static ChatException input(String detail) {
        return ChatException.input("Search failed with error: \"" + detail + "\"");
    }
}
