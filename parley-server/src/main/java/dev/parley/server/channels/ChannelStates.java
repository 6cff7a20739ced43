package dev.parley.server.channels;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.messages.Paging;
import dev.parley.server.moderation.Bans;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Delivery;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Ban;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

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
            @Nullable JsonNode messages,
            int messageLimit,
            int memberLimit,
            int memberOffset,
            @Nullable Integer watcherLimit) {}

    private final ChatStore store;
    private final ModerationStore moderation;
    private final UserService users;
    private final ChannelHub hub;
    private final Clock clock;
    private final BiFunction<List<MessageRow>, String, List<ObjectNode>> messageViews;

    /**
     * @param messageViews the messages as one reader (a user id, or null) sees them, in the given order:
     *     {@link dev.parley.server.messages.MessageViews}
     */
    public ChannelStates(
            ChatStore store,
            ModerationStore moderation,
            UserService users,
            ChannelHub hub,
            Clock clock,
            BiFunction<List<MessageRow>, String, List<ObjectNode>> messageViews) {
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.users = requireNonNull(users, "users");
        this.hub = requireNonNull(hub, "hub");
        this.clock = requireNonNull(clock, "clock");
        this.messageViews = requireNonNull(messageViews, "messageViews");
    }

    /** The channel as the reader sees it: the shared view plus {@code own_capabilities} and {@code hidden}. */
    public ObjectNode channelFor(
            Actor actor, ChannelRow ch, ChannelType type, @Nullable MemberRow membership, @Nullable User createdBy) {
        return ChannelRecords.channel(
                        ch,
                        type,
                        createdBy,
                        Permissions.capabilities(actor, type, ch, membership),
                        membership != null && membership.hidden(),
                        null)
                .toJson();
    }

    public ObjectNode state(Actor actor, ChannelRow ch, ChannelType type, Options o) {
        String viewer = actor.userId();
        List<MemberRow> members = store.members(ch.cid(), o.memberLimit(), o.memberOffset());
        MemberRow membership = viewer == null
                ? null
                : members.stream()
                        .filter(m -> m.userId().equals(viewer))
                        .findFirst()
                        .orElseGet(() -> store.member(ch.cid(), viewer).orElse(null));
        Set<String> ids = new HashSet<>();
        members.forEach(m -> ids.add(m.userId()));
        if (ch.createdById() != null) {
            ids.add(ch.createdById());
        }
        List<String> watcherIds = o.watcherLimit() == null
                ? List.of()
                : hub.watchingUsers(ch.cid()).stream().limit(o.watcherLimit()).toList();
        ids.addAll(watcherIds);
        Map<String, User> byId = users.findAll(ids);

        ObjectNode s = Json.object();
        s.set("channel", channelFor(actor, ch, type, membership, byId.get(ch.createdById())));
        Instant floor = membership == null ? null : membership.hideMessagesBefore();
        List<MessageRow> page =
                o.state() ? Paging.channel(store, ch.cid(), o.messages(), o.messageLimit(), floor) : List.of();
        if (floor != null) {
            s.put("hide_messages_before", Timestamps.format(floor));
        }
        ArrayNode messages = s.putArray("messages");
        messageViews.apply(page, viewer).forEach(messages::add);
        ArrayNode pinned = s.putArray("pinned_messages");
        if (o.state()) {
            messageViews.apply(store.pinnedMessages(ch.cid(), PINNED), viewer).forEach(pinned::add);
        }
        ArrayNode memberArray = s.putArray("members");
        ArrayNode read = s.putArray("read");
        Map<String, Delivery> deliveries = type.flag("delivery_events") ? store.deliveries(ch.cid()) : Map.of();
        // One store read, spared when no member object is shown.
        Map<String, Ban> bans = members.isEmpty() && membership == null
                ? Map.of()
                : Bans.channelBans(moderation, ch.cid(), clock.instant());
        for (MemberRow m : members) {
            User u = byId.get(m.userId());
            memberArray.add(
                    ChannelRecords.member(m, u, ch, bans.get(m.userId())).toJson());
            read.add(ChannelRecords.read(m, u, deliveries.get(m.userId())).toJson());
        }
        if (membership != null && !members.contains(membership)) {
            read.add(ChannelRecords.read(membership, actor.user(), null).toJson());
        }
        s.put("watcher_count", hub.watcherCount(ch.cid()));
        if (o.watcherLimit() != null) {
            ArrayNode w = s.putArray("watchers");
            watcherIds.forEach(id -> {
                User u = byId.get(id);
                if (u != null) {
                    w.add(u.toJson());
                }
            });
        }
        if (membership != null) {
            s.set(
                    "membership",
                    ChannelRecords.member(membership, actor.user(), ch, bans.get(membership.userId()))
                            .toJson());
        }
        s.put("hidden", membership != null && membership.hidden());
        s.putArray("threads");
        return s;
    }
}
