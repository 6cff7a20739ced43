package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.events.Events;
import dev.parley.server.reads.Unread;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Block;
import dev.parley.server.store.ModerationStore.ChannelMute;
import dev.parley.server.store.ModerationStore.UserMute;
import dev.parley.server.store.PolicyStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * User and channel mutes, blocks and the own-user view that shows them (PROTOCOL.md §7.13 D1 to D4,
 * §7.1 U11, §6.1, §6.8). A change is answered to the caller and announced to all of the user's own
 * connections ({@code notification.mutes_updated}, {@code notification.channel_mutes_updated}), whose
 * clients replace their lists with the {@code me} of the event. Thread-safe; blocking.
 */
public final class Moderation {
    /** The app-wide grants (§11.3) that the moderation routes check. */
    private final AppGrants appGrants;

    /** Most targets of one mute request. */
    static final int MAX_TARGETS = 100;

    private static final double MAX_EXPIRY_NANOS = Duration.ofDays(36_525).toNanos();

    private final ChatStore store;
    private final ModerationStore moderation;
    private final ChannelAccess access;
    private final UserService users;
    private final EventPublisher events;
    private final Clock clock;
    private final Bans bans;
    private final Flags flags;

    public Moderation(
            ChatStore store,
            ModerationStore moderation,
            ChannelAccess access,
            UserService users,
            EventPublisher events,
            Clock clock,
            AppGrants appGrants,
            PolicyStore policies) {
        this.appGrants = requireNonNull(appGrants, "appGrants");
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.bans = new Bans(store, moderation, access, users, events, clock, appGrants, policies);
        this.flags = new Flags(store, moderation, access, users, events, clock, appGrants);
    }

    public Bans bans() {
        return bans;
    }

    public Flags flags() {
        return flags;
    }

    /** {@code me} (§6.1) of {@code user}: counters, mutes, channel mutes and blocked users. */
    public ObjectNode ownUser(User user) {
        ObjectNode me = Unread.put(Events.me(user), store.unreadTotals(user.id()), store.unreadThreadCount(user.id()));
        return withLists(me, user);
    }

    /** Fills the lists of an own-user object already built with its counters. */
    public ObjectNode withLists(ObjectNode me, User user) {
        Instant now = clock.instant();
        me.set("mutes", mutesJson(user, moderation.userMutes(user.id(), now)));
        me.set("channel_mutes", channelMutesJson(user, moderation.channelMutes(user.id(), now)));
        ArrayNode blocked = me.putArray("blocked_user_ids");
        moderation.blocks(user.id()).forEach(b -> blocked.add(b.blockedUserId()));
        return me;
    }

    /** Fills the lists of an own-user object for a user without mutes, channel mutes or blocks. */
    public static ObjectNode withEmptyLists(ObjectNode me) {
        me.putArray("mutes");
        me.putArray("channel_mutes");
        me.putArray("blocked_user_ids");
        return me;
    }

    /**
     * {@code GET /api/v2/moderation/user_report?user_id=} (PROTOCOL.md §7.26): the user, and with
     * {@code include_user_mutes} / {@code include_user_blocks} the mutes and blocks the user made. Needs the app
     * grant {@code read-flag-reports}; an unknown user is code 16 unless {@code createIfMissing}.
     */
    public ObjectNode userReport(
            Actor actor, @Nullable String userId, boolean mutes, boolean blocks, boolean createIfMissing) {
        appGrants.require(actor, "read-flag-reports", "GetUserModerationReport");
        if (userId == null || userId.isEmpty()) {
            throw ChatException.input("GetUserModerationReport failed with error: \"user_id is required\"");
        }
        User user = users.find(userId).orElse(null);
        if (user == null && createIfMissing) {
            dev.parley.server.users.UserRules.checkId(userId, "user_id");
            Instant now = clock.instant();
            user = users.update(userId, u -> u != null ? u : User.create(userId, now), null);
        }
        if (user == null) {
            throw ChatException.notFound(
                    "GetUserModerationReport failed with error: \"user '" + userId + "' does not exist\"");
        }
        ObjectNode out = Json.object();
        out.set("user", user.toJson());
        if (mutes) {
            out.set("user_mutes", mutesJson(user, moderation.userMutes(user.id(), clock.instant())));
        }
        if (blocks) {
            ArrayNode list = out.putArray("user_blocks");
            for (Block b : moderation.blocks(user.id())) {
                list.addObject()
                        .put("blocked_by_user_id", b.userId())
                        .put("blocked_user_id", b.blockedUserId())
                        .put("blocked_at", Timestamps.format(b.createdAt()));
            }
        }
        return out;
    }

