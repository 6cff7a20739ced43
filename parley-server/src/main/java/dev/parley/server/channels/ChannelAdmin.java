package dev.parley.server.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Changes of a channel (PROTOCOL.md §7.4 to §7.7): update and partial update, members and their roles,
 * delete, truncate, hide and show, each with its events. Every change runs under the channel's lock.
 * Thread-safe; blocking.
 */
public final class ChannelAdmin {
    private final ChatCore core;
    private final ChannelService channels;

    public ChannelAdmin(ChatCore core, ChannelService channels) {
        this.core = core;
        this.channels = channels;
    }

    /** {@code POST /channels/{type}/{id}} (C4). */
    public ObjectNode update(Actor actor, String cid, ObjectNode body) {
        return core.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = core.typeOf(ch);
            MemberRow me = membership(actor, cid);
            boolean own = Permissions.ownsChannel(actor, ch);
            if (body.path("data").isObject()) {
                ObjectNode data = (ObjectNode) body.get("data");
                Permissions.require(actor, type, me, "update-channel", own, "UpdateChannel", cid);
                ObjectNode replaced = ChannelService.custom(data);
                if (ch.custom().has(ChannelTypes.OVERRIDES)) {
                    replaced.set(ChannelTypes.OVERRIDES, ch.custom().get(ChannelTypes.OVERRIDES));
                }
                ch = applyFlags(actor, type, me, own, ch, data).withCustom(replaced, core.now());
                core.store().updateChannel(ch);
                channelUpdated(ch, type, actor);
            }
            if (body.has("cooldown") && !body.get("cooldown").isNull()) {
                Permissions.require(actor, type, me, "update-channel-cooldown", own, "UpdateChannel", cid);
                ch = ch.withFlags(ch.frozen(), ch.disabled(), ChannelService.clamp(body.get("cooldown"), 0, 120), ch.team(),
                        core.now());
                core.store().updateChannel(ch);
                channelUpdated(ch, type, actor);
            }
            if (body.path("accept_invite").asBoolean(false) || body.path("reject_invite").asBoolean(false)) {
                answerInvite(actor, ch, type, body.path("accept_invite").asBoolean(false));
            }
            Map<String, String> invited = ChannelService.memberRoles(body.get("invites"));
            if (!invited.isEmpty()) {
                Permissions.require(actor, type, me, "update-channel-members", own, "UpdateChannel", cid);
                invite(actor, ch, type, invited);
            }
            Map<String, String> added = ChannelService.memberRoles(body.get("add_members"));
            List<String> removed = ChannelService.memberIds(body.get("remove_members"), false);
            Map<String, String> roles = roleChanges(body);
            if (!added.isEmpty() || !roles.isEmpty() || !removed.equals(List.of(actor.userId()))
                    && !removed.isEmpty()) {
                Permissions.require(actor, type, me, "update-channel-members", own, "UpdateChannel", cid);
            } else if (!removed.isEmpty()) {
                Permissions.require(actor, type, me, "remove-own-channel-membership", own, "UpdateChannel", cid);
            }
            if (!added.isEmpty()) {
                if (ch.id().startsWith("!members-")) {
                    throw ChatException.input("members cannot be added to a distinct channel (one created without id)");
                }
                addMembers(actor, ch, type, added);
            }
            changeRoles(actor, ch, roles);
            removeMembers(actor, ch, type, removed);
            return response(actor, channels.require(cid), type);
        });
    }

    private ChannelRow applyFlags(Actor actor, ChannelType type, MemberRow me, boolean own, ChannelRow ch, ObjectNode data) {
        boolean frozen = data.has("frozen") ? data.get("frozen").asBoolean() : ch.frozen();
        if (frozen != ch.frozen()) {
            Permissions.require(actor, type, me, "update-channel-frozen", own, "UpdateChannel", ch.cid());
        }
        boolean disabled = data.has("disabled") ? data.get("disabled").asBoolean() : ch.disabled();
        int cooldown = data.has("cooldown") ? ChannelService.clamp(data.get("cooldown"), 0, 120) : ch.cooldown();
        String team = data.has("team") ? ChannelService.text(data, "team") : ch.team();
        return ch.withFlags(frozen, disabled, cooldown, team, core.now());
    }

    /** {@code PATCH /channels/{type}/{id}} (C5): {@code set} and {@code unset} of channel fields. */
    public ObjectNode partialUpdate(Actor actor, String cid, ObjectNode body) {
        return core.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = core.typeOf(ch);
            MemberRow me = membership(actor, cid);
            boolean own = Permissions.ownsChannel(actor, ch);
            Permissions.require(actor, type, me, "update-channel", own, "UpdateChannelPartial", cid);
            ObjectNode set = body.path("set").isObject() ? (ObjectNode) body.get("set") : Json.object();
            ObjectNode custom = ch.custom().deepCopy();
            custom.setAll(ChannelService.custom(set));
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
            ch = applyFlags(actor, type, me, own, ch, set).withCustom(custom, core.now());
            type = core.typeOf(ch);
            core.store().updateChannel(ch);
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
                ? ((ObjectNode) ch.custom().get(ChannelTypes.OVERRIDES)).deepCopy() : Json.object();
        given.fields().forEachRemaining(e -> {
            if (!ChannelTypes.OVERRIDABLE.contains(e.getKey())) {
                throw ChatException.input("config_overrides." + e.getKey() + " cannot be overridden per channel (expected one of "
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
        ObjectNode e = ChannelViews.event("channel.updated", ch, core.now());
        e.set("channel", ChannelViews.channel(ch, type, null));
        if (actor.hasUser()) {
            e.set("user", actor.user().toJson());
        }
        core.publishDurable(ch.cid(), e);
    }

    private void addMembers(Actor actor, ChannelRow ch, ChannelType type, Map<String, String> added) {
        channels.requireUsers(added.keySet(), "channel update");
        Instant now = core.now();
        Map<String, MemberRow> existing = new LinkedHashMap<>();
        core.store().members(ch.cid(), 10_000, 0).forEach(m -> existing.put(m.userId(), m));
        List<MemberRow> fresh = new ArrayList<>();
        added.forEach((u, role) -> {
            if (!existing.containsKey(u)) {
                fresh.add(MemberRow.create(ch.cid(), u, role, now));
            }
        });
        core.store().upsertMembers(ch.cid(), fresh);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> users = core.usersById(added.keySet());
        for (MemberRow m : fresh) {
            ObjectNode e = ChannelViews.event("member.added", after, core.now());
            e.set("member", ChannelViews.member(m, users.get(m.userId()), after));
            e.set("user", users.get(m.userId()).toJson());
            e.put("channel_member_count", after.memberCount());
            core.hub().publish(ch.cid(), e);
        }
        channels.notifyAdded(after, type, fresh, actor.user());
    }

    private void invite(Actor actor, ChannelRow ch, ChannelType type, Map<String, String> invited) {
        channels.requireUsers(invited.keySet(), "channel update");
        Instant now = core.now();
        List<MemberRow> fresh = new ArrayList<>();
        invited.forEach((u, role) -> {
            if (core.store().member(ch.cid(), u).isEmpty()) {
                fresh.add(MemberRow.invite(ch.cid(), u, role, now));
            }
        });
        core.store().upsertMembers(ch.cid(), fresh);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> users = core.usersById(invited.keySet());
        ObjectNode channel = ChannelViews.channel(after, type, null);
        for (MemberRow m : fresh) {
            ObjectNode member = ChannelViews.member(m, users.get(m.userId()), after);
            ObjectNode e = ChannelViews.event("member.added", after, now);
            e.set("member", member);
            e.set("user", users.get(m.userId()).toJson());
            core.hub().publish(ch.cid(), e);
            ObjectNode n = ChannelViews.event("notification.invited", after, now);
            n.set("channel", channel);
            n.set("member", member);
            n.set("user", users.get(m.userId()).toJson());
            core.sendToUser(m.userId(), n);
        }
    }

    /** {@code accept_invite} / {@code reject_invite} by the invited member itself. */
    private void answerInvite(Actor actor, ChannelRow ch, ChannelType type, boolean accept) {
        MemberRow m = actor.hasUser() ? core.store().member(ch.cid(), actor.userId()).orElse(null) : null;
        if (m == null || m.inviteStatus() == null) {
            throw ChatException.input("UpdateChannel failed with error: \"user '" + actor.userId()
                    + "' has no invitation to channel '" + ch.cid() + "'\"");
        }
        Instant now = core.now();
        MemberRow answered = m.withInvite(accept, now);
        core.store().updateMember(answered);
        ObjectNode member = ChannelViews.member(answered, actor.user(), ch);
        ObjectNode e = ChannelViews.event("member.updated", ch, now);
        e.set("member", member);
        e.set("user", actor.user().toJson());
        core.hub().publish(ch.cid(), e);
        ObjectNode n = ChannelViews.event(accept ? "notification.invite_accepted" : "notification.invite_rejected", ch, now);
        n.set("channel", ChannelViews.channel(ch, type, null));
        n.set("member", member);
        n.set("user", actor.user().toJson());
        core.store().members(ch.cid(), 10_000, 0).forEach(x -> core.sendToUser(x.userId(), n));
    }

    private Map<String, String> roleChanges(ObjectNode body) {
        Map<String, String> roles = new LinkedHashMap<>();
        ChannelService.memberIds(body.get("add_moderators"), false).forEach(u -> roles.put(u, "channel_moderator"));
        ChannelService.memberIds(body.get("demote_moderators"), false).forEach(u -> roles.put(u, "channel_member"));
        roles.putAll(ChannelService.memberRoles(body.get("assign_roles")));
        return roles;
    }

    private void changeRoles(Actor actor, ChannelRow ch, Map<String, String> roles) {
        if (roles.isEmpty()) {
            return;
        }
        Instant now = core.now();
        Map<String, User> users = core.usersById(roles.keySet());
        for (Map.Entry<String, String> r : roles.entrySet()) {
            MemberRow m = core.store().member(ch.cid(), r.getKey()).orElseThrow(() -> ChatException.input(
                    "user '" + r.getKey() + "' is not a member of channel '" + ch.cid() + "'"));
            MemberRow changed = m.withRole(r.getValue(), now);
            core.store().upsertMembers(ch.cid(), List.of(changed));
            ObjectNode e = ChannelViews.event("member.updated", ch, now);
            e.set("member", ChannelViews.member(changed, users.get(r.getKey()), ch));
            e.set("user", users.containsKey(r.getKey()) ? users.get(r.getKey()).toJson() : Json.object().put("id", r.getKey()));
            core.hub().publish(ch.cid(), e);
        }
    }

    private void removeMembers(Actor actor, ChannelRow ch, ChannelType type, List<String> removed) {
        if (removed.isEmpty()) {
            return;
        }
        Map<String, MemberRow> before = core.store().memberships(removed.getFirst(), List.of(ch.cid()));
        core.store().removeMembers(ch.cid(), removed);
        ChannelRow after = channels.require(ch.cid());
        Map<String, User> users = core.usersById(removed);
        for (String u : removed) {
            ObjectNode userJson = users.containsKey(u) ? users.get(u).toJson() : Json.object().put("id", u);
            ObjectNode e = ChannelViews.event("member.removed", after, core.now());
            e.set("user", userJson);
            e.put("channel_member_count", after.memberCount());
            core.hub().publish(ch.cid(), e);
            ObjectNode n = ChannelViews.event("notification.removed_from_channel", after, core.now());
            n.set("channel", ChannelViews.channel(after, type, null));
            n.set("user", userJson);
            MemberRow m = before.get(ch.cid());
            if (m != null && m.userId().equals(u)) {
                n.set("member", ChannelViews.member(m, users.get(u), after));
            }
            core.store().appendEvent(ch.cid(), Timestamps.parse(n.get("created_at").asText(), "at"), n);
            core.sendToUser(u, n);
        }
    }

    private ObjectNode response(Actor actor, ChannelRow ch, ChannelType type) {
        ObjectNode out = Json.object();
        MemberRow me = membership(actor, ch.cid());
        User createdBy = ch.createdById() == null ? null : core.users().find(ch.createdById()).orElse(null);
        out.set("channel", channels.states().channelFor(actor, ch, type, me, createdBy));
        List<MemberRow> members = core.store().members(ch.cid(), ChannelStates.DEFAULT_MEMBERS, 0);
        Map<String, User> users = core.usersById(members.stream().map(MemberRow::userId).toList());
        ArrayNode arr = out.putArray("members");
        members.forEach(m -> arr.add(ChannelViews.member(m, users.get(m.userId()), ch)));
        return out;
    }

    /** {@code DELETE /channels/{type}/{id}} (C6). */
    public ObjectNode delete(Actor actor, String cid) {
        return core.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = core.typeOf(ch);
            Permissions.require(actor, type, membership(actor, cid), "delete-channel", Permissions.ownsChannel(actor, ch),
                    "DeleteChannel", cid);
            List<MemberRow> members = core.store().members(cid, 10_000, 0);
            Instant now = core.now();
            ObjectNode channel = ChannelViews.channel(ch, type, null);
            channel.put("deleted_at", Timestamps.format(now));
            core.store().deleteChannel(cid);
            ObjectNode e = ChannelViews.event("channel.deleted", ch, now);
            e.set("channel", channel);
            core.publishDurable(cid, e);
            notifyNotWatching(members, cid, ChannelViews.event("notification.channel_deleted", ch, now).set("channel", channel));
            core.hub().dropChannel(cid);
            ObjectNode out = Json.object();
            out.set("channel", channel);
            return out;
        });
    }

    /** {@code POST …/truncate} (C8). */
    public ObjectNode truncate(Actor actor, String cid, ObjectNode body) {
        return core.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            ChannelType type = core.typeOf(ch);
            Permissions.require(actor, type, membership(actor, cid), "truncate-channel", Permissions.ownsChannel(actor, ch),
                    "TruncateChannel", cid);
            Instant at = core.now();
            if (body.path("truncated_at").isTextual()) {
                at = Timestamps.parse(body.get("truncated_at").asText(), "truncated_at");
            }
            core.store().truncateChannel(cid, at, actor.userId());
            ChannelRow after = channels.require(cid);
            ObjectNode channel = ChannelViews.channel(after, type, null);
            ObjectNode e = ChannelViews.event("channel.truncated", after, core.now());
            e.set("channel", channel);
            if (actor.hasUser()) {
                e.set("user", actor.user().toJson());
            }
            core.publishDurable(cid, e);
            notifyNotWatching(core.store().members(cid, 10_000, 0), cid,
                    ChannelViews.event("notification.channel_truncated", after, core.now()).set("channel", channel));
            ObjectNode out = Json.object();
            out.set("channel", channel);
            return out;
        });
    }

    private void notifyNotWatching(List<MemberRow> members, String cid, JsonNode event) {
        Set<String> watching = core.hub().watchingUsers(cid);
        members.stream().map(MemberRow::userId).filter(u -> !watching.contains(u))
                .forEach(u -> core.sendToUser(u, (ObjectNode) event));
    }

    /** {@code POST …/hide} and {@code …/show} (C9): events to the user's own connections. */
    public ObjectNode setHidden(Actor actor, String cid, boolean hidden, boolean clearHistory) {
        if (!actor.hasUser()) {
            throw ChatException.input("user_id is required for hide and show with a server token");
        }
        ChannelRow ch = channels.require(cid);
        ChannelType type = core.typeOf(ch);
        if (!core.store().setHidden(cid, actor.userId(), hidden, hidden && clearHistory ? core.now() : null)) {
            throw ChatException.notAllowed((hidden ? "HideChannel" : "ShowChannel") + " failed with error: \"user '"
                    + actor.userId() + "' is not a member of channel '" + cid + "'\"");
        }
        ObjectNode e = ChannelViews.event(hidden ? "channel.hidden" : "channel.visible", ch, core.now());
        e.set("channel", ChannelViews.channel(ch, type, null));
        e.set("user", actor.user().toJson());
        if (hidden) {
            e.put("clear_history", clearHistory);
        }
        core.store().appendEvent(cid, Timestamps.parse(e.get("created_at").asText(), "at"), e);
        core.sendToUser(actor.userId(), e);
        return Json.object();
    }

    /**
     * {@code PATCH /channels/{type}/{id}/member} (C12): {@code set}/{@code unset} of {@code archived},
     * {@code pinned}, {@code channel_role} (server only) and custom member fields; {@code member.updated}.
     */
    public ObjectNode updateMember(Actor actor, String cid, String userId, ObjectNode body) {
        String target = userId != null && !userId.isEmpty() ? userId : actor.userId();
        if (target == null) {
            throw ChatException.input("user_id is required with a server token");
        }
        if (!actor.server() && !target.equals(actor.userId())) {
            throw ChatException.notAllowed("UpdateMemberPartial failed with error: \"users may only change their own membership\"");
        }
        return core.underLock(cid, () -> {
            ChannelRow ch = channels.require(cid);
            MemberRow m = core.store().member(cid, target).orElseThrow(() -> ChatException.notFound(
                    "user '" + target + "' is not a member of channel '" + cid + "'"));
            ObjectNode set = body.path("set").isObject() ? (ObjectNode) body.get("set") : Json.object();
            Instant now = core.now();
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
                            throw ChatException.notAllowed("UpdateMemberPartial failed with error: \"channel_role can only be changed server-side\"");
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
            core.store().updateMember(changed);
            User user = core.users().find(target).orElse(null);
            ObjectNode view = ChannelViews.member(changed, user, ch);
            ObjectNode e = ChannelViews.event("member.updated", ch, now);
            e.set("member", view);
            e.set("user", user == null ? Json.object().put("id", target) : user.toJson());
            core.hub().publish(cid, e);
            ObjectNode out = Json.object();
            out.set("channel_member", view);
            return out;
        });
    }

    /** Member keys the server manages; never custom. */
    private static final Set<String> MEMBER_FIELDS = Set.of("user_id", "user", "created_at", "updated_at", "banned",
            "shadow_banned", "role", "status", "archived_at", "pinned_at", "notifications_muted", "is_moderator",
            "invited", "invite_accepted_at", "invite_rejected_at", "ban_expires", "deleted_at");

    private MemberRow membership(Actor actor, String cid) {
        return actor.hasUser() ? core.store().member(cid, actor.userId()).orElse(null) : null;
    }
}
