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
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Ban;
import dev.parley.server.store.PolicyStore;
import dev.parley.server.store.PolicyStore.FutureBan;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Bans (PROTOCOL.md §7.13 D5, D6): global bans (also kept on the user as {@code banned} or, for a
 * shadow ban, {@code shadow_banned}, with {@code ban_expires}) and channel bans ({@code type} and {@code id}), with an
 * optional {@code timeout} in minutes. A banned user cannot send messages (code 17); a shadow-banned
 * user's messages are stored with {@code shadowed: true}. {@code user.banned}/{@code user.unbanned}
 * go to the channel's watchers for a channel ban, and to the banned user's connections in both cases.
 * Thread-safe; blocking.
 */
public final class Bans {
    /** The app-wide grants (§11.3) that the moderation routes check. */
    private final AppGrants appGrants;

    private final ChatStore store;
    /** The bans of future channels (§7.28). */
    private final PolicyStore policies;

    private final ModerationStore moderation;
    private final ChannelAccess access;
    private final UserService users;
    private final EventPublisher events;
    private final Clock clock;

    public Bans(
            ChatStore store,
            ModerationStore moderation,
            ChannelAccess access,
            UserService users,
            EventPublisher events,
            Clock clock,
            AppGrants appGrants,
            PolicyStore policies) {
        this.appGrants = requireNonNull(appGrants, "appGrants");
        this.policies = requireNonNull(policies, "policies");
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Whether {@code author} may post in {@code cid} at {@code now}: refuses with code 17 under an active ban, and
     * returns true when the active ban is a shadow ban (the message is then stored shadowed). With
     * {@code mayHaveChannelBan} false (the channel's roster has no ban row of the author) the channel ban is not
     * read.
     */
    public static boolean checkMayPost(
            ModerationStore moderation, Instant now, User author, String cid, boolean mayHaveChannelBan) {
        // The user's flags spare a store read per send for users never banned globally.
        Optional<Ban> global = author.banned() || author.shadowBanned()
                ? moderation.ban(author.id(), ModerationStore.GLOBAL).filter(b -> b.activeAt(now))
                : Optional.empty();
        if (global.isPresent() && !global.get().shadow()) {
            throw banned(author, "the app");
        }
        Optional<Ban> local =
                mayHaveChannelBan ? moderation.ban(author.id(), cid).filter(b -> b.activeAt(now)) : Optional.empty();
        if (local.isPresent() && !local.get().shadow()) {
            throw banned(author, "channel '" + cid + "'");
        }
        return global.isPresent() || local.isPresent();
    }

    /** The bans of channel {@code cid} active at {@code now} (at most 1000), by banned user id. One store read. */
    public static Map<String, Ban> channelBans(ModerationStore moderation, String cid, Instant now) {
        Map<String, Ban> bans = new HashMap<>();
        moderation.bans(cid, null, now, 1000, 0).forEach(b -> bans.put(b.targetId(), b));
        return bans;
    }

    private static ChatException banned(User author, String where) {
        return ChatException.notAllowed(
                "SendMessage failed with error: \"user '" + author.id() + "' is banned from " + where + "\"");
    }

    /** {@code POST /moderation/ban}. */
    public ObjectNode ban(Actor actor, ObjectNode body) {
        String targetId = Moderation.requiredId(body, "target_user_id", "BanUser");
        User target = users.find(targetId)
                .orElseThrow(() -> ChatException.notFound(
                        "BanUser failed with error: \"user '" + targetId + "' does not exist\""));
        if (targetId.equals(actor.userId())) {
            throw ChatException.input("BanUser failed with error: \"a user cannot ban themselves\"");
        }
        ChannelRow ch = channel(body.path("type").asText(""), body.path("id").asText(""), "BanUser");
        requireMayBan(actor, ch, "BanUser");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = Moderation.expiry(body.get("timeout"), "timeout", Duration.ofMinutes(1), now);
        boolean shadow = body.path("shadow").asBoolean(false);
        String reason = text(body.get("reason"));
        String byId = byId(actor, body);
        Ban ban = new Ban(targetId, ch == null ? ModerationStore.GLOBAL : ch.cid(), byId, reason, shadow, now, expires);
        moderation.upsertBan(ban);
        if (byId != null && body.path("ban_from_future_channels").asBoolean(false)) {
            policies.upsertFutureBan(new FutureBan(byId, targetId, reason, shadow, now, expires));
        }
        if (ch == null) {
            User updated = users.update(
                    targetId,
                    u -> u == null
                            ? null
                            : u.toBuilder()
                                    .banned(!shadow)
                                    .banExpires(expires)
                                    .shadowBanned(shadow)
                                    .build(),
                    null);
            if (updated != null) { // null: deleted since it was read; the event names it as it was
                target = updated;
            }
        }
        announce(EventType.USER_BANNED.wireName(), ban, target, byId, ch, now);
        return Json.object();
    }

    /** {@code DELETE /moderation/ban?target_user_id=&type=&id=}. */
    public ObjectNode unban(Actor actor, @Nullable String targetId, @Nullable String type, @Nullable String id) {
        return unban(actor, targetId, type, id, false);
    }

    /**
     * {@code DELETE /moderation/ban?target_user_id=&type=&id=&remove_future_channels_ban=}: with
     * {@code removeFuture} the caller's ban of the target from its future channels ends too (§7.28).
     */
    public ObjectNode unban(
            Actor actor, @Nullable String targetId, @Nullable String type, @Nullable String id, boolean removeFuture) {
        if (targetId == null || targetId.isEmpty()) {
            throw ChatException.input("UnbanUser failed with error: \"target_user_id is required\"");
        }
        ChannelRow ch = channel(type == null ? "" : type, id == null ? "" : id, "UnbanUser");
        requireMayBan(actor, ch, "UnbanUser");
        if (removeFuture && actor.userId() != null) {
            policies.deleteFutureBan(actor.userId(), targetId);
        }
        Instant now = clock.instant();
        moderation.deleteBan(targetId, ch == null ? ModerationStore.GLOBAL : ch.cid());
        User target = users.find(targetId).orElse(null);
        if (ch == null && target != null) {
            target = users.update(
                    targetId,
                    u -> u == null
                            ? null
                            : u.toBuilder()
                                    .banned(false)
                                    .banExpires(null)
                                    .shadowBanned(false)
                                    .build(),
                    null);
        }
        if (target != null) {
            announce(
                    EventType.USER_UNBANNED.wireName(),
                    new Ban(targetId, ch == null ? "" : ch.cid(), actor.userId(), null, false, now, null),
                    target,
                    actor.userId(),
                    ch,
                    now);
        }
        return Json.object();
    }

    /** D6 {@code GET /query_banned_users?payload=}: filter on {@code channel_cid} and {@code user_id}. */
    public ObjectNode query(Actor actor, ObjectNode payload) {
        JsonNode filter = payload.path("filter_conditions");
        String cid = eqString(filter, "channel_cid");
        String userId = eqString(filter, "user_id");
        ChannelRow ch = cid == null
                ? null
                : store.findChannel(cid)
                        .orElseThrow(() -> ChatException.notFound(
                                "QueryBannedUsers failed with error: \"channel '" + cid + "' does not exist\""));
        if (ch != null) {
            requireMayBan(actor, ch, "QueryBannedUsers");
        } else {
            appGrants.require(actor, "read-bans", "QueryBannedUsers");
        }
        int limit = Math.clamp(payload.path("limit").asInt(25), 1, 100);
        int offset = Math.clamp(payload.path("offset").asInt(0), 0, 1000);
        Instant activeAt = payload.path("exclude_expired_bans").asBoolean(false) ? clock.instant() : null;
        List<Ban> bans = moderation.bans(cid, userId, activeAt, limit, offset);
        Map<String, User> byId = users.findAll(bans.stream()
                .flatMap(b -> Stream.of(b.targetId(), b.createdById()))
                .filter(x -> x != null)
                .toList());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("bans");
        for (Ban b : bans) {
            ObjectNode o = list.addObject();
            o.set("user", userJson(byId, b.targetId()));
            if (b.createdById() != null) {
                o.set("banned_by", userJson(byId, b.createdById()));
            }
            if (!b.global()) {
                store.findChannel(b.cid())
                        .flatMap(c -> access.types().find(c.type()).map(t -> ChannelViews.channel(c, t, null)))
                        .ifPresent(c -> o.set("channel", c));
            }
            o.put("created_at", Timestamps.format(b.createdAt()));
            if (b.expires() != null) {
                o.put("expires", Timestamps.format(b.expires()));
            }
            if (b.reason() != null) {
                o.put("reason", b.reason());
            }
            o.put("shadow", b.shadow());
        }
        return out;
    }

    /**
     * Bans, in channel {@code ch} just created, every user its creator banned from its future channels (§7.28) and
     * whose ban has not expired. The channel has no watchers yet, so no event is sent.
     */
    public void applyFutureBans(ChannelRow ch) {
        String creator = ch.createdById();
        if (creator == null) {
            return;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        for (FutureBan f : policies.futureBans(creator, null, now, MAX_FUTURE_BANS, 0)) {
            if (!f.targetId().equals(creator)) {
                moderation.upsertBan(
                        new Ban(f.targetId(), ch.cid(), creator, f.reason(), f.shadow(), now, f.expires()));
            }
        }
    }

    /** Most bans of future channels one channel's creation applies, and one query answers. */
    static final int MAX_FUTURE_BANS = 1_000;

    /**
     * {@code GET /query_future_channel_bans?payload={user_id?, target_user_id?, exclude_expired_bans?, limit?,
     * offset?}}: the bans {@code user_id} (the caller by default) made for its future channels, oldest first.
     * Another user's need {@code read-bans}.
     */
    public ObjectNode queryFuture(Actor actor, ObjectNode payload) {
        String endpoint = "QueryFutureChannelBans";
        String userId = payload.path("user_id").asText("");
        if (userId.isEmpty()) {
            userId = actor.userId() == null ? null : actor.userId();
        }
        if (userId == null || !userId.equals(actor.userId())) {
            appGrants.require(actor, "read-bans", endpoint);
        }
        String target = payload.path("target_user_id").asText("");
        int limit = FlagReports.bounded(payload, "limit", 25, 1, 100, endpoint);
        int offset = FlagReports.bounded(payload, "offset", 0, 0, MAX_FUTURE_BANS, endpoint);
        Instant activeAt = payload.path("exclude_expired_bans").asBoolean(false) ? clock.instant() : null;
        List<FutureBan> bans = policies.futureBans(userId, target.isEmpty() ? null : target, activeAt, limit, offset);
        Map<String, User> byId =
                users.findAll(bans.stream().map(FutureBan::targetId).toList());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("bans");
        for (FutureBan b : bans) {
            ObjectNode o = list.addObject();
            o.set("user", userJson(byId, b.targetId()));
            o.put("created_at", Timestamps.format(b.createdAt()));
            if (b.expires() != null) {
                o.put("expires", Timestamps.format(b.expires()));
            }
            if (b.reason() != null) {
                o.put("reason", b.reason());
            }
            o.put("shadow", b.shadow());
        }
        return out;
    }

    private @Nullable ChannelRow channel(String type, String id, String endpoint) {
        if (type.isEmpty() != id.isEmpty()) {
            throw ChatException.input(endpoint + " failed with error: \"type and id go together: both name the channel "
                    + "of a channel ban, neither for a global ban\"");
        }
        if (type.isEmpty()) {
            return null;
        }
        String cid = type + ":" + id;
        return store.findChannel(cid)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"channel '" + cid + "' does not exist\""));
    }

    private void requireMayBan(Actor actor, @Nullable ChannelRow ch, String endpoint) {
        if (ch == null) {
            appGrants.require(actor, "ban-user", endpoint);
            return;
        }
        ChannelType type = access.typeOf(ch);
        String userId = actor.userId();
        var member = userId != null ? store.member(ch.cid(), userId).orElse(null) : null;
        if (!appGrants.allowed(actor, "ban-user")) {
            Permissions.require(
                    actor, type, member, "ban-channel-member", Permissions.ownsChannel(actor, ch), endpoint, ch.cid());
        }
    }

    private @Nullable String byId(Actor actor, ObjectNode body) {
        if (actor.server() && body.path("banned_by_id").isTextual()) {
            return body.get("banned_by_id").asText();
        }
        return actor.userId();
    }

    private void announce(
            String type, Ban ban, User target, @Nullable String byId, @Nullable ChannelRow ch, Instant now) {
        ObjectNode e = ch == null ? Json.object() : ChannelViews.event(type, ch, now);
        e.put("type", type);
        e.put("created_at", Timestamps.format(now));
        e.set("user", target.toJson());
        if (byId != null) {
            users.find(byId).ifPresent(u -> e.set("created_by", u.toJson()));
        }
        if (ban.reason() != null) {
            e.put("reason", ban.reason());
        }
        if (ban.expires() != null) {
            e.put("expiration", Timestamps.format(ban.expires()));
        }
        e.put("shadow", ban.shadow());
        if (ch != null) {
            events.publish(e, Audience.watchers(ch.cid()));
        } else {
            events.publish(e, Audience.user(target.id()));
        }
    }

    private static ObjectNode userJson(Map<String, User> byId, String id) {
        User u = byId.get(id);
        return (u == null ? User.builder(id).build() : u).toJson();
    }

    private static @Nullable String text(@Nullable JsonNode v) {
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    /** A string equality of a filter: {@code "x"} or {@code {"$eq": "x"}}; null when absent (code 4 when malformed). */
    private static @Nullable String eqString(JsonNode filter, String field) {
        JsonNode v = filter.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isObject() && v.has("$eq")) {
            v = v.get("$eq");
        }
        if (!v.isTextual()) {
            throw ChatException.input("QueryBannedUsers failed with error: \"" + field + " supports a string or $eq\"");
        }
        return v.asText();
    }
}
