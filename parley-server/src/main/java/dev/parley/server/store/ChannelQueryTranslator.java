package dev.parley.server.store;

import static dev.parley.server.store.FilterSql.comparison;
import static dev.parley.server.store.FilterSql.customKey;
import static dev.parley.server.store.FilterSql.escapeLike;
import static dev.parley.server.store.FilterSql.negate;
import static dev.parley.server.store.FilterSql.unsupported;
import static dev.parley.server.store.JsonValues.scalar;
import static dev.parley.server.store.JsonValues.value;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Timestamps;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.Filter.Condition;
import dev.parley.server.filter.Filter.Op;
import dev.parley.server.filter.SortField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Translates a {@link ChannelQuery} into one SELECT on {@code channels} (PROTOCOL.md §9.2, §9.6), in the
 * style of {@link UserQueryTranslator}: operands are always bound, field names become SQL only when they
 * are known columns, custom keys (validated, bound) are read from the channel's custom JSON, and a
 * condition on a missing value is false. Thread-safe.
 */
final class ChannelQueryTranslator {
    static final String COLUMNS = "channels.cid, channels.type, channels.id, channels.created_by_id, channels.team, "
            + "channels.created_at, channels.updated_at, channels.last_message_at, channels.truncated_at, "
            + "channels.truncated_by_id, channels.frozen, channels.disabled, channels.cooldown, channels.member_count, "
            + "channels.message_count, channels.custom";

    private enum Type {
        STRING,
        BOOLEAN,
        TIMESTAMP,
        NUMBER
    }

    private static final Map<String, Type> COLUMNS_BY_FIELD = Map.ofEntries(
            Map.entry("cid", Type.STRING),
            Map.entry("id", Type.STRING),
            Map.entry("type", Type.STRING),
            Map.entry("team", Type.STRING),
            Map.entry("created_by_id", Type.STRING),
            Map.entry("name", Type.STRING),
            Map.entry("frozen", Type.BOOLEAN),
            Map.entry("disabled", Type.BOOLEAN),
            Map.entry("created_at", Type.TIMESTAMP),
            Map.entry("updated_at", Type.TIMESTAMP),
            Map.entry("last_message_at", Type.TIMESTAMP),
            Map.entry("last_updated", Type.TIMESTAMP),
            Map.entry("member_count", Type.NUMBER));

    private static final String LAST_UPDATED = "COALESCE(channels.last_message_at, channels.created_at)";

    private final SqlDialect custom;

    /** @param custom the dialect reading {@code channels.custom} */
    ChannelQueryTranslator(SqlDialect custom) {
        this.custom = custom;
    }

