package dev.parley.server.channels;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.events.Audience;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Members of a channel (PROTOCOL.md §7.4 member keys, §7.7 C12): add and remove with their events, channel
 * roles, invitations and their answers, and a member's own state (archive, pin, custom fields). Callers
 * hold the channel's lock. Thread-safe; blocking.
 */
public final class ChannelMembers {
    private final ChatStore store;
    private final UserService users;
    private final EventPublisher events;
    private final ChannelLocks locks;
    private final Clock clock;
    private final ChannelService channels;

    ChannelMembers(
            ChatStore store,
            UserService users,
            EventPublisher events,
            ChannelLocks locks,
            Clock clock,
            ChannelService channels) {
        this.store = requireNonNull(store, "store");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.locks = requireNonNull(locks, "locks");
        this.clock = requireNonNull(clock, "clock");
        this.channels = requireNonNull(channels, "channels");
    }

    /**
     * Adds members; with {@code hideHistoryBefore} the new members see only the messages sent from then on
     * (PROTOCOL.md §7.6).
     */
    void addMembers(
            Actor actor,
            ChannelRow ch,
            ChannelType type,
            Map<String, String> added,
            @Nullable Instant hideHistoryBefore) {
        channels.requireUsers(added.keySet(), "channel update");
        Instant now = clock.instant();
        Map<String, MemberRow> existing = new LinkedHashMap<>();
        store.members(ch.cid(), 10_000, 0).forEach(m -> existing.put(m.userId(), m));
        List<MemberRow> fresh = new ArrayList<>();
        added.forEach((u, role) -> {
            if (!existing.containsKey(u)) {
                MemberRow m = MemberRow.create(ch.cid(), u, role, now);
                fresh.add(hideHistoryBefore != null ? m.withHistoryHiddenBefore(hideHistoryBefore) : m);
            }
        });
        store.upsertMembers(ch.cid(), fresh);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> byId = users.findAll(added.keySet());
        for (MemberRow m : fresh) {
            ObjectNode e = ChannelViews.event(EventType.MEMBER_ADDED.wireName(), after, clock.instant());
            e.set(
                    "member",
                    ChannelRecords.member(m, byId.get(m.userId()), after, null).toJson());
            e.set("user", userJson(byId, m.userId()));
            e.put("channel_member_count", after.memberCount());
            events.publish(e, Audience.watchers(ch.cid()));
        }
        channels.notifyAdded(after, type, fresh, actor.user());
    }

    void invite(Actor actor, ChannelRow ch, ChannelType type, Map<String, String> invited) {
        channels.requireUsers(invited.keySet(), "channel update");
        Instant now = clock.instant();
        List<MemberRow> fresh = new ArrayList<>();
        invited.forEach((u, role) -> {
            if (store.member(ch.cid(), u).isEmpty()) {
                fresh.add(MemberRow.invite(ch.cid(), u, role, now));
            }
        });
        store.upsertMembers(ch.cid(), fresh);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> byId = users.findAll(invited.keySet());
        ObjectNode channel = ChannelRecords.channel(after, type, null).toJson();
        for (MemberRow m : fresh) {
            ObjectNode member =
                    ChannelRecords.member(m, byId.get(m.userId()), after, null).toJson();
            ObjectNode e = ChannelViews.event(EventType.MEMBER_ADDED.wireName(), after, now);
            e.set("member", member);
            e.set("user", userJson(byId, m.userId()));
            events.publish(e, Audience.watchers(ch.cid()));
            ObjectNode n = ChannelViews.event(EventType.NOTIFICATION_INVITED.wireName(), after, now);
            n.set("channel", channel);
            n.set("member", member);
            n.set("user", userJson(byId, m.userId()));
            events.publish(n, Audience.user(m.userId()));
        }
    }

