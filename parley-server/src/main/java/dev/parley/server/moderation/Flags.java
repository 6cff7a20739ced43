package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Flag;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * Flags on messages and users (PROTOCOL.md §7.13 D7, D8). A message flag needs {@code flag-message} in
 * the message's channel (and the right to read it); a user flag needs the app grant {@code flag-user}.
 * Flags are kept for moderators, each counted in the report of its target (§7.26); {@code unflag} is the
 * documented no-op. Thread-safe; blocking.
 */
public final class Flags {
    /** The app-wide grants (§11.3) that the moderation routes check. */
    private final AppGrants appGrants;

    private final ChatStore store;
    private final ModerationStore moderation;
    private final ChannelAccess access;
    private final UserService users;
    private final EventPublisher events;
    private final Clock clock;

    public Flags(
            ChatStore store,
            ModerationStore moderation,
            ChannelAccess access,
            UserService users,
            EventPublisher events,
            Clock clock,
            AppGrants appGrants) {
        this.appGrants = requireNonNull(appGrants, "appGrants");
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /** D7 {@code POST /moderation/flag}: {@code target_message_id} or {@code target_user_id}. */
    public ObjectNode flag(Actor actor, ObjectNode body) {
        User me = AppGrants.user(actor, "Flag");
        String messageId = text(body.get("target_message_id"));
        String userId = text(body.get("target_user_id"));
        if ((messageId == null) == (userId == null)) {
            throw ChatException.input(
                    "Flag failed with error: \"exactly one of target_message_id and target_user_id " + "is required\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String reason = text(body.get("reason"));
        ObjectNode flag = Json.object();
        Flag stored;
        if (messageId != null) {
            MessageRow m = store.findMessage(messageId)
                    .orElseThrow(() -> ChatException.notFound(
                            "Flag failed with error: \"message '" + messageId + "' does not exist\""));
            ChannelRow ch = store.findChannel(m.cid())
                    .orElseThrow(() -> ChatException.notFound(
                            "Flag failed with error: \"message '" + messageId + "' does not exist\""));
            ChannelAccess.ReadAccess read = access.requireRead(actor, ch, "Flag");
            Permissions.require(
                    actor,
                    read.type(),
                    read.member(),
                    "flag-message",
                    Permissions.ownsChannel(actor, ch),
                    "Flag",
                    ch.cid());
            stored = moderation.upsertFlag(
                    new Flag(me.id(), "message", messageId, reason, now, now),
                    java.util.UUID.randomUUID().toString(),
                    ch.cid(),
                    m.userId());
            flag.put("target_message_id", messageId);
            events.publishToHooks(EventType.MESSAGE_FLAGGED.wireName(), () -> {
                ObjectNode e = ChannelViews.event(EventType.MESSAGE_FLAGGED.wireName(), ch, now);
                e.set("message", m.doc());
                e.put("message_id", messageId);
                e.set("user", me.toJson());
                if (reason != null) {
                    e.put("reason", reason);
                }
                return e;
            });
        } else {
            appGrants.require(actor, "flag-user", "Flag");
            String targetId = requireNonNull(userId, "userId"); // exactly one target is named: checked above
            User target = users.find(targetId)
                    .orElseThrow(() -> ChatException.notFound(
                            "Flag failed with error: \"user '" + targetId + "' does not exist\""));
            stored = moderation.upsertFlag(
                    new Flag(me.id(), "user", targetId, reason, now, now),
                    java.util.UUID.randomUUID().toString(),
                    null,
                    targetId);
            flag.set("target_user", target.toJson());
            events.publishToHooks(EventType.USER_FLAGGED.wireName(), () -> {
                ObjectNode e = Json.object();
                e.put("type", EventType.USER_FLAGGED.wireName());
                e.set("user", me.toJson());
                e.set("target_user", target.toJson());
                if (reason != null) {
                    e.put("reason", reason);
                }
                e.put("created_at", Timestamps.format(now));
                return e;
            });
        }
        flag.set("user", me.toJson());
        flag.put("created_at", Timestamps.format(stored.createdAt()));
        flag.put("updated_at", Timestamps.format(stored.updatedAt()));
        flag.put("created_by_automod", false);
        if (stored.reason() != null) {
            flag.put("reason", stored.reason());
        }
        ObjectNode out = Json.object();
        out.set("flag", flag);
        return out;
    }

    private static @Nullable String text(@Nullable JsonNode v) {
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }
}
