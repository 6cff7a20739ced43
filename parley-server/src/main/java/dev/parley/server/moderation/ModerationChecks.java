package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.chat.Actor;
import dev.parley.server.moderation.Blocklists.Hit;
import dev.parley.server.moderation.Blocklists.ListRule;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Flag;
import dev.parley.server.store.ModerationStore.FlagField;
import dev.parley.server.store.ModerationStore.FlagFilter;
import dev.parley.server.store.ModerationStore.FlagReport;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Moderation checks of content (PROTOCOL.md §7.28): {@code check} screens texts with the block list rules of a
 * configuration and puts what they flag or block in the review queue; {@code custom_check} adds the caller's
 * own flags to an item; {@code update_flags} reviews the reports of messages in bulk. Each needs
 * {@code review-flag-reports} (§11.3). Thread-safe; blocking.
 */
public final class ModerationChecks {
    /** Most texts of a check, and most flags of a custom check. */
    static final int MAX_TEXTS = 25;

    /** Most messages one {@code update_flags} reviews. */
    static final int MAX_MESSAGES = 100;

    private final ModerationConfigs configs;
    private final Blocklists blocklists;
    private final ModerationStore moderation;
    private final ChatStore chat;
    private final ReviewQueue queue;
    private final Clock clock;
    private final AppGrants grants;

    public ModerationChecks(
            ModerationConfigs configs,
            Blocklists blocklists,
            ModerationStore moderation,
            ChatStore chat,
            ReviewQueue queue,
            Clock clock,
            AppGrants grants) {
        this.configs = requireNonNull(configs, "configs");
        this.blocklists = requireNonNull(blocklists, "blocklists");
        this.moderation = requireNonNull(moderation, "moderation");
        this.chat = requireNonNull(chat, "chat");
        this.queue = requireNonNull(queue, "queue");
        this.clock = requireNonNull(clock, "clock");
        this.grants = requireNonNull(grants, "grants");
    }

    /** The flagged entity of a check: a report's kind, its target, its channel and its user. */
    private record Target(String kind, String id, @Nullable String cid, String userId) {}

    /**
     * {@code POST /api/v2/moderation/check} {@code {entity_type, entity_id, entity_creator_id, moderation_payload:
     * {texts}, config_key, test_mode?}} → {@code {status, recommended_action, item?}}: the strictest rule of the
     * configuration (none when it does not exist) that matches a text says the action ({@code keep_content},
     * {@code flag}, {@code shadow},
     * {@code remove}); a flag, shadow or remove of a chat message or a user is flagged by the server in its review
     * queue item (not in test mode).
     */
    public ObjectNode check(Actor actor, ObjectNode body) {
        String endpoint = "Check";
        grants.require(actor, "review-flag-reports", endpoint);
        String type = required(body, "entity_type", endpoint);
        String id = required(body, "entity_id", endpoint);
        String creator = body.path("entity_creator_id").asText("");
        String key = required(body, "config_key", endpoint);
        // A key without a configuration has no rules: everything is kept (checkUserProfile's default key).
        List<ListRule> rules = configs.rulesOf(key).orElse(List.of());
        Hit hit = null;
        for (String text : texts(body.path("moderation_payload"), endpoint)) {
            Hit h = blocklists.match(rules, text);
            if (h != null && (hit == null || Blocklists.stricter(h.behavior(), hit.behavior()))) {
                hit = h;
            }
        }
        ObjectNode out = Json.object();
        out.put("status", "completed");
        out.put("recommended_action", hit == null ? "keep_content" : recommended(hit.behavior()));
        if (hit != null && !body.path("test_mode").asBoolean(false)) {
            Optional<Target> target = target(type, id, creator);
            if (target.isPresent()) {
                Target t = target.get();
                String item = blocklists.flag(t.kind(), t.id(), t.cid(), t.userId(), hit);
                out.set("item", queue.item(item, endpoint));
            }
        }
        return out;
    }

