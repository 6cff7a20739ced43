package dev.parley.server.channels;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.Permissions;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.moderation.Bans;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Ban;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /members} (PROTOCOL.md §7.7 C11, §9.4): a channel's members filtered by {@code id} /
 * {@code user_id}, {@code name}, {@code channel_role} and {@code banned}, sorted by {@code created_at},
 * {@code user_id} or {@code name}. Evaluated in memory over at most {@link #MAX_SCANNED} members; other
 * filter fields are refused with code 4. Thread-safe; blocking.
 */
public final class MemberQuery {
    static final int MAX_SCANNED = 10_000;
    static final int DEFAULT_LIMIT = 100;

    private final ChatStore store;
    private final ModerationStore moderation;
    private final ChannelAccess access;
    private final UserService users;
    private final Clock clock;
    private final ChannelService channels;

    public MemberQuery(
            ChatStore store,
            ModerationStore moderation,
            ChannelAccess access,
            UserService users,
            Clock clock,
            ChannelService channels) {
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.clock = requireNonNull(clock, "clock");
        this.channels = requireNonNull(channels, "channels");
    }

    public ObjectNode query(Actor actor, ObjectNode payload) {
        String type = payload.path("type").asText("");
        String id = payload.path("id").asText("");
        if (id.isEmpty() && payload.has("members")) {
            id = ChannelService.distinctId(ChannelService.memberIds(payload.get("members"), true));
        }
        if (type.isEmpty() || id.isEmpty()) {
            throw ChatException.input("type and id (or members) are required");
        }
        ChannelRow ch = channels.require(type + ":" + id);
        ChannelType ct = access.typeOf(ch);
        String userId = actor.userId();
        MemberRow me = userId != null ? store.member(ch.cid(), userId).orElse(null) : null;
        Permissions.require(
                actor, ct, me, "read-channel-members", Permissions.ownsChannel(actor, ch), "QueryMembers", ch.cid());
        List<MemberRow> all = store.members(ch.cid(), MAX_SCANNED, 0);
        Map<String, User> byId =
                users.findAll(all.stream().map(MemberRow::userId).toList());
        Predicate<MemberRow> match = predicate(Filter.parse(payload.get("filter_conditions")), byId);
        List<MemberRow> found = new ArrayList<>(all.stream().filter(match).toList());
        found.sort(order(SortField.parse(payload.get("sort")), byId));
        int limit = ChannelService.clamp(payload.get("limit"), DEFAULT_LIMIT, 300);
        int offset = ChannelService.clamp(payload.get("offset"), 0, 1000);
        List<MemberRow> page = found.stream().skip(offset).limit(limit).toList();
        // One store read, spared when no member is shown.
        Map<String, Ban> bans = page.isEmpty() ? Map.of() : Bans.channelBans(moderation, ch.cid(), clock.instant());
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("members");
        page.forEach(m -> arr.add(ChannelRecords.member(m, byId.get(m.userId()), ch, bans.get(m.userId()))
                .toJson()));
        return out;
    }

    private static Predicate<MemberRow> predicate(Filter f, Map<String, User> users) {
        return switch (f) {
            case Filter.All a -> m -> true;
            case Filter.And a ->
                a.filters().stream().map(x -> predicate(x, users)).reduce(m -> true, Predicate::and);
            case Filter.Or o ->
                o.filters().stream().map(x -> predicate(x, users)).reduce(m -> false, Predicate::or);
            case Filter.Nor n ->
                n.filters().stream()
                        .map(x -> predicate(x, users))
                        .reduce(m -> false, Predicate::or)
                        .negate();
            case Filter.Condition c -> condition(c, users);
        };
    }

    private static Predicate<MemberRow> condition(Filter.Condition c, Map<String, User> users) {
        java.util.function.Function<MemberRow, String> field = switch (c.field()) {
            case "id", "user_id" -> MemberRow::userId;
            case "name" ->
                m -> users.containsKey(m.userId()) ? users.get(m.userId()).name() : null;
            case "channel_role" -> MemberRow::channelRole;
            case "banned" -> m -> "false";
            default ->
                throw ChatException.input("filter_conditions: field '" + ChannelService.shorten(c.field())
                        + "' is not supported for members");
        };
        JsonNode v = c.value();
        return switch (c.op()) {
            case EQ -> m -> v.asText().equals(field.apply(m));
            case NE -> m -> !v.asText().equals(field.apply(m));
            case IN -> m -> contains(v, field.apply(m));
            case NIN -> m -> !contains(v, field.apply(m));
            case AUTOCOMPLETE, Q -> {
                String needle = v.asText().toLowerCase(Locale.ROOT);
                yield m -> {
                    String s = field.apply(m);
                    if (s == null) {
                        return false;
                    }
                    String lower = s.toLowerCase(Locale.ROOT);
                    return c.op() == Filter.Op.Q
                            ? lower.contains(needle)
                            : lower.startsWith(needle) || lower.contains(" " + needle);
                };
            }
            default ->
                throw ChatException.input("filter_conditions." + c.field() + ": operator " + c.op().wire()
                        + " is not supported for members");
        };
    }

    private static boolean contains(JsonNode list, String value) {
        if (!list.isArray()) {
            throw ChatException.input("$in and $nin need an array");
        }
        for (JsonNode n : list) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static Comparator<MemberRow> order(List<SortField> sort, Map<String, User> users) {
        Comparator<MemberRow> cmp = null;
        for (SortField f : sort) {
            Comparator<MemberRow> one = switch (f.field()) {
                case "created_at" -> Comparator.comparing(MemberRow::createdAt);
                case "user_id", "id" -> Comparator.comparing(MemberRow::userId);
                case "name" ->
                    Comparator.comparing(m -> users.containsKey(m.userId())
                                    && users.get(m.userId()).name() != null
                            ? users.get(m.userId()).name()
                            : "");
                default -> throw ChatException.input("sort: field '" + f.field() + "' is not supported for members");
            };
            one = f.ascending() ? one : one.reversed();
            cmp = cmp == null ? one : cmp.thenComparing(one);
        }
        Comparator<MemberRow> byAdded =
                Comparator.comparing(MemberRow::createdAt).thenComparing(MemberRow::userId);
        return cmp == null ? byAdded : cmp.thenComparing(byAdded);
    }
}
