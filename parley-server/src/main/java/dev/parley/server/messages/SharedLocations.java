package dev.parley.server.messages;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.events.ChannelLocks;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.LocationStore;
import dev.parley.server.store.LocationStore.Location;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locations shared in messages (PROTOCOL.md §7.24): a send's {@code shared_location} (static, or live until its
 * {@code end_at}) checked and kept with the message; {@code GET /users/live_locations}, the caller's live ones;
 * {@code PUT /users/live_locations}, a new position or end of one of them, which changes its message and is
 * announced as {@code message.updated}. Gated by the channel type's {@code shared_locations}. Thread-safe;
 * blocking.
 */
public final class SharedLocations {
    private static final Logger log = LoggerFactory.getLogger(SharedLocations.class);

    /** Most live locations {@code GET /users/live_locations} answers (the earliest shared first). */
    public static final int MAX_LIVE = 100;

    /** Longest device id kept. */
    static final int MAX_DEVICE_ID = 255;

    private final LocationStore store;
    private final ChatStore chat;
    private final ChannelAccess access;
    private final ChannelLocks locks;
    private final Clock clock;
    private volatile @Nullable MessageService messages;

    public SharedLocations(LocationStore store, ChatStore chat, ChannelAccess access, ChannelLocks locks, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.access = requireNonNull(access, "access");
        this.locks = requireNonNull(locks, "locks");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * The message service that announces a changed message: set once, by {@code Chat} right after it built both
     * (each needs the other).
     */
    public void announceThrough(MessageService service) {
        this.messages = requireNonNull(service, "service");
    }

    /**
     * The {@code shared_location} of a message being sent, as the message will carry it: code 19 when the type
     * has {@code shared_locations} off, code 4 naming the field for a bad coordinate, device id or end.
     */
    ObjectNode check(JsonNode in, ChannelType type, String cid, String messageId, String userId) {
        if (!type.flag("shared_locations")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    "SendMessage failed with error: \"shared locations are disabled for channel type '" + type.name()
                            + "'\"");
        }
        if (!(in instanceof ObjectNode o)) {
            throw input("SendMessage", "message.shared_location must be an object");
        }
        String named = o.path("message_id").asText("");
        if (!named.isEmpty() && !named.equals(messageId)) {
            throw input("SendMessage", "message.shared_location.message_id must be the message's id");
        }
        double latitude = coordinate(o, "latitude", 90, "SendMessage");
        double longitude = coordinate(o, "longitude", 180, "SendMessage");
        String device = device(o.get("created_by_device_id"), "SendMessage");
        Instant now = now();
        Instant endAt = null;
        JsonNode end = o.get("end_at");
        if (end != null && !end.isNull()) {
            endAt = time(end, "message.shared_location.end_at", "SendMessage");
            if (!endAt.isAfter(now)) {
                throw input("SendMessage", "message.shared_location.end_at must be in the future");
            }
        }
        return view(new Location(messageId, cid, userId, device, latitude, longitude, endAt, now, now));
    }

    /** Keeps the location of a message that was stored; a failure is logged, the message stays sent. */
    void record(ObjectNode sharedLocation) {
        try {
            store.upsert(location(sharedLocation));
        } catch (RuntimeException e) {
            log.warn(
                    "the location of message {} was not stored",
                    sharedLocation.path("message_id").asText(),
                    e);
        }
    }

    /** {@code GET /users/live_locations}: the caller's live locations that have not ended. */
    public ObjectNode live(Actor actor) {
        User user = user(actor, "GetActiveLiveLocations");
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("active_live_locations");
        for (Location l : store.live(user.id(), clock.instant(), MAX_LIVE)) {
            // A deleted message's location stays stored, but is no longer shared.
            if (chat.findMessage(l.messageId())
                    .filter(m -> m.deletedAt() == null)
                    .isPresent()) {
                list.add(view(l));
            }
        }
        return out;
    }

