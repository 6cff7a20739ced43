package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.JsonValue;
import dev.parley.protocol.Reaction;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.OutboundEvent;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import dev.parley.server.store.ChatRows.ReactionWrite;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reactions (PROTOCOL.md §6.5, §7.11): one per message, user and type; the message's
 * {@code latest_reactions}, {@code reaction_counts}, {@code reaction_scores} and {@code reaction_groups}
 * are recomputed from the reactions under the channel's lock, in the transaction that writes the
 * reaction. Events carry each recipient's own
 * {@code own_reactions}. Thread-safe; blocking.
 */
public final class ReactionService {
    static final int LATEST = 10;
    static final Pattern TYPE = Pattern.compile("[\\w+-]{1,64}");

    private final ChatStore store;
    private final UserService users;
    private final ChannelLocks locks;
    private final ChannelHub hub;
    private final EventPublisher events;
    private final Clock clock;
    private final MessageViews views;
    private final MessageService messages;

    /** @param hub who watches which channel, read only: events vary by each watcher's own reactions */
    public ReactionService(
            ChatStore store,
            UserService users,
            ChannelLocks locks,
            ChannelHub hub,
            EventPublisher events,
            Clock clock,
            MessageViews views,
            MessageService messages) {
        this.store = requireNonNull(store, "store");
        this.users = requireNonNull(users, "users");
        this.locks = requireNonNull(locks, "locks");
        this.hub = requireNonNull(hub, "hub");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.views = requireNonNull(views, "views");
        this.messages = requireNonNull(messages, "messages");
    }

