package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.chat.Actor;
import dev.parley.server.filter.Cursor;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.moderation.Blocklists.ListRule;
import dev.parley.server.store.PolicyStore;
import dev.parley.server.store.PolicyStore.Config;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Moderation v2 configurations (PROTOCOL.md §7.28): policies stored by team and key. Of their parts, this server
 * applies the {@code block_list_config} (its rules name blocklists and an action) to the messages of the channels
 * its key names, {@code chat:<type>:<id>} before {@code chat:<type>} before {@code chat}; the other parts need
 * Stream's AI services and are stored and answered only. The send path reads the compiled rules from memory
 * ({@link Blocklists#match(dev.parley.server.chat.ChannelType, String, String)}); a change reloads every node
 * through the blocklists' cluster message. Reading needs {@code read-flag-reports}, changing
 * {@code review-flag-reports} (§11.3). Thread-safe; the REST methods block.
 */
public final class ModerationConfigs {
    /** Most configurations of an app. */
    public static final int MAX_CONFIGS = 1_000;

    /** Longest configuration, as JSON. */
    static final int MAX_CONFIG_CHARS = 64 * 1024;

    /** Most rules of one {@code block_list_config}. */
    static final int MAX_LIST_RULES = 15;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_:.\\-]{1,128}");
    private static final Pattern TEAM = Pattern.compile("[A-Za-z0-9_:.\\-]{0,64}");

    /** The actions of a block list rule, by the blocklist behaviour (§7.27) each gets here. */
    private static final Map<String, String> ACTIONS = Map.of(
            "flag", "flag",
            "shadow", "shadow_block",
            "remove", "block",
            "block", "block",
            "bounce", "block",
            "bounce_flag", "block",
            "bounce_remove", "block");

    /** What a configuration's request carries besides its policy parts. */
    private static final Set<String> NOT_STORED = Set.of("key", "team", "user_id", "created_at", "updated_at");

    private final PolicyStore store;
    private final Blocklists blocklists;
    private final Clock clock;
    private final AppGrants grants;

    /** The block list rules of the app's (team {@code ""}) enabled configurations, by key. */
    private volatile Map<String, List<ListRule>> rules = Map.of();

    /** The keys that have a configuration of the app's own (team {@code ""}). */
    private volatile Set<String> keys = Set.of();

    public ModerationConfigs(PolicyStore store, Blocklists blocklists, Clock clock, AppGrants grants) {
        this.store = requireNonNull(store, "store");
        this.blocklists = requireNonNull(blocklists, "blocklists");
        this.clock = requireNonNull(clock, "clock");
        this.grants = requireNonNull(grants, "grants");
        reload();
        blocklists.useConfigRules(this::rulesFor, this::reload);
    }

    /** Reads every configuration again and compiles the block list rules of the app's own. */
    void reload() {
        Map<String, List<ListRule>> next = new HashMap<>();
        List<String> present = new ArrayList<>();
        for (Config c : store.configs()) {
            if (c.team().isEmpty()) {
                present.add(c.key());
                next.put(c.key(), listRules(c.key(), c.doc()));
            }
        }
        rules = Map.copyOf(next);
        keys = Set.copyOf(present);
    }

    /** The rules for a message of channel {@code cid}: those of the most specific configuration that exists. */
    List<ListRule> rulesFor(String cid) {
        int colon = cid.indexOf(':');
        String type = colon < 0 ? cid : cid.substring(0, colon);
        for (String key : List.of("chat:" + cid, "chat:" + type, "chat")) {
            if (keys.contains(key)) {
                return rules.getOrDefault(key, List.of());
            }
        }
        return List.of();
    }

    /** The rules of a configuration of the app's own; empty when there is none or its list config is off. */
    Optional<List<ListRule>> rulesOf(String key) {
        return keys.contains(key) ? Optional.of(rules.getOrDefault(key, List.of())) : Optional.empty();
    }

    private static List<ListRule> listRules(String key, ObjectNode doc) {
        JsonNode cfg = doc.path("block_list_config");
        if (!cfg.path("enabled").asBoolean(false)) {
            return List.of();
        }
        List<ListRule> out = new ArrayList<>();
        for (JsonNode r : cfg.path("rules")) {
            String behavior = ACTIONS.get(r.path("action").asText(""));
            if (behavior != null && r.path("name").isTextual()) {
                out.add(new ListRule(r.get("name").asText(), behavior, key));
            }
        }
        return List.copyOf(out);
    }

    // ---- REST

    /** {@code POST /api/v2/moderation/config}: stores the configuration of {@code key} (and {@code team}). */
    public ObjectNode upsert(Actor actor, ObjectNode body) {
        String endpoint = "UpsertConfig";
        grants.require(actor, "review-flag-reports", endpoint);
        String key = key(body.path("key"), endpoint);
        String team = team(body.get("team"), endpoint);
        ObjectNode doc = Json.object();
        body.properties().forEach(e -> {
            if (!NOT_STORED.contains(e.getKey())) {
                doc.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        check(doc, endpoint);
        if (store.config(team, key).isEmpty() && store.configs().size() >= MAX_CONFIGS) {
            throw ChatException.input(
                    endpoint + " failed with error: \"an app has at most " + MAX_CONFIGS + " moderation configs\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Config stored = store.upsertConfig(new Config(team, key, doc, now, now));
        blocklists.changedHere();
        ObjectNode out = Json.object();
        out.set("config", json(stored));
        return out;
    }

    /** {@code GET /api/v2/moderation/config/{key}?team=}: code 16 when there is none. */
    public ObjectNode get(Actor actor, String key, @Nullable String team) {
        String endpoint = "GetConfig";
        grants.require(actor, "read-flag-reports", endpoint);
        Config c = store.config(team == null ? "" : team, key).orElseThrow(() -> notFound(endpoint, key));
        ObjectNode out = Json.object();
        out.set("config", json(c));
        return out;
    }

    /** {@code DELETE /api/v2/moderation/config/{key}?team=}: code 16 when there is none. */
    public ObjectNode delete(Actor actor, String key, @Nullable String team) {
        String endpoint = "DeleteConfig";
        grants.require(actor, "review-flag-reports", endpoint);
        if (!store.deleteConfig(team == null ? "" : team, key)) {
            throw notFound(endpoint, key);
        }
        blocklists.changedHere();
        return Json.object();
    }

    /**
     * {@code POST /api/v2/moderation/configs} {@code {filter, sort, limit, next, prev}}: filters and sorts on
     * {@code key}, {@code team}, {@code created_at}, {@code updated_at}; newest first by default.
     */
    public ObjectNode query(Actor actor, ObjectNode body) {
        String endpoint = "QueryModerationConfigs";
        grants.require(actor, "read-flag-reports", endpoint);
        Page p = Page.of(body, endpoint);
        List<Config> page = store.configs(new PolicyStore.Page(p.filter(), p.sort(), p.limit() + 1, p.offset()));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("configs");
        page.stream().limit(p.limit()).forEach(c -> list.add(json(c)));
        p.cursors(out, page.size() > p.limit());
        return out;
    }

    /** A filtered page of a query of configurations or rules: parsed, with the bounds of §7.28. */
    record Page(Filter filter, List<SortField> sort, int limit, int offset) {
        static final int MAX_LIMIT = 100;
        static final int MAX_OFFSET = 10_000;

        static Page of(ObjectNode body, String endpoint) {
            int limit = FlagReports.bounded(body, "limit", 25, 1, MAX_LIMIT, endpoint);
            int offset = Math.max(Cursor.offset(body, "next", endpoint), Cursor.offset(body, "prev", endpoint));
            if (offset > MAX_OFFSET) {
                throw ChatException.input(
                        endpoint + " failed with error: \"next: at most " + MAX_OFFSET + " items can be skipped\"");
            }
            return new Page(Filter.parse(body.get("filter")), SortField.parse(body.get("sort")), limit, offset);
        }

        void cursors(ObjectNode out, boolean more) {
            if (more) {
                out.put("next", Integer.toString(offset + limit));
            }
            if (offset > 0) {
                out.put("prev", Integer.toString(Math.max(0, offset - limit)));
            }
        }
    }

    private void check(ObjectNode doc, String endpoint) {
        if (Json.write(doc).length() > MAX_CONFIG_CHARS) {
            throw ChatException.input(endpoint + " failed with error: \"a config is at most " + MAX_CONFIG_CHARS
                    + " characters of JSON\"");
        }
        doc.properties().forEach(e -> {
            if (!e.getValue().isObject() && !e.getValue().isBoolean()) {
                throw ChatException.input(
                        endpoint + " failed with error: \"" + e.getKey() + " must be an object (a policy part)\"");
            }
        });
        JsonNode cfg = doc.get("block_list_config");
        if (cfg == null) {
            return;
        }
        JsonNode rs = cfg.path("rules");
        if (!rs.isMissingNode() && !rs.isArray() || rs.size() > MAX_LIST_RULES) {
            throw ChatException.input(endpoint + " failed with error: \"block_list_config.rules must be a list of at "
                    + "most " + MAX_LIST_RULES + " rules\"");
        }
        for (JsonNode r : rs) {
            String name = r.path("name").asText("");
            if (!ACTIONS.containsKey(r.path("action").asText(""))) {
                throw ChatException.input(endpoint + " failed with error: \"block_list_config.rules: action must be "
                        + "one of " + String.join(", ", new java.util.TreeSet<>(ACTIONS.keySet())) + "\"");
            }
            if (!blocklists.exists(name)) {
                throw ChatException.input(endpoint + " failed with error: \"block_list_config.rules: blocklist '" + name
                        + "' does not exist\"");
            }
        }
    }

    static ObjectNode json(Config c) {
        ObjectNode o = c.doc().deepCopy();
        o.put("key", c.key());
        o.put("team", c.team());
        o.put("created_at", Timestamps.format(c.createdAt()));
        o.put("updated_at", Timestamps.format(c.updatedAt()));
        return o;
    }

    private static String key(JsonNode v, String endpoint) {
        if (!v.isTextual() || !KEY.matcher(v.asText()).matches()) {
            throw ChatException.input(endpoint + " failed with error: \"key is required: 1 to 128 characters of "
                    + "A-Z, a-z, 0-9, _, :, . and -\"");
        }
        return v.asText();
    }

    static String team(@Nullable JsonNode v, String endpoint) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual() || !TEAM.matcher(v.asText()).matches()) {
            throw ChatException.input(
                    endpoint + " failed with error: \"team: at most 64 characters of A-Z, a-z, 0-9, _, :, . and -\"");
        }
        return v.asText();
    }

    private static ChatException notFound(String endpoint, String key) {
        return ChatException.notFound(
                endpoint + " failed with error: \"moderation config '" + key + "' does not exist\"");
    }
}
