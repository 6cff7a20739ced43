package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Blocklist;
import dev.parley.server.store.ModerationStore.Flag;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Blocklists (PROTOCOL.md §7.27): named lists of words, managed by server-side calls, that a channel type names
 * with {@code blocklist}; its {@code blocklist_behavior} says what a message with one of the words gets:
 * {@code block} (the sender gets the message back as an error, nothing is stored), {@code shadow_block} (stored
 * shadowed) or {@code flag} (stored, and flagged by the server). Matching is by whole word, case-insensitive.
 *
 * <p>The send path reads only memory: each list is compiled once into a set of words when it changes (or when
 * {@link #reload} reads the store again, on another node's change). Thread-safe; the CRUD methods block.
 */
public final class Blocklists {
    /** Most blocklists of an app (Stream allows 15). */
    public static final int MAX_LISTS = 15;

    /** Most words of one list. */
    public static final int MAX_WORDS = 10_000;

    /** Longest word. */
    public static final int MAX_WORD_LENGTH = 40;

    /** The text a blocked message comes back with (the SDKs recognise a blocked message by its type). */
    public static final String BLOCKED_TEXT = "Message was blocked by moderation policies";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** What separates the words of a message: white space and hyphens. */
    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-\\u2010-\\u2015]+");

    /** Punctuation that may stick to either end of a word without being part of it. */
    private static final String EDGE_PUNCTUATION = ".,!?;:\"'()[]{}<>«»“”‘’…";

    /**
     * A word of a message that is on a list: what the type's behaviour then applies to; {@code configKey} names the
     * moderation configuration whose rule matched (null for the type's own list).
     */
    public record Hit(
            String behavior,
            String list,
            String word,
            @Nullable String configKey) {}

    /**
     * A rule of a moderation configuration's {@code block_list_config} (§7.28): a list and the behaviour its words
     * get ({@code flag}, {@code shadow_block} or {@code block}).
     */
    public record ListRule(String list, String behavior, String configKey) {}

    /** The behaviours from the mildest to the strictest. */
    private static final List<String> SEVERITY = List.of("flag", "shadow_block", "block");

    private final ModerationStore store;
    private final Clock clock;
    /** List name to its words; replaced whole on every change. */
    private volatile Map<String, Set<String>> compiled = Map.of();

    private volatile Runnable changed = () -> {};

    /** The configuration rules that apply to a channel's messages, by cid (§7.28); none until configured. */
    private volatile Function<String, List<ListRule>> configRules = cid -> List.of();

    /** Runs after every {@link #reload}, for the configurations to read theirs again too. */
    private volatile Runnable reloaded = () -> {};

    public Blocklists(ModerationStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        reload();
    }

    /** Called after each change made here, for the other nodes of a cluster to {@link #reload}. */
    public void onChange(Runnable listener) {
        this.changed = requireNonNull(listener, "listener");
    }

    /**
     * Where the rules of the moderation configurations come from, and what reads them again on {@link #reload}.
     */
    void useConfigRules(Function<String, List<ListRule>> rules, Runnable reload) {
        this.configRules = requireNonNull(rules, "rules");
        this.reloaded = requireNonNull(reload, "reload");
    }

    /** Reads every list (and, through its listener, every configuration) from the store again and recompiles them. */
    public void reload() {
        synchronized (this) {
            Map<String, Set<String>> next = new HashMap<>();
            store.blocklists().forEach(b -> next.put(b.name(), Set.copyOf(b.words())));
            compiled = Map.copyOf(next);
        }
        reloaded.run();
    }

    /** Whether a list of this name exists. */
    public boolean exists(String name) {
        return compiled.containsKey(name);
    }

    // ---- the send path

    /**
     * The first word of {@code text} on the blocklist of {@code type} (its {@code blocklist}), with the type's
     * behaviour; null when the type names no list, the list does not exist, or no word is on it. Memory only.
     */
    public @Nullable Hit match(ChannelType type, @Nullable String text) {
        JsonNode name = type.config().get("blocklist");
        if (name == null || !name.isTextual() || text == null || text.isEmpty()) {
            return null;
        }
        Set<String> words = compiled.get(name.asText());
        if (words == null || words.isEmpty()) {
            return null;
        }
        for (String token : SEPARATORS.split(text)) {
            String word = trim(token).toLowerCase(Locale.ROOT);
            if (!word.isEmpty() && words.contains(word)) {
                String behavior = type.config().path("blocklist_behavior").asText("flag");
                return new Hit(behavior, name.asText(), word, null);
            }
        }
        return null;
    }

    /**
     * The blocklist word of {@code text} for a message of channel {@code cid}: the type's list first (§7.27), then
     * the rules of the moderation configuration that applies to the channel (§7.28). Memory only.
     */
    public @Nullable Hit match(ChannelType type, String cid, @Nullable String text) {
        Hit hit = match(type, text);
        return hit != null ? hit : match(configRules.apply(cid), text);
    }

    /** The strictest hit of {@code rules} in {@code text} (the first rule's among equals); null when none. */
    public @Nullable Hit match(List<ListRule> rules, @Nullable String text) {
        if (rules.isEmpty() || text == null || text.isEmpty()) {
            return null;
        }
        Hit best = null;
        for (ListRule rule : rules) {
            Set<String> words = compiled.get(rule.list());
            if (words == null || words.isEmpty()) {
                continue;
            }
            for (String token : SEPARATORS.split(text)) {
                String word = trim(token).toLowerCase(Locale.ROOT);
                if (!word.isEmpty() && words.contains(word)) {
                    if (best == null || stricter(rule.behavior(), best.behavior())) {
                        best = new Hit(rule.behavior(), rule.list(), word, rule.configKey());
                    }
                    break;
                }
            }
        }
        return best;
    }

    /** Whether behaviour {@code a} is stricter than {@code b}. */
    static boolean stricter(String a, String b) {
        return SEVERITY.indexOf(a) > SEVERITY.indexOf(b);
    }

    private static String trim(String token) {
        int from = 0;
        int to = token.length();
        while (from < to && EDGE_PUNCTUATION.indexOf(token.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && EDGE_PUNCTUATION.indexOf(token.charAt(to - 1)) >= 0) {
            to--;
        }
        return token.substring(from, to);
    }

    /**
     * What the sender of a blocked message gets: the message as an error (type {@code error}, the
     * {@link #BLOCKED_TEXT}, {@code moderation_details} with the remove action), stored nowhere, sent to no one.
     */
    public ObjectNode blocked(ObjectNode doc, Hit hit) {
        ObjectNode m = doc.deepCopy();
        String original = doc.path("text").asText("");
        m.put("type", "error");
        m.put("text", BLOCKED_TEXT);
        m.put("html", "<p>" + BLOCKED_TEXT + "</p>\n");
        ObjectNode details = m.putObject("moderation_details");
        details.put("action", "MESSAGE_RESPONSE_ACTION_REMOVE");
        details.put("original_text", original);
        details.put("error_msg", BLOCKED_TEXT);
        details.putArray("harms").addObject().put("name", "blocklist:" + hit.list());
        String now = Timestamps.format(clock.instant());
        m.put("created_at", now);
        m.put("updated_at", now);
        return m;
    }

    /**
     * Records the server's flag of a stored message that matched a list with the {@code flag} behaviour (or
     * {@code shadow_block}): one flag by {@link ModerationStore#SYSTEM}, in the message's report.
     */
    public void flag(String messageId, String cid, String authorId, Hit hit) {
        flag("message", messageId, cid, authorId, hit);
    }

    /**
     * Records the server's flag of a message or a user ({@code kind}) that a list matched, in its report; returns
     * the report's id.
     */
    String flag(String kind, String targetId, @Nullable String cid, String targetUserId, Hit hit) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ObjectNode details = Json.object();
        ObjectNode automod = details.putObject("automod");
        automod.put("action", hit.behavior());
        ObjectNode result = automod.putObject("result");
        result.put("blocklist_name", hit.list());
        result.put("blocked_word", hit.word());
        result.put("moderated_by", "blocklist");
        if (hit.configKey() != null) {
            automod.put("config_key", hit.configKey());
        }
        store.upsertFlag(
                new Flag(ModerationStore.SYSTEM, kind, targetId, "blocklist", now, now, true, details.toString()),
                UUID.randomUUID().toString(),
                cid,
                targetUserId);
        return store.reportOf(kind, targetId)
                .map(ModerationStore.FlagReport::id)
                .orElseThrow(() -> new IllegalStateException("a flag was stored without its report: " + targetId));
    }

    // ---- the REST endpoints (server-side only)

    /** {@code POST /blocklists}: {@code name}, {@code words}. */
    public synchronized ObjectNode create(Actor actor, ObjectNode body) {
        serverOnly(actor, "CreateBlockList");
        String name = name(body.path("name"), "CreateBlockList");
        List<String> words = words(body.get("words"), "CreateBlockList");
        if (store.blocklists().size() >= MAX_LISTS) {
            throw ChatException.input(
                    "CreateBlockList failed with error: \"an app has at most " + MAX_LISTS + " blocklists\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (!store.createBlocklist(new Blocklist(name, words, now, now))) {
            throw ChatException.input("CreateBlockList failed with error: \"blocklist '" + name + "' already exists\"");
        }
        changedHere();
        return Json.object();
    }

    /** {@code GET /blocklists}. */
    public ObjectNode list(Actor actor) {
        serverOnly(actor, "ListBlockLists");
        ObjectNode out = Json.object();
        ArrayNode lists = out.putArray("blocklists");
        store.blocklists().forEach(b -> lists.add(json(b)));
        return out;
    }

    /** {@code GET /blocklists/{name}}. */
    public ObjectNode get(Actor actor, String name) {
        serverOnly(actor, "GetBlockList");
        Blocklist b = store.blocklist(name).orElseThrow(() -> notFound("GetBlockList", name));
        ObjectNode out = Json.object();
        out.set("blocklist", json(b));
        return out;
    }

    /** {@code PUT /blocklists/{name}}: {@code words} replace the list's. */
    public synchronized ObjectNode update(Actor actor, String name, ObjectNode body) {
        serverOnly(actor, "UpdateBlockList");
        List<String> words = words(body.get("words"), "UpdateBlockList");
        if (!store.updateBlocklist(name, words, clock.instant().truncatedTo(ChronoUnit.MICROS))) {
            throw notFound("UpdateBlockList", name);
        }
        changedHere();
        return Json.object();
    }

    /** {@code DELETE /blocklists/{name}}: channel types that name it match nothing from then on. */
    public synchronized ObjectNode delete(Actor actor, String name) {
        serverOnly(actor, "DeleteBlockList");
        if (!store.deleteBlocklist(name)) {
            throw notFound("DeleteBlockList", name);
        }
        changedHere();
        return Json.object();
    }

    /** Reloads here and tells the other nodes to (a list or a configuration changed). */
    void changedHere() {
        reload();
        changed.run();
    }

    private static ObjectNode json(Blocklist b) {
        ObjectNode o = Json.object();
        o.put("name", b.name());
        o.put("type", "word");
        ArrayNode words = o.putArray("words");
        b.words().forEach(words::add);
        o.put("created_at", Timestamps.format(b.createdAt()));
        o.put("updated_at", Timestamps.format(b.updatedAt()));
        return o;
    }

    private static void serverOnly(Actor actor, String endpoint) {
        if (!actor.server()) {
            throw ChatException.notAllowed(
                    endpoint + " failed with error: \"blocklists are managed with a server-side token only\"");
        }
    }

    private static String name(JsonNode v, String endpoint) {
        if (!v.isTextual() || !NAME.matcher(v.asText()).matches()) {
            throw ChatException.input(endpoint + " failed with error: \"name is required: 1 to 64 characters of "
                    + "A-Z, a-z, 0-9, _ and -\"");
        }
        return v.asText();
    }

    /** The words of a request, lower case, without repeats; code 4 past the bounds or for a word with a separator. */
    private static List<String> words(@Nullable JsonNode v, String endpoint) {
        if (v == null || !v.isArray()) {
            throw ChatException.input(endpoint + " failed with error: \"words is required: a list of words\"");
        }
        if (v.size() > MAX_WORDS) {
            throw ChatException.input(
                    endpoint + " failed with error: \"a blocklist has at most " + MAX_WORDS + " words\"");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode w : v) {
            String word = w.isTextual() ? trim(w.asText().strip()) : "";
            if (word.isEmpty()
                    || word.length() > MAX_WORD_LENGTH
                    || SEPARATORS.matcher(word).find()) {
                throw ChatException.input(endpoint + " failed with error: \"each word must be 1 to " + MAX_WORD_LENGTH
                        + " characters without spaces or hyphens, not " + w + "\"");
            }
            out.add(word.toLowerCase(Locale.ROOT));
        }
        return new ArrayList<>(out);
    }

    private static ChatException notFound(String endpoint, String name) {
        return ChatException.notFound(endpoint + " failed with error: \"blocklist '" + name + "' does not exist\"");
    }
}
