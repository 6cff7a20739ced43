package dev.parley.server.hooks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
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

    /** A member's encoded fixed part, without its closing brace, and what it was made from. */
    private record Part(@Nullable User user, String role, boolean banned, String json) {}

    private final ChatStore store;
    private final UserService users;
    private final Map<String, Part> parts = new ConcurrentHashMap<>();

    public WebhookMembers(ChatStore store, UserService users) {
        this.store = requireNonNull(store, "store");
        this.users = requireNonNull(users, "users");
    }

    @Override
    public String json(String cid) {
        ChatRows.Roster roster = store.roster(cid);
        List<ChatRows.RosterMember> members = roster.members().values().stream()
                .sorted(Comparator.comparing(ChatRows.RosterMember::userId))
                .limit(Webhooks.MAX_MEMBERS)
                .toList();
        if (members.isEmpty()) {
            return "[]";
        }
        List<String> ids = members.stream().map(ChatRows.RosterMember::userId).toList();
        Map<String, User> found = users.findAll(ids);
        Map<String, ChatRows.UnreadTotals> totals = store.unreadTotals(ids);
        StringBuilder out = new StringBuilder(members.size() * 512).append('[');
        for (ChatRows.RosterMember m : members) {
            String id = m.userId();
            User u = found.get(id);
            boolean banned = roster.bannedUserIds().contains(id) || (u != null && u.banned());
            String key = cid + '\n' + id;
            Part p = parts.get(key);
            if (p == null || p.user() != u || !p.role().equals(m.channelRole()) || p.banned() != banned) {
                p = new Part(u, m.channelRole(), banned, fixedPart(id, u, m.channelRole(), banned));
                if (parts.size() >= MAX_KEPT) {
                    parts.clear();
                }
                parts.put(key, p);
            }
            ChatRows.UnreadTotals t = totals.getOrDefault(id, ChatRows.UnreadTotals.ZERO);
            if (out.length() > 1) {
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
        return out.append(']').toString();
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