    /**
     * {@code PUT /users/live_locations}: moves or ends one of the caller's live locations (an {@code end_at} now or
     * earlier ends it). Code 16 when the message has no location, 17 when it is someone else's, 4 for a static or
     * ended one and for bad values.
     */
    public ObjectNode update(Actor actor, ObjectNode body) {
        User user = user(actor, "UpdateLiveLocation");
        JsonNode id = body.get("message_id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw input("UpdateLiveLocation", "message_id is required");
        }
        Location before = store.find(id.asText())
                .orElseThrow(() -> ChatException.notFound("UpdateLiveLocation failed with error: \"message '"
                        + MessageService.ChannelServiceText.shorten(id.asText()) + "' has no shared location\""));
        if (!before.userId().equals(user.id())) {
            throw ChatException.notAllowed(
                    "UpdateLiveLocation failed with error: \"only its sharer may update a live location\"");
        }
        Instant now = now();
        if (before.endAt() == null) {
            throw input("UpdateLiveLocation", "the location of message '" + before.messageId() + "' is not live");
        }
        if (!before.endAt().isAfter(now)) {
            throw input("UpdateLiveLocation", "the live location of message '" + before.messageId() + "' has ended");
        }
        double latitude = body.hasNonNull("latitude")
                ? coordinate(body, "latitude", 90, "UpdateLiveLocation")
                : before.latitude();
        double longitude = body.hasNonNull("longitude")
                ? coordinate(body, "longitude", 180, "UpdateLiveLocation")
                : before.longitude();
        String device = body.hasNonNull("created_by_device_id")
                ? device(body.get("created_by_device_id"), "UpdateLiveLocation")
                : before.deviceId();
        Instant endAt =
                body.hasNonNull("end_at") ? time(body.get("end_at"), "end_at", "UpdateLiveLocation") : before.endAt();
        if (endAt.isBefore(now)) {
            endAt = now; // a stop names the client's clock, which may be behind ours
        }
        Location after = new Location(
                before.messageId(),
                before.cid(),
                before.userId(),
                device,
                latitude,
                longitude,
                endAt,
                before.createdAt(),
                now);
        access.requireRead(actor, access.requireChannel(after.cid()), "UpdateLiveLocation");
        locks.underLock(after.cid(), () -> {
            MessageRow m = chat.findMessage(after.messageId()).orElse(null);
            if (m == null || m.deletedAt() != null) {
                throw input("UpdateLiveLocation", "message '" + after.messageId() + "' was deleted");
            }
            store.upsert(after);
            ObjectNode doc = m.doc().deepCopy();
            doc.set("shared_location", view(after));
            MessageRow row = new MessageRow(
                    m.id(),
                    m.cid(),
                    m.userId(),
                    m.parentId(),
                    m.inChannel(),
                    m.createdAt(),
                    m.updatedAt(),
                    m.deletedAt(),
                    m.pinnedAt(),
                    doc);
            chat.updateMessage(row);
            requireNonNull(messages, "messages").announceUpdated(access.requireChannel(after.cid()), row, user);
            return Boolean.TRUE;
        });
        return view(after);
    }

    /** A location as answered and as its message carries it. */
    static ObjectNode view(Location l) {
        ObjectNode o = Json.object();
        o.put("message_id", l.messageId());
        o.put("channel_cid", l.cid());
        o.put("user_id", l.userId());
        o.put("created_by_device_id", l.deviceId());
        o.put("latitude", l.latitude());
        o.put("longitude", l.longitude());
        if (l.endAt() != null) {
            o.put("end_at", Timestamps.format(l.endAt()));
        }
        o.put("created_at", Timestamps.format(l.createdAt()));
        o.put("updated_at", Timestamps.format(l.updatedAt()));
        return o;
    }

    private static Location location(ObjectNode v) {
        return new Location(
                v.get("message_id").asText(),
                v.get("channel_cid").asText(),
                v.get("user_id").asText(),
                v.get("created_by_device_id").asText(),
                v.get("latitude").asDouble(),
                v.get("longitude").asDouble(),
                v.hasNonNull("end_at") ? Timestamps.parse(v.get("end_at").asText(), "end_at") : null,
                Timestamps.parse(v.get("created_at").asText(), "created_at"),
                Timestamps.parse(v.get("updated_at").asText(), "updated_at"));
    }

    private static double coordinate(ObjectNode o, String field, double bound, String endpoint) {
        JsonNode v = o.get(field);
        String prefix = endpoint.equals("SendMessage") ? "message.shared_location." : "";
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || Math.abs(v.asDouble()) > bound) {
            throw input(endpoint, prefix + field + " must be a number from -" + (int) bound + " to " + (int) bound);
        }
        return v.asDouble();
    }

    private static String device(@Nullable JsonNode v, String endpoint) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual() || v.asText().length() > MAX_DEVICE_ID) {
            throw input(endpoint, "created_by_device_id must be a string of at most " + MAX_DEVICE_ID + " characters");
        }
        return v.asText();
    }

    private static Instant time(JsonNode v, String field, String endpoint) {
        if (!v.isTextual()) {
            throw input(endpoint, field + " must be a timestamp");
        }
        return Timestamps.parse(v.asText(), field).truncatedTo(ChronoUnit.MICROS);
    }

    private static User user(Actor actor, String endpoint) {
        User u = actor.user();
        if (u == null) {
            throw input(endpoint, "user_id is required with a server token");
        }
        return u;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static ChatException input(String endpoint, String message) {
        return ChatException.input(endpoint + " failed with error: \"" + message + "\"");
    }
}