    // ---- user mutes

    /** D1 {@code POST /moderation/mute}. */
    public ObjectNode mute(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "MuteUser");
        appGrants.require(actor, "mute-user", "MuteUser");
        List<String> ids = targets(body, "target_id", "target_ids", "MuteUser");
        if (ids.contains(me.id())) {
            throw ChatException.input("MuteUser failed with error: \"a user cannot mute themselves\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = expiry(body.get("timeout"), "timeout", Duration.ofMinutes(1), now);
        Map<String, User> found = users.findAll(ids);
        List<String> missing = ids.stream().filter(id -> !found.containsKey(id)).toList();
        if (found.isEmpty()) {
            throw ChatException.notFound("MuteUser failed with error: \"target users " + missing + " do not exist\"");
        }
        moderation.upsertUserMutes(found.keySet().stream()
                .map(id -> new UserMute(me.id(), id, now, now, expires))
                .toList());
        List<UserMute> current = moderation.userMutes(me.id(), now);
        userMuteHook(EventType.USER_MUTED, me, List.copyOf(found.values()), now);
        ObjectNode own = ownUser(me);
        events.publish(notification(EventType.NOTIFICATION_MUTES_UPDATED.wireName(), own, now), Audience.user(me.id()));
        ObjectNode out = Json.object();
        ArrayNode mutes = mutesJson(
                me,
                current.stream().filter(m -> found.containsKey(m.targetId())).toList());
        out.set("mute", mutes.get(0));
        out.set("mutes", mutes);
        out.set("own_user", own);
        if (!missing.isEmpty()) {
            ArrayNode n = out.putArray("non_existing_users");
            missing.forEach(n::add);
        }
        return out;
    }

    /** D2 {@code POST /moderation/unmute}. */
    public ObjectNode unmute(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "UnmuteUser");
        appGrants.require(actor, "mute-user", "UnmuteUser");
        List<String> unmuted = targets(body, "target_id", "target_ids", "UnmuteUser");
        moderation.deleteUserMutes(me.id(), unmuted);
        userMuteHook(
                EventType.USER_UNMUTED, me, List.copyOf(users.findAll(unmuted).values()), clock.instant());
        events.publish(
                notification(EventType.NOTIFICATION_MUTES_UPDATED.wireName(), ownUser(me), clock.instant()),
                Audience.user(me.id()));
        return Json.object();
    }

    // ---- channel mutes