    /** {@code accept_invite} / {@code reject_invite} by the invited member itself. */
    void answerInvite(Actor actor, ChannelRow ch, ChannelType type, boolean accept) {
        User user = actor.user();
        MemberRow m = user != null ? store.member(ch.cid(), user.id()).orElse(null) : null;
        if (user == null || m == null || m.inviteStatus() == null) {
            throw ChatException.input("UpdateChannel failed with error: \"user '" + actor.userId()
                    + "' has no invitation to channel '" + ch.cid() + "'\"");
        }
        Instant now = clock.instant();
        MemberRow answered = m.withInvite(accept, now);
        store.updateMember(answered);
        ObjectNode member = ChannelRecords.member(answered, user, ch, null).toJson();
        ObjectNode e = ChannelViews.event(EventType.MEMBER_UPDATED.wireName(), ch, now);
        e.set("member", member);
        e.set("user", user.toJson());
        events.publish(e, Audience.watchers(ch.cid()));
        ObjectNode n = ChannelViews.event(
                accept
                        ? EventType.NOTIFICATION_INVITE_ACCEPTED.wireName()
                        : EventType.NOTIFICATION_INVITE_REJECTED.wireName(),
                ch,
                now);
        n.set("channel", ChannelRecords.channel(ch, type, null).toJson());
        n.set("member", member);
        n.set("user", user.toJson());
        events.publish(
                n,
                Audience.users(store.members(ch.cid(), 10_000, 0).stream()
                        .map(MemberRow::userId)
                        .toList()));
    }

    /** The user of a member as events carry it; only its id for a user deleted after the checks. */
    private static ObjectNode userJson(Map<String, User> byId, String id) {
        User u = byId.get(id);
        return u != null ? u.toJson() : Json.object().put("id", id);
    }

    static Map<String, String> roleChanges(ObjectNode body) {
        Map<String, String> roles = new LinkedHashMap<>();
        ChannelService.memberIds(body.get("add_moderators"), false).forEach(u -> roles.put(u, "channel_moderator"));
        ChannelService.memberIds(body.get("demote_moderators"), false).forEach(u -> roles.put(u, "channel_member"));
        roles.putAll(ChannelService.memberRoles(body.get("assign_roles")));
        return roles;
    }

