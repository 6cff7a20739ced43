package dev.parley.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Event;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.OwnUser;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builders of the event and error payloads the server sends (PROTOCOL.md §3.2, §3.3, §8, §10.1). */
public final class Events {
    public static final String MORE_INFO = "https://getstream.io/chat/docs/api_errors_response";

    private Events() {}

    /** The first frame of a socket, or the answer to a heartbeat when {@code me} is null. */
    public static ObjectNode healthCheck(String connectionId, @Nullable ObjectNode me, Instant now) {
        ObjectNode e = Json.object();
        e.put("type", EventType.HEALTH_CHECK.wireName());
        e.put("connection_id", connectionId);
        e.put("cid", "*");
        e.put("created_at", Timestamps.format(now));
        if (me != null) {
            e.set("me", me);
        }
        return e;
    }

    /** The frame that refuses a handshake; the socket is then closed with 1000. */
    public static ObjectNode connectionError(ChatException error, Instant now) {
        ObjectNode e = Json.object();
        e.put("type", EventType.CONNECTION_ERROR.wireName());
        e.put("created_at", Timestamps.format(now));
        e.put("connection_id", "");
        ObjectNode env = envelope(error, "");
        e.set("error", env);
        return e;
    }

    /** The error envelope of §10.1. */
    public static ObjectNode envelope(ChatException error, String duration) {
        ObjectNode env = Json.object();
        env.put("code", error.code());
        env.put("message", error.getMessage());
        env.put("StatusCode", error.statusCode());
        env.put("duration", duration);
        env.put("more_info", MORE_INFO);
        env.putArray("details");
        if (!error.exceptionFields().isEmpty()) {
            ObjectNode f = env.putObject("exception_fields");
            for (Map.Entry<String, String> x : error.exceptionFields().entrySet()) {
                f.put(x.getKey(), x.getValue());
            }
        }
        return env;
    }

    /** An event about a user: {@code user.presence.changed}, {@code user.updated}, {@code user.deleted}... */
    public static ObjectNode userEvent(String type, User user, Instant now) {
        return Event.builder(type).user(user).createdAt(now).build().toJson();
    }

    /**
     * The own-user view {@code me} (§6.1) of a user with no devices, mutes, blocks or unread messages; the
     * connect path adds what the user has.
     */
    public static ObjectNode me(User user) {
        ObjectNode me = new OwnUser(user, List.of(), List.of(), List.of(), 0, 0, 0, 0, List.of()).toJson();
        if (!me.has("privacy_settings")) {
            me.putObject("privacy_settings");
        }
        return me;
    }
}