    /** D3 {@code POST /moderation/mute/channel}: {@code channel_cid} (JS) or {@code channel_cids}. */
    public ObjectNode muteChannel(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "MuteChannel");
        List<String> cids = targets(body, "channel_cid", "channel_cids", "MuteChannel");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = expiry(body.get("expiration"), "expiration", Duration.ofMillis(1), now);
        for (String cid : cids) {
            checkChannelMute(actor, me, cid, "MuteChannel");
        }
        moderation.upsertChannelMutes(cids.stream()
                .map(cid -> new ChannelMute(me.id(), cid, now, now, expires))
                .toList());
        Set<String> asked = Set.copyOf(cids);
        ArrayNode mutes = channelMutesJson(
                me,
                moderation.channelMutes(me.id(), now).stream()
                        .filter(m -> asked.contains(m.cid()))
                        .toList());
        for (JsonNode m : mutes) {
            channelMuteHook(
                    EventType.CHANNEL_MUTED, me, m.path("channel").path("cid").asText(), m, now);
        }
        ObjectNode own = ownUser(me);
        events.publish(
                notification(EventType.NOTIFICATION_CHANNEL_MUTES_UPDATED.wireName(), own, now),
                Audience.user(me.id()));
        ObjectNode out = Json.object();
        out.set("channel_mute", mutes.get(0));
        out.set("channel_mutes", mutes);
        out.set("own_user", own);
        return out;
    }

    /** D4 {@code POST /moderation/unmute/channel}. */
    public ObjectNode unmuteChannel(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "UnmuteChannel");
        List<String> cids = targets(body, "channel_cid", "channel_cids", "UnmuteChannel");
        moderation.deleteChannelMutes(me.id(), cids);
        for (String cid : cids) {
            channelMuteHook(EventType.CHANNEL_UNMUTED, me, cid, null, clock.instant());
        }
        events.publish(
                notification(EventType.NOTIFICATION_CHANNEL_MUTES_UPDATED.wireName(), ownUser(me), clock.instant()),
                Audience.user(me.id()));
        return Json.object();
    }

    private void checkChannelMute(Actor actor, User me, String cid, String endpoint) {
        ChannelRow ch = store.findChannel(cid)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"channel '" + cid + "' does not exist\""));
        ChannelType type = access.typeOf(ch);
        if (!type.flag("mutes")) {
            throw new ChatException(
                    dev.parley.protocol.ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    endpoint + " failed with error: \"mutes are disabled for channel type '" + ch.type() + "'\"");
        }
        var member = store.member(cid, me.id()).orElse(null);
        Permissions.require(actor, type, member, "mute-channel", Permissions.ownsChannel(actor, ch), endpoint, cid);
    }

    // ---- blocks

    /** U11 {@code POST /users/block}. */
    public ObjectNode block(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "BlockUser");
        String target = requiredId(body, "blocked_user_id", "BlockUser");
        if (target.equals(me.id())) {
            throw ChatException.input("BlockUser failed with error: \"a user cannot block themselves\"");
        }
        if (users.find(target).isEmpty()) {
            throw ChatException.notFound("BlockUser failed with error: \"user '" + target + "' does not exist\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        moderation.block(new Block(me.id(), target, now));
        Block stored = moderation.blocks(me.id()).stream()
                .filter(b -> b.blockedUserId().equals(target))
                .findFirst()
                .orElseThrow();
        ObjectNode out = Json.object();
        out.put("blocked_by_user_id", me.id());
        out.put("blocked_user_id", target);
        out.put("created_at", Timestamps.format(stored.createdAt()));
        out.put("blocked_at", Timestamps.format(stored.createdAt()));
        return out;
    }

    /** U11 {@code POST /users/unblock}. */
    public ObjectNode unblock(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "UnblockUser");
        moderation.unblock(me.id(), requiredId(body, "blocked_user_id", "UnblockUser"));
        return Json.object();
    }

    /** U11 {@code GET /users/block}. */
    public ObjectNode blocks(Actor actor) {
        User me = AppGrants.user(actor, "GetBlockedUsers");
        List<Block> blocks = moderation.blocks(me.id());
        Map<String, User> byId =
                users.findAll(blocks.stream().map(Block::blockedUserId).toList());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("blocks");
        for (Block b : blocks) {
            ObjectNode o = list.addObject();
            o.put("user_id", me.id());
            o.set("user", me.toJson());
            o.put("blocked_user_id", b.blockedUserId());
            User u = byId.get(b.blockedUserId());
            o.set("blocked_user", (u == null ? User.builder(b.blockedUserId()).build() : u).toJson());
            o.put("created_at", Timestamps.format(b.createdAt()));
        }
        return out;
    }

    // ---- JSON

    private ArrayNode mutesJson(User me, List<UserMute> mutes) {
        Map<String, User> targets =
                users.findAll(mutes.stream().map(UserMute::targetId).toList());
        ArrayNode out = Json.mapper().createArrayNode();
        for (UserMute m : mutes) {
            User t = targets.get(m.targetId());
            if (t == null) {
                continue;
            }
            ObjectNode o = out.addObject();
            o.set("user", me.toJson());
            o.set("target", t.toJson());
            times(o, m.createdAt(), m.updatedAt(), m.expires());
        }
        return out;
    }

    private ArrayNode channelMutesJson(User me, List<ChannelMute> mutes) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (ChannelMute m : mutes) {
            ChannelRow ch = store.findChannel(m.cid()).orElse(null);
            ChannelType type =
                    ch == null ? null : access.types().find(ch.type()).orElse(null);
            if (ch == null || type == null) {
                continue;
            }
            ObjectNode o = out.addObject();
            o.set("user", me.toJson());
            o.set("channel", ChannelViews.channel(ch, type, null));
            times(o, m.createdAt(), m.updatedAt(), m.expires());
        }
        return out;
    }

    private static void times(ObjectNode o, Instant created, Instant updated, @Nullable Instant expires) {
        o.put("created_at", Timestamps.format(created));
        o.put("updated_at", Timestamps.format(updated));
        if (expires != null) {
            o.put("expires", Timestamps.format(expires));
        }
    }

    /** {@code user.muted} or {@code user.unmuted}, for webhooks only: the muting user and the targets. */
    private void userMuteHook(EventType type, User me, List<User> targets, Instant now) {
        if (targets.isEmpty()) {
            return;
        }
        events.publishToHooks(type.wireName(), () -> {
            ObjectNode e = Json.object();
            e.put("type", type.wireName());
            e.set("user", me.toJson());
            e.set("target_user", targets.getFirst().toJson());
            ArrayNode all = e.putArray("target_users");
            targets.forEach(t -> all.add(t.toJson()));
            e.put("created_at", Timestamps.format(now));
            return e;
        });
    }

    /** {@code channel.muted} or {@code channel.unmuted}, for webhooks only. */
    private void channelMuteHook(EventType type, User me, String cid, @Nullable JsonNode mute, Instant now) {
        events.publishToHooks(type.wireName(), () -> {
            ObjectNode e = Json.object();
            e.put("type", type.wireName());
            e.put("cid", cid);
            e.set("user", me.toJson());
            if (mute != null) {
                e.set("mute", mute);
            }
            e.put("created_at", Timestamps.format(now));
            return e;
        });
    }

    private static ObjectNode notification(String type, ObjectNode me, Instant now) {
        ObjectNode e = Json.object();
        e.put("type", type);
        e.put("created_at", Timestamps.format(now));
        e.set("me", me);
        return e;
    }

    // ---- input

    /** The ids of {@code single} or {@code many}; at least one, at most {@link #MAX_TARGETS} (code 4). */
    static List<String> targets(ObjectNode body, String single, String many, String endpoint) {
        Set<String> ids = new LinkedHashSet<>();
        JsonNode one = body.get(single);
        if (one != null && !one.isNull()) {
            if (!one.isTextual() || one.asText().isEmpty()) {
                throw ChatException.input(
                        endpoint + " failed with error: \"" + single + " must be a non-empty string\"");
            }
            ids.add(one.asText());
        }
        JsonNode list = body.get(many);
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ChatException.input(
                        endpoint + " failed with error: \"" + many + " must be an array of strings\"");
            }
            for (JsonNode n : list) {
                if (!n.isTextual() || n.asText().isEmpty()) {
                    throw ChatException.input(
                            endpoint + " failed with error: \"" + many + " must hold non-empty strings\"");
                }
                ids.add(n.asText());
            }
        }
        if (ids.isEmpty() || ids.size() > MAX_TARGETS) {
            throw ChatException.input(endpoint + " failed with error: \"" + single + " or " + many
                    + " is required: 1 to " + MAX_TARGETS + " ids\"");
        }
        return new ArrayList<>(ids);
    }

    static String requiredId(ObjectNode body, String field, String endpoint) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ChatException.input(endpoint + " failed with error: \"" + field + " is required\"");
        }
        return v.asText();
    }

    /** {@code now + value * unit} for a positive number, null when absent; anything else is code 4. */
    static @Nullable Instant expiry(@Nullable JsonNode value, String field, Duration unit, Instant now) {
        if (value == null || value.isNull()) {
            return null;
        }
        double nanos = value.isNumber() ? value.asDouble() * unit.toNanos() : -1;
        if (!(nanos > 0) || nanos > MAX_EXPIRY_NANOS) {
            throw ChatException.input(field + ": " + value + " (expected: a positive number, at most 100 years)");
        }
        return now.plusNanos((long) nanos);
    }
}
