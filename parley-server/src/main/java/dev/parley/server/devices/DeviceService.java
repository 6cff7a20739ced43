package dev.parley.server.devices;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatStore;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Push devices (PROTOCOL.md §6.8, §7.14): users add, list and remove their own devices; the server may act
 * for any user. Devices also appear in {@code me.devices}. Push delivery itself is not done. Thread-safe;
 * blocking.
 */
public final class DeviceService {
    static final Set<String> PROVIDERS = Set.of("apn", "firebase", "huawei", "xiaomi");
    static final int MAX_ID = 255;

    private final ChatStore store;
    private final Clock clock;

    public DeviceService(ChatStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** {@code POST /devices}. */
    public ObjectNode add(Actor actor, ObjectNode body) {
        String userId = target(actor, body.path("user_id").asText(""));
        String id = body.path("id").asText("");
        String provider = body.path("push_provider").asText("");
        if (id.isEmpty() || id.length() > MAX_ID) {
            throw ChatException.input("id must be a device id of 1 to " + MAX_ID + " characters");
        }
        if (!PROVIDERS.contains(provider)) {
            throw ChatException.input(
                    "push_provider: '" + provider + "' (expected one of apn, firebase, huawei, xiaomi)");
        }
        String name = body.path("push_provider_name").isTextual()
                ? body.get("push_provider_name").asText()
                : null;
        store.upsertDevice(new DeviceRow(id, userId, provider, name, clock.instant()));
        return Json.object();
    }

    /** {@code GET /devices}. */
    public ObjectNode list(Actor actor, @Nullable String userIdParam) {
        ObjectNode out = Json.object();
        out.set("devices", json(store.devices(target(actor, userIdParam == null ? "" : userIdParam))));
        return out;
    }

    /** {@code DELETE /devices?id=}. */
    public ObjectNode delete(Actor actor, @Nullable String id, @Nullable String userIdParam) {
        if (id == null || id.isEmpty()) {
            throw ChatException.input("id is required");
        }
        String userId = target(actor, userIdParam == null ? "" : userIdParam);
        if (!store.deleteDevice(userId, id)) {
            throw ChatException.notFound("device '" + id + "' of user '" + userId + "' does not exist");
        }
        return Json.object();
    }

    /** The devices of a user as {@code me.devices} shows them. */
    public ArrayNode devicesOf(String userId) {
        return json(store.devices(userId));
    }

    private static ArrayNode json(List<DeviceRow> rows) {
        ArrayNode arr = Json.array();
        for (DeviceRow d : rows) {
            ObjectNode o = arr.addObject();
            o.put("id", d.id());
            o.put("push_provider", d.pushProvider());
            if (d.pushProviderName() != null) {
                o.put("push_provider_name", d.pushProviderName());
            }
            o.put("user_id", d.userId());
            o.put("created_at", Timestamps.format(d.createdAt()));
            o.put("disabled", false);
        }
        return arr;
    }

    private static String target(Actor actor, String named) {
        User user = actor.user();
        if (actor.server()) {
            if (!named.isEmpty()) {
                return named;
            }
            if (user != null) {
                return user.id();
            }
            throw ChatException.input("user_id is required with a server token");
        }
        if (!named.isEmpty() && !named.equals(actor.userId())) {
            throw ChatException.notAllowed("users may only manage their own devices");
        }
        if (user == null || user.role().equals("anonymous")) {
            throw ChatException.notAllowed("anonymous users have no devices");
        }
        return user.id();
    }
}
