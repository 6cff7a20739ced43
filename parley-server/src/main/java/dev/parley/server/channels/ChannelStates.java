package dev.parley.server.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.ChatCore;
import dev.parley.server.chat.Permissions;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.messages.Paging;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the ChannelState of PROTOCOL.md §6.7 for one reader: channel with config and
 * {@code own_capabilities}, messages oldest first, pinned messages, members, read, watcher count,
 * watchers when asked, membership. Blocking (reads the store); thread-safe.
 */
public final class ChannelStates {
    /** Messages in a channel query when {@code messages.limit} is absent: the JS client assumes 100. */
    public static final int DEFAULT_MESSAGES = 100;

    public static final int DEFAULT_MEMBERS = 100;
    public static final int MAX_MEMBERS = 300;
    public static final int PINNED = 10;

    /**
     * What to include.
     *
     * @param messages the {@code messages} paging object, or null for the newest page
     * @param watcherLimit null when watchers were not asked for
     */
    public record Options(
            boolean state,
            JsonNode messages,
            int messageLimit,
            int memberLimit,
            int memberOffset,
            Integer watcherLimit) {}

    private final ChatCore core;

    public ChannelStates(ChatCore core) {
        this.core = core;
    }

    /** The channel as the reader sees it: the shared view plus {@code own_capabilities} and {@code hidden}. */
    public ObjectNode channelFor(Actor actor, ChannelRow ch, ChannelType type, MemberRow membership, User createdBy) {
        ObjectNode o = ChannelViews.channel(ch, type, createdBy);
        ArrayNode caps = o.putArray("own_capabilities");
        Permissions.capabilities(actor, type, ch, membership).forEach(caps::add);
        o.put("hidden", membership != null && membership.hidden());
        return o;
    }

    public ObjectNode state(Actor actor, ChannelRow ch, ChannelType type, Options o) {
        String viewer = actor.userId();
        List<MemberRow> members = core.store().members(ch.cid(), o.memberLimit(), o.memberOffset());
        MemberRow membership = viewer == null
                ? null
                : members.stream()
                        .filter(m -> m.userId().equals(viewer))
                        .findFirst()
                        .orElseGet(() -> core.store().member(ch.cid(), viewer).orElse(null));
        Set<String> ids = new HashSet<>();
        members.forEach(m -> ids.add(m.userId()));
        if (ch.createdById() != null) {
            ids.add(ch.createdById());
        }
        List<String> watcherIds = o.watcherLimit() == null
                ? List.of()
                : core.hub().watchingUsers(ch.cid()).stream()
                        .limit(o.watcherLimit())
                        .toList();
        ids.addAll(watcherIds);
        Map<String, User> users = core.usersById(ids);

        ObjectNode s = Json.object();
        s.set("channel", channelFor(actor, ch, type, membership, users.get(ch.createdById())));
        java.time.Instant floor = membership == null ? null : membership.hideMessagesBefore();
        List<MessageRow> page =
                o.state() ? Paging.channel(core.store(), ch.cid(), o.messages(), o.messageLimit(), floor) : List.of();
        if (floor != null) {
            s.put("hide_messages_before", dev.parley.protocol.Timestamps.format(floor));
        }
        ArrayNode messages = s.putArray("messages");
        MessageViews.forViewer(core, page, viewer).forEach(messages::add);
        ArrayNode pinned = s.putArray("pinned_messages");
        if (o.state()) {
            MessageViews.forViewer(core, core.store().pinnedMessages(ch.cid(), PINNED), viewer)
                    .forEach(pinned::add);
        }
        ArrayNode memberArray = s.putArray("members");
        ArrayNode read = s.putArray("read");
        var deliveries = type.flag("delivery_events")
                ? core.store().deliveries(ch.cid())
                : java.util.Map.<String, dev.parley.server.store.ChatRows.Delivery>of();
        for (MemberRow m : members) {
            memberArray.add(ChannelViews.member(m, users.get(m.userId()), ch));
            read.add(ChannelViews.read(m, users.get(m.userId()), deliveries.get(m.userId())));
        }
        if (membership != null && !members.contains(membership)) {
            read.add(ChannelViews.read(membership, actor.user()));
        }
        s.put("watcher_count", core.hub().watcherCount(ch.cid()));
        if (o.watcherLimit() != null) {
            ArrayNode w = s.putArray("watchers");
            watcherIds.forEach(id -> {
                User u = users.get(id);
                if (u != null) {
                    w.add(u.toJson());
                }
            });
        }
        if (membership != null) {
            s.set("membership", ChannelViews.member(membership, actor.user(), ch));
        }
        dev.parley.server.moderation.Bans.markChannelBans(core, ch.cid(), memberArray, s.get("membership"));
        s.put("hidden", membership != null && membership.hidden());
        s.putArray("threads");
        return s;
    }
}
