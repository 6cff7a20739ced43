package dev.parley.server.channels;

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
import dev.parley.server.chat.ChannelTypes;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelHub;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Changes of a channel (PROTOCOL.md §7.4 to §7.6): update and partial update (member changes in it go to
 * {@link ChannelMembers}), delete, truncate, hide and show, each with its events. Every change runs under the channel's lock.
 * Thread-safe; blocking.
 */
public final class ChannelAdmin {
    private final ChatStore store;
    private final ChannelAccess access;
    private final UserService users;
    private final ChannelHub hub;
    private final EventPublisher events;
    private final ChannelLocks locks;
    private final Clock clock;
    private final ChannelService channels;
    private final ChannelMembers members;

    public ChannelAdmin(
            ChatStore store,
            ChannelAccess access,
            UserService users,
            ChannelHub hub,
            EventPublisher events,
            ChannelLocks locks,
            Clock clock,
            ChannelService channels) {
        this.store = requireNonNull(store, "store");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.hub = requireNonNull(hub, "hub");
        this.events = requireNonNull(events, "events");
        this.locks = requireNonNull(locks, "locks");
        this.clock = requireNonNull(clock, "clock");
        this.channels = requireNonNull(channels, "channels");
        this.members = new ChannelMembers(store, users, events, locks, clock, channels);
    }

    /** Members, roles, invitations and the member's own state. */
    public ChannelMembers members() {
        return members;
    }