    void changeRoles(Actor actor, ChannelRow ch, Map<String, String> roles) {
        if (roles.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Map<String, User> byId = users.findAll(roles.keySet());
        for (Map.Entry<String, String> r : roles.entrySet()) {
            MemberRow m = store.member(ch.cid(), r.getKey())
                    .orElseThrow(() -> ChatException.input(
                            "user '" + r.getKey() + "' is not a member of channel '" + ch.cid() + "'"));
            MemberRow changed = m.withRole(r.getValue(), now);
            store.upsertMembers(ch.cid(), List.of(changed));
            ObjectNode e = ChannelViews.event(EventType.MEMBER_UPDATED.wireName(), ch, now);
            e.set(
                    "member",
                    ChannelRecords.member(changed, byId.get(r.getKey()), ch, null)
                            .toJson());
            e.set(
                    "user",
                    byId.containsKey(r.getKey())
                            ? byId.get(r.getKey()).toJson()
                            : Json.object().put("id", r.getKey()));
            events.publish(e, Audience.watchers(ch.cid()));
        }
    }

    void removeMembers(Actor actor, ChannelRow ch, ChannelType type, List<String> removed) {
        if (removed.isEmpty()) {
            return;
        }
        Map<String, MemberRow> before = store.memberships(removed.getFirst(), List.of(ch.cid()));
        store.removeMembers(ch.cid(), removed);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> byId = users.findAll(removed);
        for (String u : removed) {
            ObjectNode userJson =
                    byId.containsKey(u) ? byId.get(u).toJson() : Json.object().put("id", u);
            ObjectNode e = ChannelViews.event(EventType.MEMBER_REMOVED.wireName(), after, clock.instant());
            e.set("user", userJson);
            e.put("channel_member_count", after.memberCount());
            events.publish(e, Audience.watchers(ch.cid()));
            ObjectNode n =
                    ChannelViews.event(EventType.NOTIFICATION_REMOVED_FROM_CHANNEL.wireName(), after, clock.instant());
            n.set("channel", ChannelRecords.channel(after, type, null).toJson());
            n.set("user", userJson);
            MemberRow m = before.get(ch.cid());
            if (m != null && m.userId().equals(u)) {
                n.set(
                        "member",
                        ChannelRecords.member(m, byId.get(u), after, null).toJson());
            }
            events.publish(n, Audience.user(u));
        }
    }

    /**
     * {@code PATCH /channels/{type}/{id}/member} (C12): {@code set}/{@code unset} of {@code archived},
     * {@code pinned}, {@code channel_role} (server only) and custom member fields; {@code member.updated}.
     */
    public ObjectNode update(Actor actor, String cid, @Nullable String userId, ObjectNode body) {
        String target = userId != null && !userId.isEmpty() ? userId : actor.userId();
        if (target == null) {
            throw ChatException.input("user_id is required with a server token");
        }
        if (!actor.server() && !target.equals(actor.userId())) {
            throw ChatException.notAllowed(
                    "UpdateMemberPartial failed with error: \"users may only change their own membership\"");
        }
        return locks.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            MemberRow m = store.member(cid, target)
                    .orElseThrow(() ->
                            ChatException.notFound("user '" + target + "' is not a member of channel '" + cid + "'"));
            ObjectNode set = body.path("set").isObject() ? (ObjectNode) body.get("set") : Json.object();
            Instant now = clock.instant();
            Instant archived = m.archivedAt();
            Instant pinned = m.pinnedAt();
            ObjectNode custom = m.custom().deepCopy();
            String role = m.channelRole();
            for (var it = set.fields(); it.hasNext(); ) {
                var e = it.next();
                switch (e.getKey()) {
                    case "archived" -> archived = e.getValue().asBoolean() ? now : null;
                    case "pinned" -> pinned = e.getValue().asBoolean() ? now : null;
                    case "channel_role" -> {
                        if (!actor.server()) {
                            throw ChatException.notAllowed(
                                    "UpdateMemberPartial failed with error: \"channel_role can only be changed server-side\"");
                        }
                        role = e.getValue().asText();
                    }
                    default -> {
                        if (!MEMBER_FIELDS.contains(e.getKey()) && !e.getValue().isNull()) {
                            custom.set(e.getKey(), e.getValue().deepCopy());
                        }
                    }
                }
            }
            JsonNode unset = body.get("unset");
            if (unset != null && unset.isArray()) {
                for (JsonNode k : unset) {
                    switch (k.asText()) {
                        case "archived" -> archived = null;
                        case "pinned" -> pinned = null;
                        default -> custom.remove(k.asText());
                    }
                }
            }
            MemberRow changed = m.withRole(role, now).withState(archived, pinned, custom, now);
            store.updateMember(changed);
            User user = users.find(target).orElse(null);
            ObjectNode view = ChannelRecords.member(changed, user, ch, null).toJson();
            ObjectNode e = ChannelViews.event(EventType.MEMBER_UPDATED.wireName(), ch, now);
            e.set("member", view);
            e.set("user", user == null ? Json.object().put("id", target) : user.toJson());
            events.publish(e, Audience.watchers(cid));
            ObjectNode out = Json.object();
            out.set("channel_member", view);
            return out;
        });
    }

    /** Member keys the server manages; never custom. */
    private static final Set<String> MEMBER_FIELDS = Set.of(
            "user_id",
            "user",
            "created_at",
            "updated_at",
            "banned",
            "shadow_banned",
            "role",
            "status",
            "archived_at",
            "pinned_at",
            "notifications_muted",
            "is_moderator",
            "invited",
            "invite_accepted_at",
            "invite_rejected_at",
            "ban_expires",
            "deleted_at");
}
