package dev.parley.server.push;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.PushStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /push_preferences} (PROTOCOL.md §16.2): a user's push level for chat ({@code all},
 * {@code mentions}, {@code direct_mentions}, {@code all_mentions}, {@code none}, or {@code default} to leave it
 * to the level above) and calls, for the user or for one channel, and a pause ({@code disabled_until}, ended by
 * {@code remove_disable}). A user sets its own; the server sets anyone's. Thread-safe.
 */
public final class PushPreferences {
    /** Most preferences in one request. */
    public static final int MAX_PER_REQUEST = 100;

    static final Set<String> CHAT_LEVELS =
            Set.of("all", "mentions", "direct_mentions", "all_mentions", "none", "default");
    static final Set<String> CALL_LEVELS = Set.of("all", "none", "default");
    private static final Set<String> FIELDS =
            Set.of("user_id", "channel_cid", "chat_level", "call_level", "disabled_until", "remove_disable");

    private final PushStore store;
    private final Clock clock;

    public PushPreferences(PushStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Applies a request's {@code preferences}.
     *
     * @param caller the user asking, or null for the server (which must name {@code user_id})
     * @throws ChatException code 4 naming the field that is wrong, code 17 when a user sets another's
     */
    public ObjectNode upsert(@Nullable String caller, JsonNode body) {
        JsonNode list = body.path("preferences");
        if (!list.isArray() || list.isEmpty()) {
            throw input("preferences must be a non-empty array");
        }
        if (list.size() > MAX_PER_REQUEST) {
            throw input("at most " + MAX_PER_REQUEST + " preferences in one request");
        }
        record Asked(String userId, String cid, JsonNode p) {}
        List<Asked> asked = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode p = list.get(i);
            String at = "preferences[" + i + "]";
            if (!(p instanceof ObjectNode o)) {
                throw input(at + " must be an object");
            }
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!FIELDS.contains(e.getKey()) && !e.getValue().isNull()) {
                    throw input(at + "." + e.getKey() + " is not a preference this server acts on");
                }
            }
            String userId = o.path("user_id").asText("");
            if (caller == null && userId.isEmpty()) {
                throw input(at + ".user_id is required with a server token");
            }
            if (caller != null && !userId.isEmpty() && !userId.equals(caller)) {
                throw ChatException.notAllowed(
                        "UpsertPushPreferences failed with error: \"users may only set their own push preferences\"");
            }
            String cid = o.path("channel_cid").asText("");
            if (!cid.isEmpty() && !cid.matches("[A-Za-z0-9_-]{1,64}:[^\\s]{1,255}")) {
                throw input(at + ".channel_cid must be a channel's cid (type:id)");
            }
            level(o, "chat_level", CHAT_LEVELS, at);
            level(o, "call_level", CALL_LEVELS, at);
            JsonNode until = o.get("disabled_until");
            if (until != null && !until.isNull()) {
                if (!until.isTextual()) {
                    throw input(at + ".disabled_until must be a timestamp");
                }
                Timestamps.parse(until.asText(), at + ".disabled_until");
            }
            JsonNode remove = o.get("remove_disable");
            if (remove != null && !remove.isNull() && !remove.isBoolean()) {
                throw input(at + ".remove_disable must be a boolean");
            }
            asked.add(new Asked(userId.isEmpty() ? requireNonNull(caller) : userId, cid, o));
        }
        Map<String, PushStore.Preference> stored = new LinkedHashMap<>();
        for (Asked a : asked) {
            for (PushStore.Preference p :
                    store.preferences(List.of(a.userId()), a.cid().isEmpty() ? null : a.cid())) {
                if (p.channelCid().equals(a.cid())) {
                    stored.put(p.userId() + "\n" + p.channelCid(), p);
                }
            }
        }
        Map<String, PushStore.Preference> next = new LinkedHashMap<>();
        for (Asked a : asked) {
            String k = a.userId() + "\n" + a.cid();
            PushStore.Preference before = next.getOrDefault(k, stored.get(k));
            String chat = before == null ? null : before.chatLevel();
            String call = before == null ? null : before.callLevel();
            Instant until = before == null ? null : before.disabledUntil();
            if (a.p().hasNonNull("chat_level")) {
                chat = a.p().get("chat_level").asText();
                chat = chat.equals("default") ? null : chat;
            }
            if (a.p().hasNonNull("call_level")) {
                call = a.p().get("call_level").asText();
                call = call.equals("default") ? null : call;
            }
            if (a.p().hasNonNull("disabled_until")) {
                until = Timestamps.parse(a.p().get("disabled_until").asText(), "disabled_until");
            }
            if (a.p().path("remove_disable").asBoolean(false)) {
                until = null;
            }
            next.put(k, new PushStore.Preference(a.userId(), a.cid(), chat, call, until));
        }
        store.upsertPreferences(List.copyOf(next.values()), clock.instant());
        ObjectNode out = Json.object();
        ObjectNode users = out.putObject("user_preferences");
        ObjectNode channels = out.putObject("user_channel_preferences");
        for (PushStore.Preference p : next.values()) {
            if (p.userLevel()) {
                users.set(p.userId(), json(p, true));
            } else {
                ObjectNode mine = channels.get(p.userId()) instanceof ObjectNode o ? o : channels.putObject(p.userId());
                mine.set(p.channelCid(), json(p, false));
            }
        }
        return out;
    }

    /** A user's own level ({@code me.push_preferences}), or null when none is stored. */
    public @Nullable ObjectNode ofUser(String userId) {
        for (PushStore.Preference p : store.preferences(List.of(userId), null)) {
            if (p.userLevel()) {
                return json(p, true);
            }
        }
        return null;
    }

    /** A preference as answered: the levels (all when none is set), and the pause when there is one. */
    static ObjectNode json(PushStore.Preference p, boolean withCalls) {
        ObjectNode o = Json.object();
        o.put("chat_level", p.chatLevel() == null ? "all" : p.chatLevel());
        if (withCalls) {
            o.put("call_level", p.callLevel() == null ? "all" : p.callLevel());
        }
        if (p.disabledUntil() != null) {
            o.put("disabled_until", Timestamps.format(p.disabledUntil()));
        }
        return o;
    }

    private static void level(ObjectNode o, String field, Set<String> allowed, String at) {
        JsonNode v = o.get(field);
        if (v != null && !v.isNull() && !(v.isTextual() && allowed.contains(v.asText()))) {
            throw input(at + "." + field + " must be one of "
                    + String.join(", ", allowed.stream().sorted().toList()));
        }
    }

    private static ChatException input(String message) {
        return ChatException.input("UpsertPushPreferences failed with error: \"" + message + "\"");
    }
}