    /**
     * {@code POST /channels/{type}/{id}} (C4). Every check runs before the first write, so that a refused
     * update changes nothing and a retry of a failed one cannot apply it twice.
     */
    public ObjectNode update(Actor actor, String cid, ObjectNode body) {
        return locks.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = access.typeOf(ch);
            MemberRow me = membership(actor, cid);
            Update u = check(actor, ch, type, me, body);
            if (u.changed() != null) {
                store.updateChannel(u.changed());
                channelUpdated(u.changed(), type, actor);
                ch = u.changed();
            }
            if (u.answerInvite() != null) {
                members.answerInvite(actor, ch, type, u.answerInvite());
            }
            if (!u.invited().isEmpty()) {
                members.invite(actor, ch, type, u.invited());
            }
            if (!u.added().isEmpty()) {
                members.addMembers(actor, ch, type, u.added(), u.hideHistoryBefore());
            }
            members.changeRoles(actor, ch, u.roles());
            members.removeMembers(actor, ch, type, u.removed());
            return response(actor, channels.require(cid), type);
        });
    }

    /** What one update does, after its checks. */
    private record Update(
            @Nullable ChannelRow changed,
            @Nullable Boolean answerInvite,
            Map<String, String> invited,
            Map<String, String> added,
            @Nullable Instant hideHistoryBefore,
            Map<String, String> roles,
            List<String> removed) {}

    private Update check(Actor actor, ChannelRow ch, ChannelType type, @Nullable MemberRow me, ObjectNode body) {
        String cid = ch.cid();
        boolean own = Permissions.ownsChannel(actor, ch);
        ChannelRow changed = null;
        if (body.path("data").isObject()) {
            ObjectNode data = (ObjectNode) body.get("data");
            ChannelService.checkTypes(data, "data.");
            Permissions.require(actor, type, me, "update-channel", own, "UpdateChannel", cid);
            ObjectNode replaced = ChannelService.custom(data);
            if (ch.custom().has(ChannelTypes.OVERRIDES)) {
                replaced.set(ChannelTypes.OVERRIDES, ch.custom().get(ChannelTypes.OVERRIDES));
            }
            changed = applyFlags(actor, type, me, own, ch, data).withCustom(replaced, clock.instant());
        }
        if (body.has("cooldown") && !body.get("cooldown").isNull()) {
            Permissions.require(actor, type, me, "update-channel-cooldown", own, "UpdateChannel", cid);
            ChannelRow base = changed != null ? changed : ch;
            changed = base.withFlags(
                    base.frozen(),
                    base.disabled(),
                    ChannelService.clamp(body.get("cooldown"), 0, 120),
                    base.team(),
                    clock.instant());
        }
        Boolean answer = null;
        if (body.path("accept_invite").asBoolean(false)
                || body.path("reject_invite").asBoolean(false)) {
            answer = body.path("accept_invite").asBoolean(false);
            if (me == null || me.inviteStatus() == null) {
                throw ChatException.input("UpdateChannel failed with error: \"user '" + actor.userId()
                        + "' has no invitation to channel '" + cid + "'\"");
            }
        }
        Map<String, String> invited = ChannelService.memberRoles(body.get("invites"));
        if (!invited.isEmpty()) {
            Permissions.require(actor, type, me, "update-channel-members", own, "UpdateChannel", cid);
            channels.requireUsers(invited.keySet(), "channel update");
        }
        Map<String, String> added = ChannelService.memberRoles(body.get("add_members"));
        List<String> removed = ChannelService.memberIds(body.get("remove_members"), false);
        Map<String, String> roles = ChannelMembers.roleChanges(body);
        boolean onlySelfRemoved = actor.hasUser() && removed.equals(List.of(actor.userId()));
        if (!added.isEmpty() || !roles.isEmpty() || (!removed.isEmpty() && !onlySelfRemoved)) {
            Permissions.require(actor, type, me, "update-channel-members", own, "UpdateChannel", cid);
        } else if (!removed.isEmpty()) {
            Permissions.require(actor, type, me, "remove-own-channel-membership", own, "UpdateChannel", cid);
        }
        if (!added.isEmpty()) {
            if (ch.id().startsWith("!members-")) {
                throw ChatException.input("members cannot be added to a distinct channel (one created without id)");
            }
            channels.requireUsers(added.keySet(), "channel update");
        }
        for (String u : roles.keySet()) {
            if (!added.containsKey(u) && store.member(cid, u).isEmpty()) {
                throw ChatException.input("user '" + u + "' is not a member of channel '" + cid + "'");
            }
        }
        Instant hideBefore = null;
        if (body.path("hide_history_before").isTextual()) {
            hideBefore = Timestamps.parse(body.get("hide_history_before").asText(), "hide_history_before");
        } else if (body.path("hide_history").asBoolean(false)) {
            hideBefore = clock.instant();
        }
        return new Update(changed, answer, invited, added, hideBefore, roles, removed);
    }

    private ChannelRow applyFlags(
            Actor actor, ChannelType type, @Nullable MemberRow me, boolean own, ChannelRow ch, ObjectNode data) {
        boolean frozen = data.has("frozen") ? data.get("frozen").asBoolean() : ch.frozen();
        if (frozen != ch.frozen()) {
            Permissions.require(actor, type, me, "update-channel-frozen", own, "UpdateChannel", ch.cid());
        }
        boolean disabled = data.has("disabled") ? data.get("disabled").asBoolean() : ch.disabled();
        int cooldown = data.has("cooldown") ? ChannelService.clamp(data.get("cooldown"), 0, 120) : ch.cooldown();
        String team = data.has("team") ? ChannelService.text(data, "team") : ch.team();
        return ch.withFlags(frozen, disabled, cooldown, team, clock.instant());
    }

    /** {@code PATCH /channels/{type}/{id}} (C5): {@code set} and {@code unset} of channel fields. */
    public ObjectNode partialUpdate(Actor actor, String cid, ObjectNode body) {
        return locks.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = access.typeOf(ch);
            MemberRow me = membership(actor, cid);
            boolean own = Permissions.ownsChannel(actor, ch);
            Permissions.require(actor, type, me, "update-channel", own, "UpdateChannelPartial", cid);
            ObjectNode set = body.path("set").isObject() ? (ObjectNode) body.get("set") : Json.object();
            ChannelService.checkTypes(set, "set.");
            ObjectNode custom = ch.custom().deepCopy();
            custom.setAll(ChannelService.custom(set));
            set.fields().forEachRemaining(e -> {
                if (e.getValue().isNull() && !ChannelService.RESERVED.contains(e.getKey())) {
                    custom.remove(e.getKey()); // a null set clears the field
                }
            });
            JsonNode unset = body.get("unset");
            if (unset != null && unset.isArray()) {
                unset.forEach(k -> {
                    if (k.asText().equals(ChannelTypes.OVERRIDES)) {
                        requireServer(actor, "config_overrides");
                    }
                    custom.remove(k.asText());
                });
            }
            if (set.has(ChannelTypes.OVERRIDES)) {
                custom.set(ChannelTypes.OVERRIDES, overrides(actor, ch, set.get(ChannelTypes.OVERRIDES)));
            }
            ch = applyFlags(actor, type, me, own, ch, set).withCustom(custom, clock.instant());
            type = access.typeOf(ch);
            store.updateChannel(ch);
            channelUpdated(ch, type, actor);
            return response(actor, ch, type);
        });
    }

    private static ObjectNode overrides(Actor actor, ChannelRow ch, JsonNode given) {
        requireServer(actor, "config_overrides");
        if (!given.isObject()) {
            throw ChatException.input("config_overrides must be an object");
        }
        ObjectNode merged = ch.custom().path(ChannelTypes.OVERRIDES).isObject()
                ? ((ObjectNode) ch.custom().get(ChannelTypes.OVERRIDES)).deepCopy()
                : Json.object();
        given.fields().forEachRemaining(e -> {
            if (!ChannelTypes.OVERRIDABLE.contains(e.getKey())) {
                throw ChatException.input(
                        "config_overrides." + e.getKey() + " cannot be overridden per channel (expected one of "
                                + new java.util.TreeSet<>(ChannelTypes.OVERRIDABLE) + ")");
            }
            if (e.getKey().equals("grants") && !e.getValue().isObject()) {
                throw ChatException.input("config_overrides.grants must map roles to arrays of permissions");
            }
            merged.set(e.getKey(), e.getValue().deepCopy());
        });
        return merged;
    }

    private static void requireServer(Actor actor, String what) {
        if (!actor.server()) {
            throw ChatException.notAllowed("UpdateChannelPartial failed with error: \"" + what
                    + " can only be changed with a server-side token\"");
        }
    }

    private void channelUpdated(ChannelRow ch, ChannelType type, Actor actor) {
        ObjectNode e = ChannelViews.event(EventType.CHANNEL_UPDATED.wireName(), ch, clock.instant());
        e.set("channel", ChannelRecords.channel(ch, type, null).toJson());
        if (actor.user() != null) {
            e.set("user", actor.user().toJson());
        }
        events.publish(e, Audience.watchers(ch.cid()));
    }

    private ObjectNode response(Actor actor, ChannelRow ch, ChannelType type) {
        ObjectNode out = Json.object();
        MemberRow me = membership(actor, ch.cid());
        User createdBy =
                ch.createdById() == null ? null : users.find(ch.createdById()).orElse(null);
        out.set("channel", channels.states().channelFor(actor, ch, type, me, createdBy));
        List<MemberRow> members = store.members(ch.cid(), ChannelStates.DEFAULT_MEMBERS, 0);
        Map<String, User> byId =
                users.findAll(members.stream().map(MemberRow::userId).toList());
        ArrayNode arr = out.putArray("members");
        members.forEach(m ->
                arr.add(ChannelRecords.member(m, byId.get(m.userId()), ch, null).toJson()));
        return out;
    }

    /**
     * {@code DELETE /channels/{type}/{id}} (C6, PROTOCOL.md §7.6): a soft delete unless {@code hard}; a soft delete
     * with {@code keepHistory} ({@code skip_truncate}: server-side, distinct channels only) lets the channel come
     * back with its messages when it is created again.
     */
    public ObjectNode delete(Actor actor, String cid, boolean hard, boolean keepHistory) {
        return locks.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = access.typeOf(ch);
            Permissions.require(
                    actor,
                    type,
                    membership(actor, cid),
                    "delete-channel",
                    Permissions.ownsChannel(actor, ch),
                    "DeleteChannel",
                    cid);
            if (keepHistory) {
                if (hard) {
                    throw ChatException.input(
                            "DeleteChannel failed with error: \"skip_truncate cannot be combined with hard_delete\"");
                }
                if (!actor.server()) {
                    throw ChatException.notAllowed(
                            "DeleteChannel failed with error: \"skip_truncate is for server-side calls only\"");
                }
                if (!ch.id().startsWith("!members-")) {
                    throw ChatException.input("DeleteChannel failed with error: \"skip_truncate is only for "
                            + "distinct channels (made from their members, without an id)\"");
                }
            }
            List<MemberRow> members = store.members(cid, 10_000, 0);
            Instant now = clock.instant();
            ObjectNode channel =
                    ChannelRecords.channel(ch, type, null, null, null, now).toJson();
            if (hard) {
                store.deleteChannel(cid);
            } else {
                store.softDeleteChannel(cid, now, actor.userId(), keepHistory);
            }
            ObjectNode e = ChannelViews.event(EventType.CHANNEL_DELETED.wireName(), ch, now);
            e.set("channel", channel);
            e.put("hard_delete", hard);
            events.publish(e, Audience.watchers(cid));
            notifyNotWatching(
                    members,
                    cid,
                    ChannelViews.event(EventType.NOTIFICATION_CHANNEL_DELETED.wireName(), ch, now)
                            .set("channel", channel));
            hub.dropChannel(cid);
            ObjectNode out = Json.object();
            out.set("channel", channel);
            return out;
        });
    }

    /** {@code POST …/truncate} (C8). */
    public ObjectNode truncate(Actor actor, String cid, ObjectNode body) {
        return locks.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = access.typeOf(ch);
            Permissions.require(
                    actor,
                    type,
                    membership(actor, cid),
                    "truncate-channel",
                    Permissions.ownsChannel(actor, ch),
                    "TruncateChannel",
                    cid);
            Instant at = clock.instant();
            if (body.path("truncated_at").isTextual()) {
                at = Timestamps.parse(body.get("truncated_at").asText(), "truncated_at");
            }
            store.truncateChannel(cid, at, actor.userId());
            ChannelRow after = channels.require(cid);
            ObjectNode channel = ChannelRecords.channel(after, type, null).toJson();
            ObjectNode e = ChannelViews.event(EventType.CHANNEL_TRUNCATED.wireName(), after, clock.instant());
            e.set("channel", channel);
            if (actor.user() != null) {
                e.set("user", actor.user().toJson());
            }
            events.publish(e, Audience.watchers(cid));
            notifyNotWatching(
                    store.members(cid, 10_000, 0),
                    cid,
                    ChannelViews.event(EventType.NOTIFICATION_CHANNEL_TRUNCATED.wireName(), after, clock.instant())
                            .set("channel", channel));
            ObjectNode out = Json.object();
            out.set("channel", channel);
            return out;
        });
    }

    private void notifyNotWatching(List<MemberRow> members, String cid, JsonNode event) {
        events.publish(
                (ObjectNode) event,
                Audience.notWatching(members.stream().map(MemberRow::userId).toList(), cid));
    }

    /** {@code POST …/hide} and {@code …/show} (C9): events to the user's own connections. */
    public ObjectNode setHidden(Actor actor, String cid, boolean hidden, boolean clearHistory) {
        User user = actor.user();
        if (user == null) {
            throw ChatException.input("user_id is required for hide and show with a server token");
        }
        ChannelRow ch = channels.require(cid);
        ChannelType type = access.typeOf(ch);
        if (!store.setHidden(cid, user.id(), hidden, hidden && clearHistory ? clock.instant() : null)) {
            throw ChatException.notAllowed((hidden ? "HideChannel" : "ShowChannel") + " failed with error: \"user '"
                    + user.id() + "' is not a member of channel '" + cid + "'\"");
        }
        ObjectNode e = ChannelViews.event(
                hidden ? EventType.CHANNEL_HIDDEN.wireName() : EventType.CHANNEL_VISIBLE.wireName(),
                ch,
                clock.instant());
        e.set("channel", ChannelRecords.channel(ch, type, null).toJson());
        e.set("user", user.toJson());
        if (hidden) {
            e.put("clear_history", clearHistory);
        }
        events.publish(e, Audience.user(user.id()));
        return Json.object();
    }

    private @Nullable MemberRow membership(Actor actor, String cid) {
        String userId = actor.userId();
        return userId != null ? store.member(cid, userId).orElse(null) : null;
    }
}
