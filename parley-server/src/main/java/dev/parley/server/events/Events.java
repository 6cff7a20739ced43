package dev.parley.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import java.time.Instant;
import java.util.Map;

/** Builders of the event and error payloads the server sends (PROTOCOL.md §3.2, §3.3, §8, §10.1). */
public final class Events {
    public static final String MORE_INFO = "https://getstream.io/chat/docs/api_errors_response";

    private Events() {}

    /** The first frame of a socket, or the answer to a heartbeat when {@code me} is null. */
    public static ObjectNode healthCheck(String connectionId, ObjectNode me, Instant now) {
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
        ObjectNode e = Json.object();
        e.put("type", type);
        e.set("user", user.toJson());
        e.put("created_at", Timestamps.format(now));
        return e;
    }

    /** The own-user view {@code me} (§6.1): the user plus per-reader lists and counters. */
    public static ObjectNode me(User user) {
        ObjectNode me = user.toJson();
        me.putArray("devices");
        me.putArray("mutes");
        me.putArray("channel_mutes");
        me.putArray("blocked_user_ids");
        me.put("total_unread_count", 0);
        me.put("unread_count", 0);
        me.put("unread_channels", 0);
        me.put("unread_threads", 0);
        if (!me.has("privacy_settings")) {
            me.putObject("privacy_settings");
        }
        return me;
    }
}
