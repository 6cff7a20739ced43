package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code members} of webhook payloads (PROTOCOL.md §15.2), from what the node keeps in memory: the channel's
 * hot roster, its members' users and unread totals. A member's fixed part (its user, role and ban) is encoded
 * once and kept while that user object, role and ban stay the same, so that a delivery only appends the
 * counters. At most {@value #MAX_KEPT} parts are kept; past that the cache starts over. Thread-safe.
 */
public final class WebhookMembers implements Webhooks.Members {
    static final int MAX_KEPT = 100_000;

    /** About how long one member's JSON is: what the builder grows by per member at once. */
    private static final int PART_CHARS = 400;

    private static final Comparator<ChatRows.RosterMember> BY_USER_ID =
            Comparator.comparing(ChatRows.RosterMember::userId);

    /** A member of a channel: what a part is kept under. */
    private record Key(String cid, String userId) {}

    /** A member's encoded fixed part, without its closing brace, and what it was made from. */
    private record Part(@Nullable User user, String role, boolean banned, String json) {}

    private final ChatStore store;
    private final UserService users;
    private final Map<Key, Part> parts = new ConcurrentHashMap<>();

    public WebhookMembers(ChatStore store, UserService users) {
        this.store = requireNonNull(store, "store");
        this.users = requireNonNull(users, "users");
    }

    @Override
    public void appendJson(String cid, StringBuilder out) {
        ChatRows.Roster roster = store.roster(cid);
        ChatRows.RosterMember[] all = roster.members().values().toArray(new ChatRows.RosterMember[0]);
        Arrays.sort(all, BY_USER_ID);
        int n = Math.min(all.length, Webhooks.MAX_MEMBERS);
        if (n == 0) {
            out.append("[]");
            return;
        }
        String[] ids = new String[n];
        @Nullable User[] found = new User[n];
        List<String> missing = null;
        for (int i = 0; i < n; i++) {
            ids[i] = all[i].userId();
            found[i] = users.inMemory(ids[i]);
            if (found[i] == null) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(ids[i]);
            }
        }
        if (missing != null) {
            Map<String, User> stored = users.findAll(missing);
            for (int i = 0; i < n; i++) {
                if (found[i] == null) {
                    found[i] = stored.get(ids[i]);
                }
            }
        }
        Map<String, ChatRows.UnreadTotals> totals = store.unreadTotals(Arrays.asList(ids));
        out.ensureCapacity(out.length() + n * PART_CHARS);
        out.append('[');
        for (int i = 0; i < n; i++) {
            ChatRows.RosterMember m = all[i];
            String id = ids[i];
            User u = found[i];
            boolean banned = roster.bannedUserIds().contains(id) || (u != null && u.banned());
            Key key = new Key(cid, id);
            Part p = parts.get(key);
            if (p == null || p.user() != u || !p.role().equals(m.channelRole()) || p.banned() != banned) {
                p = new Part(u, m.channelRole(), banned, fixedPart(id, u, m.channelRole(), banned));
                if (parts.size() >= MAX_KEPT) {
                    parts.clear();
                }
                parts.put(key, p);
            }
            ChatRows.UnreadTotals t = totals.getOrDefault(id, ChatRows.UnreadTotals.ZERO);
            if (i > 0) {
                out.append(',');
            }
            out.append(p.json())
                    .append(",\"channel_unread_count\":")
                    .append(m.unread())
                    .append(",\"total_unread_count\":")
                    .append(t.messages())
                    .append(",\"unread_channels\":")
                    .append(t.channels())
                    .append('}');
        }
        out.append(']');
    }

    private static String fixedPart(String id, @Nullable User u, String role, boolean banned) {
        ObjectNode o = Json.object();
        o.put("user_id", id);
        o.set("user", u == null ? User.builder(id).build().toJson() : u.toJson());
        o.put("channel_role", role);
        o.put("banned", banned);
        String json = Json.write(o);
        return json.substring(0, json.length() - 1); // the counters follow
    }
}