    /**
     * {@code POST /api/v2/moderation/custom_check} {@code {entity_type, entity_id, entity_creator_id?,
     * moderation_payload?, flags: [{type, reason?, labels?, custom?}]}} → {@code {id, item, status}}: the flags
     * are kept as one flag of the caller (of the server for a server-side call) on the entity's item, which is
     * created when the entity has none.
     */
    public ObjectNode customCheck(Actor actor, ObjectNode body) {
        String endpoint = "CustomCheck";
        grants.require(actor, "review-flag-reports", endpoint);
        String type = required(body, "entity_type", endpoint);
        String id = required(body, "entity_id", endpoint);
        JsonNode flags = body.get("flags");
        if (flags == null || !flags.isArray() || flags.isEmpty() || flags.size() > MAX_TEXTS) {
            throw ChatException.input(
                    endpoint + " failed with error: \"flags must be a list of 1 to " + MAX_TEXTS + " flags\"");
        }
        for (JsonNode f : flags) {
            if (!f.path("type").isTextual() || f.path("type").asText().isEmpty()) {
                throw ChatException.input(endpoint + " failed with error: \"each flag needs a type\"");
            }
        }
        if (flags.toString().length() > FlagReports.MAX_DETAILS) {
            throw ChatException.input(endpoint + " failed with error: \"flags: at most " + FlagReports.MAX_DETAILS
                    + " characters of JSON\"");
        }
        Target t = target(type, id, body.path("entity_creator_id").asText(""))
                .orElseThrow(() -> ChatException.input(endpoint + " failed with error: \"entity_type must be "
                        + ReviewQueue.MESSAGE + " (of a stored message) or " + ReviewQueue.USER
                        + " (this server's review queue holds chat messages and users only)\""));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ObjectNode details = Json.object();
        details.set("custom_check", Json.object().set("flags", flags.deepCopy()));
        String by = actor.userId() == null ? ModerationStore.SYSTEM : actor.userId();
        JsonNode first = flags.get(0);
        String reason = first.path("reason").asText(first.path("type").asText());
        moderation.upsertFlag(
                new Flag(by, t.kind(), t.id(), reason, now, now, by.equals(ModerationStore.SYSTEM), details.toString()),
                UUID.randomUUID().toString(),
                t.cid(),
                t.userId());
        FlagReport r = moderation
                .reportOf(t.kind(), t.id())
                .orElseThrow(() -> new IllegalStateException("a flag was stored without its report: " + t.id()));
        ObjectNode out = Json.object();
        out.put("id", r.id());
        out.set("item", queue.item(r.id(), endpoint));
        out.put("status", "completed");
        return out;
    }

    /**
     * {@code POST /automod/v1/moderation/update_flags} {@code {message_ids, reviewed_by, user_id?}} → {@code {}}:
     * the reports of those messages, and with {@code user_id} of that user's flagged messages not yet reviewed
     * (at most {@value #MAX_MESSAGES}), are recorded as {@code reviewed} by {@code reviewed_by}.
     */
    public ObjectNode updateFlags(Actor actor, ObjectNode body) {
        String endpoint = "UpdateFlags";
        grants.require(actor, "review-flag-reports", endpoint);
        String reviewer = required(body, "reviewed_by", endpoint);
        if (!actor.server() && !reviewer.equals(actor.userId())) {
            throw ChatException.input(
                    endpoint + " failed with error: \"reviewed_by must be the caller with a client-side token\"");
        }
        JsonNode ids = body.path("message_ids");
        if (!ids.isMissingNode() && !ids.isArray() || ids.size() > MAX_MESSAGES) {
            throw ChatException.input(endpoint + " failed with error: \"message_ids must be a list of at most "
                    + MAX_MESSAGES + " ids\"");
        }
        Set<String> reports = new LinkedHashSet<>();
        for (JsonNode m : ids) {
            if (!m.isTextual()) {
                throw ChatException.input(endpoint + " failed with error: \"message_ids must hold strings\"");
            }
            moderation.reportOf("message", m.asText()).ifPresent(r -> reports.add(r.id()));
        }
        String userId = body.path("user_id").asText("");
        if (!userId.isEmpty()) {
            moderation
                    .reports(
                            new FlagFilter("message", Map.of(FlagField.TARGET_USER, List.of(userId)), false),
                            MAX_MESSAGES,
                            0)
                    .forEach(r -> reports.add(r.id()));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        reports.forEach(r -> moderation.reviewReport(r, "reviewed", reviewer, now, null));
        return Json.object();
    }

    /** The entity as a report's target: a stored message or a user; empty for other types (or a lost message). */
    private Optional<Target> target(String type, String id, String creator) {
        if (type.equals(ReviewQueue.MESSAGE)) {
            return chat.findMessage(id).map((MessageRow m) -> new Target("message", id, m.cid(), m.userId()));
        }
        if (type.equals(ReviewQueue.USER)) {
            return Optional.of(new Target("user", id, null, id));
        }
        return Optional.empty();
    }

    private static String recommended(String behavior) {
        return switch (behavior) {
            case "block" -> "remove";
            case "shadow_block" -> "shadow";
            default -> "flag";
        };
    }

    private static List<String> texts(JsonNode payload, String endpoint) {
        JsonNode texts = payload.path("texts");
        if (texts.isMissingNode() || texts.isNull()) {
            return List.of();
        }
        if (!texts.isArray() || texts.size() > MAX_TEXTS) {
            throw ChatException.input(endpoint + " failed with error: \"moderation_payload.texts must be a list of at "
                    + "most " + MAX_TEXTS + " texts\"");
        }
        ArrayNode a = (ArrayNode) texts;
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode t : a) {
            if (!t.isTextual()) {
                throw ChatException.input(
                        endpoint + " failed with error: \"moderation_payload.texts must hold strings\"");
            }
            out.add(t.asText());
        }
        return out;
    }

    private static String required(ObjectNode body, String field, String endpoint) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ChatException.input(endpoint + " failed with error: \"" + field + " is required\"");
        }
        return v.asText();
    }
}