    /** {@code POST /messages/{id}/reaction}. */
    public ObjectNode send(Actor actor, String messageId, ObjectNode body) {
        JsonNode in = body.get("reaction");
        if (in == null
                || !in.isObject()
                || !TYPE.matcher(in.path("type").asText("")).matches()) {
            throw ChatException.input("reaction must be an object with a type of 1 to 64 letters, digits, _ + or -");
        }
        User user = reactor(actor, in);
        Actor as = actor.server() ? Actor.server(user) : actor;
        MessageService.Context c0 = messages.context(as, messageId, "SendReaction");
        if (!c0.type().flag("reactions")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    "reactions are disabled for channel type '" + c0.type().name() + "'");
        }
        Permissions.require(
                as,
                c0.type(),
                c0.member(),
                "create-reaction",
                Permissions.ownsChannel(as, c0.channel()),
                "SendReaction",
                c0.channel().cid());
        return locks.underLock(c0.channel().cid(), () -> {
            Instant now = clock.instant();
            String type = in.get("type").asText();
            int score = in.path("score").canConvertToInt()
                    ? Math.max(1, in.get("score").asInt())
                    : 1;
            ObjectNode doc = new Reaction(type, messageId, user.id(), user, score, now, now, custom(in)).toJson();
            ReactionWrite written = store.addReaction(
                            new ReactionRow(messageId, user.id(), type, score, now, doc),
                            body.path("enforce_unique").asBoolean(false),
                            LATEST,
                            (m, summary) -> withReactions(m, summary, now))
                    .orElseThrow(() -> notFound(messageId));
            return announce(
                    written.removed() > 0 ? EventType.REACTION_UPDATED.wireName() : EventType.REACTION_NEW.wireName(),
                    written.message(),
                    doc,
                    user);
        });
    }

    /** {@code DELETE /messages/{id}/reaction/{type}}. */
    public ObjectNode delete(Actor actor, String messageId, String type, @Nullable String userIdParam) {
        User user = actor.server() && userIdParam != null
                ? users.find(userIdParam)
                        .orElseThrow(() -> ChatException.input("user '" + userIdParam + "' does not exist"))
                : actor.user();
        if (user == null) {
            throw ChatException.input("user_id is required to delete a reaction with a server token");
        }
        Actor as = actor.server() ? Actor.server(user) : actor;
        MessageService.Context c0 = messages.context(as, messageId, "DeleteReaction");
        Permissions.require(
                as,
                c0.type(),
                c0.member(),
                "delete-reaction",
                true,
                "DeleteReaction",
                c0.channel().cid());
        return locks.underLock(c0.channel().cid(), () -> {
            ReactionRow existing = store.reactionsBy(user.id(), List.of(messageId)).stream()
                    .filter(r -> r.type().equals(type))
                    .findFirst()
                    .orElseThrow(() -> ChatException.notFound(
                            "reaction '" + type + "' of user '" + user.id() + "' does not exist"));
            Instant now = clock.instant();
            ReactionWrite written = store.removeReaction(
                            messageId, user.id(), type, LATEST, (m, summary) -> withReactions(m, summary, now))
                    .orElseThrow(() -> notFound(messageId));
            return announce(EventType.REACTION_DELETED.wireName(), written.message(), existing.doc(), user);
        });
    }

    /** {@code GET /messages/{id}/reactions}. */
    public ObjectNode list(Actor actor, String messageId, int limit, int offset) {
        messages.context(actor, messageId, "GetReactions");
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("reactions");
        store.reactions(messageId, Math.min(Math.max(limit, 1), 300), Math.max(0, offset))
                .forEach(r -> arr.add(r.doc()));
        return out;
    }

    /** Reactions scanned at most by {@link #query}. */
    static final int MAX_QUERIED = 10_000;

    /**
     * {@code POST /messages/{id}/reactions} (R4): filter by {@code type} and {@code user_id} ({@code $eq},
     * {@code $in}), sort by {@code created_at}, page with {@code limit} and the opaque {@code next}.
     */
    public ObjectNode query(Actor actor, String messageId, ObjectNode body) {
        messages.context(actor, messageId, "QueryReactions");
        Filter filter = Filter.parse(body.get("filter"));
        List<SortField> sort = SortField.parse(body.get("sort"));
        for (SortField f : sort) {
            if (!f.field().equals("created_at")) {
                throw ChatException.input(
                        "sort: field '" + f.field() + "' is not supported for reactions (expected: created_at)");
            }
        }
        boolean ascending = !sort.isEmpty() && sort.getFirst().ascending();
        int limit = body.path("limit").canConvertToInt()
                ? Math.min(Math.max(body.get("limit").asInt(), 1), 300)
                : 25;
        int offset = 0;
        if (body.path("next").isTextual() && !body.get("next").asText().isEmpty()) {
            try {
                offset = Math.max(0, Integer.parseInt(body.get("next").asText()));
            } catch (NumberFormatException e) {
                throw ChatException.input("next: '" + body.get("next").asText() + "' is not a cursor of this server");
            }
        }
        Predicate<ReactionRow> match = matches(filter);
        List<ReactionRow> all = new ArrayList<>(store.reactions(messageId, MAX_QUERIED, 0).stream()
                .filter(match)
                .toList());
        if (ascending) {
            Collections.reverse(all);
        }
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("reactions");
        all.stream().skip(offset).limit(limit).forEach(r -> arr.add(r.doc()));
        if (all.size() > offset + limit) {
            out.put("next", String.valueOf(offset + limit));
        }
        return out;
    }

    private static Predicate<ReactionRow> matches(Filter f) {
        return switch (f) {
            case Filter.All a -> r -> true;
            case Filter.And a ->
                a.filters().stream().map(ReactionService::matches).reduce(r -> true, Predicate::and);
            case Filter.Or o ->
                o.filters().stream().map(ReactionService::matches).reduce(r -> false, Predicate::or);
            case Filter.Nor n ->
                n.filters().stream()
                        .map(ReactionService::matches)
                        .reduce(r -> false, Predicate::or)
                        .negate();
            case Filter.Condition c -> {
                Function<ReactionRow, String> field = switch (c.field()) {
                    case "type" -> ReactionRow::type;
                    case "user_id" -> ReactionRow::userId;
                    default -> throw ChatException.input("filter." + c.field() + " is not supported for reactions");
                };
                yield switch (c.op()) {
                    case EQ -> r -> c.value().asText().equals(field.apply(r));
                    case IN -> {
                        Set<String> values = new HashSet<>();
                        c.value().forEach(v -> values.add(v.asText()));
                        yield r -> values.contains(field.apply(r));
                    }
                    default ->
                        throw ChatException.input("filter." + c.field() + ": operator " + c.op().wire()
                                + " is not supported for reactions");
                };
            }
        };
    }

    private User reactor(Actor actor, JsonNode in) {
        User acting = actor.user();
        if (!actor.server()) {
            return requireNonNull(acting, "user"); // Actor.user(...) never holds null
        }
        String id = in.path("user_id").asText(in.path("user").path("id").asText(""));
        if (id.isEmpty()) {
            if (acting != null) {
                return acting;
            }
            throw ChatException.input("reaction.user_id is required with a server token");
        }
        return users.find(id)
                .orElseThrow(() -> ChatException.input("reaction.user_id: user '" + id + "' does not exist"));
    }

    /**
     * The message with its {@code reaction_counts}, {@code reaction_scores}, {@code reaction_groups} and
     * {@code latest_reactions} made from {@code summary}; pure, as the store runs it inside its transaction.
     */
    private static MessageRow withReactions(MessageRow m, ReactionSummary summary, Instant now) {
        ObjectNode doc = m.doc().deepCopy();
        summary.writeInto(doc);
        doc.put("updated_at", Timestamps.format(now));
        return new MessageRow(
                m.id(),
                m.cid(),
                m.userId(),
                m.parentId(),
                m.inChannel(),
                m.createdAt(),
                now,
                m.deletedAt(),
                m.pinnedAt(),
                doc);
    }

    /**
     * The custom fields of a sent reaction: its keys but the typed ones ({@link Reaction#TYPED_FIELDS}, which
     * the server sets) and those set to null, in the order sent.
     */
    private static CustomFields custom(JsonNode in) {
        Map<String, JsonValue> custom = null;
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            if (!Reaction.TYPED_FIELDS.contains(e.getKey()) && !e.getValue().isNull()) {
                if (custom == null) {
                    custom = new LinkedHashMap<>();
                }
                custom.put(e.getKey(), Json.value(e.getValue()));
            }
        }
        return custom == null ? CustomFields.EMPTY : CustomFields.of(custom);
    }

    private static ChatException notFound(String messageId) {
        return ChatException.notFound("message '" + messageId + "' does not exist");
    }

    private ObjectNode announce(String kind, MessageRow row, ObjectNode reaction, User user) {
        var ch = store.findChannel(row.cid())
                .orElseThrow(() -> ChatException.notFound("channel '" + row.cid() + "' does not exist"));
        ObjectNode base = ChannelViews.event(kind, ch, clock.instant());
        base.set("reaction", reaction);
        base.set("user", user.toJson());
        base.put("message_id", row.id());
        ObjectNode shared = base;
        shared.set("message", views.forViewer(row, null));
        // Variants by the recipient's own reactions: everyone without one shares the shared encoding.
        Map<String, ArrayNode> own = new HashMap<>();
        store.reactionsOn(row.id(), hub.watchingUsers(ch.cid()))
                .forEach(r -> own.computeIfAbsent(r.userId(), k -> Json.array()).add(r.doc()));
        Map<String, String> keyOfUser = new HashMap<>();
        own.keySet().forEach(u -> keyOfUser.put(u, u));
        events.publish(OutboundEvent.of(shared, Audience.watchers(ch.cid()))
                .withVariants(new OutboundEvent.Variants<>(keyOfUser, "", key -> {
                    if (key.isEmpty()) {
                        return shared;
                    }
                    ObjectNode e = shared.deepCopy();
                    ((ObjectNode) e.get("message")).set("own_reactions", own.get(key));
                    return e;
                })));
        ObjectNode out = Json.object();
        out.set("message", views.forViewer(row, user.id()));
        out.set("reaction", reaction);
        return out;
    }
}
