package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.chat.Actor;
import dev.parley.server.filter.Filter;
import dev.parley.server.store.PolicyStore;
import dev.parley.server.store.PolicyStore.Rule;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Moderation rules (PROTOCOL.md §7.28): named rules of conditions and actions, stored and answered as given.
 * This server applies none of them (their conditions read the scores of Stream's AI services); the block list
 * rules of the configurations are what acts on sends. Reading needs {@code read-flag-reports}, changing
 * {@code review-flag-reports} (§11.3). Thread-safe; blocking.
 */
public final class ModerationRules {
    /** Most rules of an app. */
    public static final int MAX_RULES = 1_000;

    /** Longest rule, as JSON. */
    static final int MAX_RULE_CHARS = 32 * 1024;

    private static final Set<String> RULE_TYPES = Set.of("user", "content");

    private final PolicyStore store;
    private final Clock clock;
    private final AppGrants grants;

    public ModerationRules(PolicyStore store, Clock clock, AppGrants grants) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.grants = requireNonNull(grants, "grants");
    }

    /**
     * {@code POST /api/v2/moderation/moderation_rule} {@code {name, description?, config_keys?, team?, rule,
     * enabled?}} → {@code {rule}}: a rule of the same team and name is replaced (keeping its id).
     */
    public ObjectNode upsert(Actor actor, ObjectNode body) {
        String endpoint = "UpsertModerationRule";
        grants.require(actor, "review-flag-reports", endpoint);
        JsonNode name = body.path("name");
        if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > 128) {
            throw ChatException.input(endpoint + " failed with error: \"name is required: 1 to 128 characters\"");
        }
        String team = ModerationConfigs.team(body.get("team"), endpoint);
        JsonNode rule = body.path("rule");
        if (!rule.isObject()) {
            throw ChatException.input(endpoint + " failed with error: \"rule is required: an object\"");
        }
        String ruleType = rule.path("rule_type").asText("content");
        if (!RULE_TYPES.contains(ruleType)) {
            throw ChatException.input(endpoint + " failed with error: \"rule.rule_type must be user or content\"");
        }
        JsonNode keys = body.path("config_keys");
        if (!keys.isMissingNode() && !keys.isNull() && !keys.isArray()) {
            throw ChatException.input(endpoint + " failed with error: \"config_keys must be a list of keys\"");
        }
        ObjectNode doc = Json.object();
        doc.put("description", body.path("description").asText(""));
        doc.set("config_keys", keys.isArray() ? keys.deepCopy() : Json.array());
        doc.set("rule", rule.deepCopy());
        if (Json.write(doc).length() > MAX_RULE_CHARS) {
            throw ChatException.input(
                    endpoint + " failed with error: \"a rule is at most " + MAX_RULE_CHARS + " characters of JSON\"");
        }
        if (store.ruleCount() >= MAX_RULES && !exists(team, name.asText())) {
            throw ChatException.input(
                    endpoint + " failed with error: \"an app has at most " + MAX_RULES + " moderation rules\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Rule stored = store.upsertRule(new Rule(
                UUID.randomUUID().toString(),
                team,
                name.asText(),
                body.path("enabled").asBoolean(true),
                ruleType,
                doc,
                now,
                now));
        ObjectNode out = Json.object();
        out.set("rule", json(stored));
        return out;
    }

    /** {@code GET /api/v2/moderation/moderation_rule/{id}}: code 16 when there is none. */
    public ObjectNode get(Actor actor, String id) {
        String endpoint = "GetModerationRule";
        grants.require(actor, "read-flag-reports", endpoint);
        Rule r = store.rule(id).orElseThrow(() -> notFound(endpoint, id));
        ObjectNode out = Json.object();
        out.set("rule", json(r));
        return out;
    }

    /** {@code DELETE /api/v2/moderation/moderation_rule/{id}}: code 16 when there is none. */
    public ObjectNode delete(Actor actor, String id) {
        String endpoint = "DeleteModerationRule";
        grants.require(actor, "review-flag-reports", endpoint);
        if (!store.deleteRule(id)) {
            throw notFound(endpoint, id);
        }
        return Json.object();
    }

    /**
     * {@code POST /api/v2/moderation/moderation_rules} {@code {filter, sort, limit, next, prev}}: filters on
     * {@code id}, {@code name}, {@code team}, {@code enabled}, {@code rule_type} and the times; newest first by
     * default.
     */
    public ObjectNode query(Actor actor, ObjectNode body) {
        String endpoint = "QueryModerationRules";
        grants.require(actor, "read-flag-reports", endpoint);
        ModerationConfigs.Page p = ModerationConfigs.Page.of(body, endpoint);
        List<Rule> page = store.rules(new PolicyStore.Page(p.filter(), p.sort(), p.limit() + 1, p.offset()));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("rules");
        page.stream().limit(p.limit()).forEach(r -> list.add(json(r)));
        out.putObject("default_llm_labels");
        p.cursors(out, page.size() > p.limit());
        return out;
    }

    /** Whether a rule of {@code team} is named {@code name} (an upsert of it replaces it, so it is not one more). */
    private boolean exists(String team, String name) {
        ObjectNode f = Json.object();
        f.put("team", team);
        f.put("name", name);
        return !store.rules(new PolicyStore.Page(Filter.parse(f), List.of(), 1, 0))
                .isEmpty();
    }

    private static ObjectNode json(Rule r) {
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("name", r.name());
        o.put("description", r.doc().path("description").asText(""));
        o.set("config_keys", r.doc().path("config_keys").deepCopy());
        o.put("team", r.team());
        o.set("rule", r.doc().path("rule").deepCopy());
        o.put("enabled", r.enabled());
        o.put("created_at", Timestamps.format(r.createdAt()));
        o.put("updated_at", Timestamps.format(r.updatedAt()));
        return o;
    }

    private static ChatException notFound(String endpoint, String id) {
        return ChatException.notFound(endpoint + " failed with error: \"moderation rule '" + id + "' does not exist\"");
    }
}
