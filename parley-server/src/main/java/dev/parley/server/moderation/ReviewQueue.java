package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.FlagField;
import dev.parley.server.store.ModerationStore.FlagFilter;
import dev.parley.server.store.ModerationStore.FlagReport;
import dev.parley.server.store.ModerationStore.ReportedFlag;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The review queue of moderation v2 (PROTOCOL.md §7.26): the same flag reports, each shown as a queue item
 * ({@code id} the report's, {@code entity_type} {@value #MESSAGE} or {@value #USER}), flags through
 * {@code POST /api/v2/moderation/flag}, and the moderator's actions on an item. Reading needs
 * {@code read-flag-reports}, acting {@code review-flag-reports}. Thread-safe; blocking.
 */
public final class ReviewQueue {
    /** The app-wide grants (§11.3) that the moderation routes check. */
    private final AppGrants appGrants;

    public static final String MESSAGE = "stream:chat:v1:message";
    public static final String USER = "stream:user";

    /** Most flags an item lists, newest first ({@code flags_count} of the report counts them all). */
    static final int MAX_FLAGS_PER_ITEM = 25;

    private final ModerationStore moderation;
    private final FlagReports reports;
    private final Flags flags;
    private final Clock clock;

    public ReviewQueue(ModerationStore moderation, FlagReports reports, Flags flags, Clock clock, AppGrants appGrants) {
        this.appGrants = requireNonNull(appGrants, "appGrants");
        this.moderation = requireNonNull(moderation, "moderation");
        this.reports = requireNonNull(reports, "reports");
        this.flags = requireNonNull(flags, "flags");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * {@code POST /api/v2/moderation/flag}: a flag of a message or a user as D7 makes it; answers the
     * {@code item_id} of the target's item.
     */
    public ObjectNode flag(Actor actor, ObjectNode body) {
        String type = body.path("entity_type").asText("");
        String id = body.path("entity_id").asText("");
        if (id.isEmpty()) {
            throw ChatException.input("Flag failed with error: \"entity_id is required\"");
        }
        ObjectNode v1 = Json.object();
        String kind;
        if (type.equals(MESSAGE)) {
            v1.put("target_message_id", id);
            kind = "message";
        } else if (type.equals(USER)) {
            v1.put("target_user_id", id);
            kind = "user";
        } else {
            throw ChatException.input("Flag failed with error: \"entity_type must be " + MESSAGE + " or " + USER
                    + " (this server moderates chat messages and users only)\"");
        }
        if (body.path("reason").isTextual()) {
            v1.put("reason", body.get("reason").asText());
        }
        flags.flag(actor, v1);
        ObjectNode out = Json.object();
        out.put(
                "item_id",
                moderation
                        .reportOf(kind, id)
                        .map(FlagReport::id)
                        .orElseThrow(() ->
                                new IllegalStateException("a flag was stored without its report: " + kind + " " + id)));
        return out;
    }

    /**
     * {@code POST /api/v2/moderation/review_queue} {@code {filter, sort, limit, next}}: filters {@code id},
     * {@code entity_type}, {@code entity_id}, {@code entity_creator_id}, {@code channel_cid} and {@code status}
     * ({@code pending} or {@code completed}); newest first. {@code next} is an opaque cursor.
     */
    public ObjectNode query(Actor actor, ObjectNode body) {
        String endpoint = "QueryReviewQueue";
        appGrants.require(actor, "read-flag-reports", endpoint);
        FilterFields f = new FilterFields(filter(body, endpoint), endpoint);
        Map<FlagField, List<String>> in = new EnumMap<>(FlagField.class);
        f.values("id").ifPresent(v -> in.put(FlagField.REPORT, v));
        f.values("entity_id").ifPresent(v -> in.put(FlagField.TARGET, v));
        f.values("entity_creator_id").ifPresent(v -> in.put(FlagField.TARGET_USER, v));
        f.values("channel_cid").ifPresent(v -> in.put(FlagField.CHANNEL, v));
        String kind = kind(f.values("entity_type"), endpoint);
        Boolean reviewed = status(f.values("status"), endpoint);
        f.rejectOthers();
        checkSort(body.get("sort"), endpoint);
        int limit = FlagReports.bounded(body, "limit", 25, 1, FlagReports.MAX_LIMIT, endpoint);
        int offset = cursor(body.get("next"), endpoint);
        List<FlagReport> page = moderation.reports(new FlagFilter(kind, in, reviewed), limit, offset);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        page.forEach(r -> items.add(item(r)));
        if (page.size() == limit) {
            out.put("next", Integer.toString(offset + limit));
        }
        if (offset > 0) {
            out.put("prev", Integer.toString(Math.max(0, offset - limit)));
        }
        return out;
    }

    /** What an action asks of the caller besides the review it records: all null when nothing. */
    public record Action(
            @Nullable String deleteMessageId,
            boolean hardDelete,
            @Nullable String revealMessageId,
            @Nullable ObjectNode ban) {}

    /** The item {@code id} as the SDKs read it; code 16 when there is none. */
    public ObjectNode item(String id, String endpoint) {
        return item(moderation
                .report(id)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"review queue item '" + id + "' does not exist\"")));
    }

    /**
     * {@code POST /api/v2/moderation/submit_action} {@code {action_type, item_id, <action options>}}: records the
     * review ({@code mark_reviewed}: reviewed; {@code delete_message}: rejected; {@code ban}: reviewed;
     * {@code unblock}: approved) and says what the caller then does.
     */
    public Action submit(Actor actor, ObjectNode body) {
        String endpoint = "SubmitAction";
        appGrants.require(actor, "review-flag-reports", endpoint);
        String itemId = body.path("item_id").asText("");
        FlagReport r = moderation
                .report(itemId)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"review queue item '" + itemId + "' does not exist\""));
        String type = body.path("action_type").asText("");
        String message = r.targetKind().equals("message") ? r.targetId() : null;
        Action action;
        String result;
        switch (type) {
            case "mark_reviewed" -> {
                result = "reviewed";
                action = new Action(null, false, null, null);
            }
            case "delete_message" -> {
                if (message == null) {
                    throw ChatException.input(endpoint + " failed with error: \"delete_message needs a message item\"");
                }
                result = "rejected";
                boolean hard = body.path("delete_message").path("hard_delete").asBoolean(false);
                action = new Action(message, hard, null, null);
            }
            case "ban" -> {
                result = "reviewed";
                action = new Action(null, false, null, banBody(r, body.path("ban")));
            }
            case "unblock" -> {
                if (message == null) {
                    throw ChatException.input(endpoint + " failed with error: \"unblock needs a message item\"");
                }
                result = "approved";
                action = new Action(null, false, message, null);
            }
            default ->
                throw ChatException.input(endpoint + " failed with error: \"action_type must be one of mark_reviewed, "
                        + "delete_message, ban, unblock\"");
        }
        moderation.reviewReport(r.id(), result, actor.userId(), clock.instant().truncatedTo(ChronoUnit.MICROS), null);
        return action;
    }

    /** The body of a {@code POST /moderation/ban} for a {@code ban} action on item {@code r}. */
    private static ObjectNode banBody(FlagReport r, JsonNode ban) {
        ObjectNode b = Json.object();
        b.put("target_user_id", ban.path("target_user_id").asText(r.targetUserId()));
        for (String key : List.of("reason", "shadow", "timeout")) {
            if (ban.has(key)) {
                b.set(key, ban.get(key).deepCopy());
            }
        }
        if (ban.path("channel_ban_only").asBoolean(false)) {
            String cid = ban.path("channel_cid").asText(r.channelCid() == null ? "" : r.channelCid());
            int colon = cid.indexOf(':');
            if (colon <= 0) {
                throw ChatException.input(
                        "SubmitAction failed with error: \"a channel ban needs the item's channel or ban.channel_cid\"");
            }
            b.put("type", cid.substring(0, colon));
            b.put("id", cid.substring(colon + 1));
        }
        return b;
    }

    private ObjectNode item(FlagReport r) {
        List<ReportedFlag> its = moderation.flags(
                new FlagFilter(null, Map.of(FlagField.REPORT, List.of(r.id())), null), MAX_FLAGS_PER_ITEM, 0);
        Map<String, MessageRow> messages =
                r.targetKind().equals("message") ? reports.messages(List.of(r.targetId())) : Map.of();
        Map<String, User> people = reports.people(Stream.concat(
                        Stream.of(r.targetUserId(), r.reviewedBy()),
                        its.stream().map(x -> x.flag().userId()))
                .toList());
        String entityType = r.targetKind().equals("message") ? MESSAGE : USER;
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("entity_type", entityType);
        o.put("entity_id", r.targetId());
        o.put("entity_creator_id", r.targetUserId());
        o.set("entity_creator", FlagReports.userJson(people, r.targetUserId()));
        o.put("status", r.reviewed() ? "completed" : "pending");
        o.put("recommended_action", "");
        o.put("flags_count", r.flagsCount());
        o.put("created_at", Timestamps.format(r.createdAt()));
        o.put("updated_at", Timestamps.format(r.updatedAt()));
        o.put("config_key", "");
        o.put("assigned_to", "");
        o.put("appealed_by", "");
        o.putArray("actions_taken");
        o.putArray("context");
        if (r.reviewed()) {
            String at = Timestamps.format(requireNonNull(r.reviewedAt(), "reviewedAt"));
            o.put("reviewed_at", at);
            o.put("completed_at", at);
            o.put("latest_moderator_action", r.reviewResult());
            if (r.reviewedBy() != null) {
                o.put("reviewed_by", r.reviewedBy());
            }
        }
        ObjectNode payload = o.putObject("moderation_payload");
        if (r.targetKind().equals("message")) {
            MessageRow m = messages.get(r.targetId());
            ObjectNode doc = m == null ? FlagReports.deletedMessage(r.targetId()) : m.doc();
            o.set("message", doc);
            payload.putArray("texts").add(doc.path("text").asText(""));
            o.put("has_text", !doc.path("text").asText("").isEmpty());
        } else {
            o.put("has_text", false);
        }
        o.put("has_image", false);
        o.put("has_video", false);
        ArrayNode list = o.putArray("flags");
        for (ReportedFlag x : its) {
            ObjectNode fl = list.addObject();
            fl.put("id", r.id() + ":" + x.flag().userId());
            fl.put("review_queue_item_id", r.id());
            fl.put("entity_type", entityType);
            fl.put("entity_id", r.targetId());
            fl.put("entity_creator_id", r.targetUserId());
            fl.put("reason", x.flag().reason() == null ? "" : x.flag().reason());
            fl.putObject("custom");
            ArrayNode result = fl.putArray("result");
            if (x.flag().details() != null) {
                JsonNode details = Json.parse(x.flag().details(), "flag details");
                result.add(details);
                // The newest flag that a configuration's rule raised names the item's config (§7.28).
                if (o.path("config_key").asText().isEmpty()) {
                    o.put(
                            "config_key",
                            details.path("automod").path("config_key").asText(""));
                }
            }
            if (!x.flag().userId().equals(ModerationStore.SYSTEM)) {
                fl.set("user", FlagReports.userJson(people, x.flag().userId()));
            }
            fl.put("created_at", Timestamps.format(x.flag().createdAt()));
            fl.put("updated_at", Timestamps.format(x.flag().updatedAt()));
        }
        return o;
    }

    private static JsonNode filter(ObjectNode body, String endpoint) {
        JsonNode f = body.get("filter");
        if (f == null || f.isNull()) {
            return Json.object();
        }
        if (!f.isObject()) {
            throw ChatException.input(endpoint + " failed with error: \"filter must be an object\"");
        }
        return f;
    }

    private static @Nullable String kind(Optional<List<String>> types, String endpoint) {
        if (types.isEmpty() || types.get().size() == 2 && types.get().containsAll(List.of(MESSAGE, USER))) {
            return null;
        }
        if (types.get().size() == 1 && types.get().getFirst().equals(MESSAGE)) {
            return "message";
        }
        if (types.get().size() == 1 && types.get().getFirst().equals(USER)) {
            return "user";
        }
        throw ChatException.input(endpoint + " failed with error: \"entity_type: this server has only " + MESSAGE
                + " and " + USER + "\"");
    }

    private static @Nullable Boolean status(Optional<List<String>> status, String endpoint) {
        if (status.isEmpty() || status.get().size() != 1) {
            if (status.isPresent() && !status.get().containsAll(List.of("pending", "completed"))) {
                throw ChatException.input(endpoint + " failed with error: \"status is pending or completed\"");
            }
            return null;
        }
        return switch (status.get().getFirst()) {
            case "pending" -> false;
            case "completed" -> true;
            default -> throw ChatException.input(endpoint + " failed with error: \"status is pending or completed\"");
        };
    }

    /** Items come newest first: the only order this server keeps (an empty sort, or {@code created_at} -1). */
    private static void checkSort(@Nullable JsonNode sort, String endpoint) {
        if (sort == null || sort.isNull() || sort.isArray() && sort.isEmpty()) {
            return;
        }
        boolean newestFirst = sort.isArray()
                && sort.size() == 1
                && sort.get(0).path("field").asText("").equals("created_at")
                && sort.get(0).path("direction").asInt(0) == -1;
        if (!newestFirst) {
            throw ChatException.input(
                    endpoint + " failed with error: \"sort: items come newest first only ({field: created_at, "
                            + "direction: -1})\"");
        }
    }

    private static int cursor(@Nullable JsonNode next, String endpoint) {
        if (next == null || next.isNull() || next.asText("").isEmpty()) {
            return 0;
        }
        String s = next.asText();
        if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) > FlagReports.MAX_OFFSET) {
            throw ChatException.input(endpoint + " failed with error: \"next: not a cursor of this server\"");
        }
        return Integer.parseInt(s);
    }
}