    /** The SELECT of {@link #COLUMNS} for {@code query}, with its parameters. */
    SqlBuilder select(ChannelQuery query) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + COLUMNS + " FROM channels WHERE ");
        String viewer = query.viewerId();
        if (viewer != null) {
            b.sql("(");
            if (!query.openTypes().isEmpty()) {
                b.sql("channels.type IN (");
                int i = 0;
                for (String t : query.openTypes().stream().sorted().toList()) {
                    b.sql(i++ == 0 ? "" : ", ").param(t);
                }
                b.sql(") OR ");
            }
            membership(b, viewer).sql(") AND ");
            boolean mentionsHidden =
                    query.filter().conditions().stream().anyMatch(c -> c.field().equals("hidden"));
            if (!mentionsHidden) {
                b.sql("NOT EXISTS (SELECT 1 FROM members h WHERE h.cid = channels.cid AND h.user_id = ")
                        .param(viewer)
                        .sql(" AND h.hidden = 1) AND ");
            }
        }
        b.sql("(");
        filter(b, query.filter(), viewer);
        b.sql(")");
        orderBy(b, query.sort(), viewer);
        b.sql(" LIMIT ").param(query.limit()).sql(" OFFSET ").param(query.offset());
        return b;
    }

    private static SqlBuilder membership(SqlBuilder b, String userId) {
        return b.sql("EXISTS (SELECT 1 FROM members m WHERE m.cid = channels.cid AND m.user_id = ")
                .param(userId)
                .sql(")");
    }

    private void filter(SqlBuilder b, Filter f, @Nullable String viewer) {
        switch (f) {
            case Filter.All all -> b.sql("1 = 1");
            case Filter.And and -> join(b, and.filters(), " AND ", viewer);
            case Filter.Or or -> join(b, or.filters(), " OR ", viewer);
            case Filter.Nor nor -> negate(b, x -> join(x, nor.filters(), " OR ", viewer));
            case Condition c -> condition(b, c, viewer);
        }
    }

    private void join(SqlBuilder b, List<Filter> filters, String operator, @Nullable String viewer) {
        b.sql("(");
        for (int i = 0; i < filters.size(); i++) {
            b.sql(i > 0 ? operator : "");
            filter(b, filters.get(i), viewer);
        }
        b.sql(")");
    }

    private void condition(SqlBuilder b, Condition c, @Nullable String viewer) {
        switch (c.field()) {
            case "members" -> members(b, c);
            case "member.user.name" -> memberName(b, c);
            case "hidden", "joined", "has_unread" -> viewerFlag(b, c, viewer);
            case "pinned", "archived" -> {
                if (c.op() != Op.EQ || !c.value().isBoolean() || viewer == null) {
                    throw ChatException.input(
                            "filter_conditions." + c.field() + " supports only $eq with a boolean, for a user");
                }
                b.sql(c.value().asBoolean() ? "" : "NOT ")
                        .sql("EXISTS (SELECT 1 FROM members p WHERE p.cid = channels.cid " + "AND p.user_id = ")
                        .param(viewer)
                        .sql(" AND p." + c.field() + "_at IS NOT NULL)");
            }
            case "invite" -> {
                if (c.op() != Op.EQ || !c.value().isTextual() || viewer == null) {
                    throw ChatException.input(
                            "filter_conditions.invite supports only $eq with pending, accepted or rejected, for a user");
                }
                b.sql("EXISTS (SELECT 1 FROM members i WHERE i.cid = channels.cid AND i.user_id = ")
                        .param(viewer)
                        .sql(" AND i.invite_status = ")
                        .param(c.value().asText())
                        .sql(")");
            }
            // No channel mutes are kept yet: every channel is unmuted.
            case "muted" -> {
                if (c.op() != Op.EQ || !c.value().isBoolean()) {
                    throw ChatException.input("filter_conditions." + c.field() + " supports only $eq with a boolean");
                }
                b.sql(c.value().asBoolean() ? "1 = 0" : "1 = 1");
            }
            default -> column(b, c);
        }
    }

    private void members(SqlBuilder b, Condition c) {
        JsonNode v = c.value();
        List<String> ids = stringList(c, v.isArray() ? v : null);
        switch (c.op()) {
            case IN -> {
                if (ids.isEmpty()) {
                    b.sql("1 = 0");
                    return;
                }
                b.sql("EXISTS (SELECT 1 FROM members m WHERE m.cid = channels.cid AND m.user_id IN (");
                params(b, ids).sql("))");
            }
            case NIN -> negate(b, x -> members(x, new Condition("members", Op.IN, v)));
            case EQ -> {
                if (!v.isArray()) {
                    throw ChatException.input("filter_conditions.members must be an array of user ids");
                }
                List<String> distinct = ids.stream().distinct().toList();
                b.sql("(channels.member_count = ")
                        .param(distinct.size())
                        .sql(" AND (SELECT count(*) FROM members m WHERE m.cid = channels.cid AND m.user_id IN (");
                if (distinct.isEmpty()) {
                    b.sql("NULL");
                } else {
                    params(b, distinct);
                }
                b.sql(")) = ").param(distinct.size()).sql(")");
            }
            default -> throw unsupported(c, "members");
        }
    }

    /** A member whose user's name matches: {@code $autocomplete}, {@code $q} or {@code $eq}. */
    private static void memberName(SqlBuilder b, Condition c) {
        require(c.value().isTextual(), "filter_conditions.member.user.name must be a string");
        String needle = escapeLike(c.value().asText().toLowerCase(Locale.ROOT));
        b.sql("EXISTS (SELECT 1 FROM members mn JOIN users un ON un.id = mn.user_id WHERE mn.cid = channels.cid AND ");
        switch (c.op()) {
            case EQ -> b.sql("un.name_lower = ").param(c.value().asText().toLowerCase(Locale.ROOT));
            case Q -> b.sql("un.name_lower LIKE ").param("%" + needle + "%").sql(" ESCAPE '\\'");
            case AUTOCOMPLETE ->
                b.sql("(un.name_lower LIKE ")
                        .param(needle + "%")
                        .sql(" ESCAPE '\\' OR un.name_lower LIKE ")
                        .param("% " + needle + "%")
                        .sql(" ESCAPE '\\')");
            default -> throw unsupported(c, "member.user.name");
        }
        b.sql(")");
    }

    private static void viewerFlag(SqlBuilder b, Condition c, @Nullable String viewer) {
        if (c.op() != Op.EQ || !c.value().isBoolean()) {
            throw ChatException.input("filter_conditions." + c.field() + " supports only $eq with a boolean");
        }
        if (viewer == null) {
            throw ChatException.input("filter_conditions." + c.field() + " needs a user: pass user_id");
        }
        boolean want = c.value().asBoolean();
        if (c.field().equals("has_unread")) {
            b.sql(want ? "" : "NOT ")
                    .sql("EXISTS (SELECT 1 FROM members u WHERE u.cid = channels.cid AND u.user_id = ")
                    .param(viewer)
                    .sql(" AND u.unread_messages > 0)");
            return;
        }
        if (c.field().equals("joined")) {
            if (!want) {
                b.sql("NOT ");
            }
            membership(b, viewer);
            return;
        }
        b.sql("EXISTS (SELECT 1 FROM members h WHERE h.cid = channels.cid AND h.user_id = ")
                .param(viewer)
                .sql(" AND h.hidden = ")
                .param(want ? 1 : 0)
                .sql(")");
    }

    private void column(SqlBuilder b, Condition c) {
        Type type = COLUMNS_BY_FIELD.get(c.field());
        if (type == null) {
            custom(b, c, customKey(c.field(), "filter_conditions"));
            return;
        }
        String expr = expression(c.field());
        switch (c.op()) {
            case EQ -> {
                if (c.value().isNull()) {
                    b.sql(expr + " IS NULL");
                } else {
                    b.sql(expr + " = ").param(operand(c, c.value(), type));
                }
            }
            case NE -> negate(b, x -> column(x, new Condition(c.field(), Op.EQ, c.value())));
            case NIN -> negate(b, x -> column(x, new Condition(c.field(), Op.IN, c.value())));
            case IN -> {
                if (!c.value().isArray() || c.value().isEmpty()) {
                    b.sql("1 = 0");
                    return;
                }
                List<Object> values = new ArrayList<>();
                c.value().forEach(v -> values.add(operand(c, v, type)));
                b.sql(expr + " IN (");
                params(b, values).sql(")");
            }
            case GT, GTE, LT, LTE -> {
                if (type == Type.BOOLEAN || (type == Type.STRING && c.field().equals("cid"))) {
                    throw unsupported(c, "a " + type.name().toLowerCase(Locale.ROOT) + " field");
                }
                b.sql(expr + comparison(c.op())).param(operand(c, c.value(), type));
            }
            case EXISTS -> b.sql(expr + (c.value().asBoolean() ? " IS NOT NULL" : " IS NULL"));
            case AUTOCOMPLETE, Q -> {
                if (type != Type.STRING) {
                    throw unsupported(c, "a " + type.name().toLowerCase(Locale.ROOT) + " field");
                }
                String needle = escapeLike(c.value().asText().toLowerCase(Locale.ROOT));
                String pattern = c.op() == Op.Q ? "%" + needle + "%" : needle + "%";
                b.sql("(lower(" + expr + ") LIKE ").param(pattern).sql(" ESCAPE '\\'");
                if (c.op() == Op.AUTOCOMPLETE) {
                    b.sql(" OR lower(" + expr + ") LIKE ")
                            .param("% " + needle + "%")
                            .sql(" ESCAPE '\\'");
                }
                b.sql(")");
            }
            default -> throw unsupported(c, "the field " + c.field());
        }
    }

    private void custom(SqlBuilder b, Condition c, String key) {
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ -> {
                if (v.isNull()) {
                    negate(b, x -> custom.customExists(x, key));
                } else if (v.isContainerNode()) {
                    custom.customJsonEquals(b, key, dev.parley.protocol.Json.write(v));
                } else {
                    custom.customScalar(b, key, scalar(v));
                    b.sql(" = ").param(value(v));
                }
            }
            case NE -> negate(b, x -> custom(x, new Condition(c.field(), Op.EQ, v), key));
            case NIN -> negate(b, x -> custom(x, new Condition(c.field(), Op.IN, v), key));
            case IN -> {
                if (!v.isArray() || v.isEmpty()) {
                    b.sql("1 = 0");
                    return;
                }
                b.sql("(");
                for (int i = 0; i < v.size(); i++) {
                    b.sql(i == 0 ? "" : " OR ");
                    custom(b, new Condition(c.field(), Op.EQ, v.get(i)), key);
                }
                b.sql(")");
            }
            case GT, GTE, LT, LTE -> {
                require(
                        v.isTextual() || v.isNumber(),
                        "filter_conditions." + c.field() + " must be a string or a number");
                custom.customScalar(b, key, scalar(v));
                b.sql(comparison(c.op())).param(value(v));
            }
            case EXISTS -> {
                if (v.asBoolean()) {
                    custom.customExists(b, key);
                } else {
                    negate(b, x -> custom.customExists(x, key));
                }
            }
            case CONTAINS -> {
                require(!v.isContainerNode(), "filter_conditions." + c.field() + " must be a scalar for $contains");
                custom.arrayContains(b, "custom", key, v);
            }
            case AUTOCOMPLETE, Q -> {
                String needle = escapeLike(v.asText().toLowerCase(Locale.ROOT));
                b.sql("(lower(");
                custom.customScalar(b, key, SqlDialect.Scalar.STRING);
                b.sql(") LIKE ")
                        .param(c.op() == Op.Q ? "%" + needle + "%" : needle + "%")
                        .sql(" ESCAPE '\\')");
            }
        }
    }

    private static String expression(String field) {
        return field.equals("last_updated") ? LAST_UPDATED : "channels." + field;
    }

    private static Object operand(Condition c, JsonNode v, Type type) {
        String name = "filter_conditions." + c.field();
        return switch (type) {
            case STRING -> {
                require(v.isTextual(), name + " must be a string");
                yield v.asText();
            }
            case BOOLEAN -> {
                require(v.isBoolean(), name + " must be a boolean");
                yield v.asBoolean() ? 1 : 0;
            }
            case NUMBER -> {
                require(v.canConvertToLong(), name + " must be an integer");
                yield v.asLong();
            }
            case TIMESTAMP -> {
                require(v.isTextual(), name + " must be an RFC 3339 timestamp string");
                yield Timestamps.toMicros(Timestamps.parse(v.asText(), name));
            }
        };
    }

    private static List<String> stringList(Condition c, @Nullable JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array == null) {
            require(c.value().isTextual(), "filter_conditions.members must be a user id or an array of user ids");
            out.add(c.value().asText());
            return out;
        }
        if (array.size() > UserQueryTranslator.MAX_LIST) {
            throw ChatException.input("filter_conditions.members: " + array.size() + " operands (expected: at most "
                    + UserQueryTranslator.MAX_LIST + ")");
        }
        for (JsonNode n : array) {
            require(n.isTextual(), "filter_conditions.members must hold user id strings");
            out.add(n.asText());
        }
        return out;
    }

    private static SqlBuilder params(SqlBuilder b, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            b.sql(i == 0 ? "" : ", ").param(values.get(i));
        }
        return b;
    }

    private void orderBy(SqlBuilder b, List<SortField> sort, @Nullable String viewer) {
        List<SortField> fields = sort.isEmpty() ? List.of(new SortField("last_updated", false)) : sort;
        b.sql(" ORDER BY ");
        for (SortField f : fields) {
            Type t = COLUMNS_BY_FIELD.get(f.field());
            boolean unread = Set.of("unread_count", "has_unread").contains(f.field());
            if ((t == Type.BOOLEAN && !unread) || ((unread || f.field().equals("pinned_at")) && viewer == null)) {
                throw ChatException.input("sort: field '" + f.field() + "' is not supported for channels"
                        + (viewer == null ? " without a user (user_id with a server token)" : ""));
            }
            if (unread && viewer != null) { // the viewer's own count in the channel; 0 where not a member
                String count = "COALESCE((SELECT u.unread_messages FROM members u WHERE u.cid = channels.cid"
                        + " AND u.user_id = ";
                if (f.field().equals("has_unread")) {
                    b.sql("CASE WHEN " + count).param(viewer).sql("), 0) > 0 THEN 1 ELSE 0 END");
                } else {
                    b.sql(count).param(viewer).sql("), 0)");
                }
            } else if (f.field().equals("pinned_at") && viewer != null) { // without a viewer, rejected above
                b.sql("(SELECT p.pinned_at FROM members p WHERE p.cid = channels.cid AND p.user_id = ")
                        .param(viewer)
                        .sql(")");
            } else if (t == null) {
                custom.customSortKey(b, customKey(f.field(), "sort"));
            } else {
                b.sql(expression(f.field()));
            }
            b.sql(f.ascending() ? " ASC NULLS LAST, " : " DESC NULLS LAST, ");
        }
        b.sql("channels.cid ASC");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw ChatException.input(message);
        }
    }
}
