package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.channels.ChannelAdmin;
import dev.parley.server.channels.ChannelMembers;
import dev.parley.server.channels.ChannelService;
import dev.parley.server.channels.MemberQuery;
import dev.parley.server.chat.Actor;
import dev.parley.server.commands.Commands;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.messages.MessageService;
import dev.parley.server.reads.ReadService;
import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The channel endpoints (PROTOCOL.md §7.2 to §7.8: C1 to C6, C8 to C10, C13 to C15, C17, C21). */
final class ChannelsApi {
    private final ChannelService channels;
    private final ChannelAdmin admin;
    private final ChannelMembers channelMembers;
    private final MemberQuery memberQuery;
    private final MessageService messages;
    private final Commands commands;
    private final MessageEdits edits;
    private final ReadService reads;
    private final ChatActors actors;
    private final ConnectionRegistry registry;

    private final RemoteSubscriptions remote;

    ChannelsApi(
            ChannelService channels,
            ChannelAdmin admin,
            ChannelMembers channelMembers,
            MemberQuery memberQuery,
            MessageService messages,
            Commands commands,
            MessageEdits edits,
            ReadService reads,
            ChatActors actors,
            ConnectionRegistry registry,
            RemoteSubscriptions remote) {
        this.remote = requireNonNull(remote, "remote");
        this.channels = requireNonNull(channels, "channels");
        this.admin = requireNonNull(admin, "admin");
        this.channelMembers = requireNonNull(channelMembers, "channelMembers");
        this.memberQuery = requireNonNull(memberQuery, "memberQuery");
        this.messages = requireNonNull(messages, "messages");
        this.commands = requireNonNull(commands, "commands");
        this.edits = requireNonNull(edits, "edits");
        this.reads = requireNonNull(reads, "reads");
        this.actors = requireNonNull(actors, "actors");
        this.registry = requireNonNull(registry, "registry");
    }

    void register(Router router) {
        router.add("POST", "/channels", this::query);
        router.add("POST", "/channels/delivered", ctx -> reads.markDelivered(actors.of(ctx), ctx.body()));
        router.add("POST", "/channels/read", ctx -> reads.markAllRead(actors.of(ctx), ctx.body()));
        router.add("POST", "/channels/{type}/query", ctx -> getOrCreate(ctx, null));
        router.add("POST", "/channels/{type}/{id}/query", ctx -> getOrCreate(ctx, ctx.pathParam("id")));
        router.add("POST", "/channels/delete", this::deleteMany);
        router.add("POST", "/channels/{type}/{id}", this::update);
        router.add(
                "GET",
                "/channels/{type}/{id}",
                ctx -> channels.get(actors.of(ctx, ctx.payload()), cid(ctx), ctx.payload()));
        router.add("PATCH", "/channels/{type}/{id}", ctx -> admin.partialUpdate(actors.of(ctx), cid(ctx), ctx.body()));
        router.add(
                "DELETE",
                "/channels/{type}/{id}",
                ctx -> admin.delete(
                        actors.of(ctx), cid(ctx), flag(ctx.param("hard_delete")), flag(ctx.param("skip_truncate"))));
        router.add(
                "POST", "/channels/{type}/{id}/truncate", ctx -> admin.truncate(actors.of(ctx), cid(ctx), ctx.body()));
        router.add(
                "POST",
                "/channels/{type}/{id}/hide",
                ctx -> admin.setHidden(
                        actors.of(ctx),
                        cid(ctx),
                        true,
                        ctx.body().path("clear_history").asBoolean(false)));
        router.add(
                "POST", "/channels/{type}/{id}/show", ctx -> admin.setHidden(actors.of(ctx), cid(ctx), false, false));
        router.add("POST", "/channels/{type}/{id}/stop-watching", this::stopWatching);
        router.add("POST", "/channels/{type}/{id}/event", this::event);
        router.add("POST", "/channels/{type}/{id}/read", ctx -> reads.markRead(actors.of(ctx), cid(ctx), ctx.body()));
        router.add(
                "POST", "/channels/{type}/{id}/unread", ctx -> reads.markUnread(actors.of(ctx), cid(ctx), ctx.body()));
        router.add("POST", "/channels/{type}/{id}/message", ctx -> commands.send(actors.of(ctx), cid(ctx), ctx.body()));
        router.add("GET", "/channels/{type}/{id}/messages", this::messagesByIds);
        router.add(
                "PATCH",
                "/channels/{type}/{id}/member",
                ctx -> channelMembers.update(actors.of(ctx), cid(ctx), ctx.param("user_id"), ctx.body()));
        router.add(
                "PATCH",
                "/channels/{type}/{id}/member/{user_id}",
                ctx -> channelMembers.update(actors.of(ctx), cid(ctx), ctx.pathParam("user_id"), ctx.body()));
        router.add("GET", "/channels/{type}/{id}/pinned_messages", this::pinned);
        router.add("GET", "/members", ctx -> memberQuery.query(actors.of(ctx, ctx.payload()), ctx.payload()));
    }

    private ObjectNode query(RequestContext ctx) {
        ObjectNode body = ctx.body();
        Actor actor = actors.of(ctx, body);
        if (!actor.server() && ctx.caller().userId() == null) {
            throw ChatException.notAllowed(
                    ctx.endpoint() + " failed with error: \"anonymous users cannot query channels\"");
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("channels");
        Optional<Session> conn = connection(ctx);
        List<ObjectNode> states = channels.query(actor, body, conn);
        if (subscribeElsewhere(ctx, body, conn.isPresent(), states)) {
            // Read again now that the other node delivers to the socket: nothing falls between state and events.
            states = channels.query(actor, body, conn);
        }
        states.forEach(list::add);
        return out;
    }

    private ObjectNode getOrCreate(RequestContext ctx, @Nullable String id) {
        ObjectNode body = ctx.body();
        Optional<Session> conn = connection(ctx);
        Actor actor = actors.of(ctx, body);
        ObjectNode state = channels.getOrCreate(actor, ctx.pathParam("type"), id, body, conn);
        if (subscribeElsewhere(ctx, body, conn.isPresent(), List.of(state))) {
            state = channels.getOrCreate(actor, ctx.pathParam("type"), id, body, conn);
        }
        return state;
    }

    /**
     * {@code watch} and {@code presence} for a caller whose socket another node of the cluster holds: that node
     * subscribes it to these channels and their members' presence. True when it did: the caller reads the
     * states again, so that what happened between the first read and the subscription is in them.
     */
    private boolean subscribeElsewhere(
            RequestContext ctx, ObjectNode body, boolean hereFound, List<ObjectNode> states) {
        boolean watch = body.path("watch").asBoolean(false);
        boolean follow = body.path("presence").asBoolean(false);
        if (hereFound || (!watch && !follow) || states.isEmpty()) {
            return false;
        }
        List<String> cids = new java.util.ArrayList<>();
        List<String> members = new java.util.ArrayList<>();
        for (ObjectNode state : states) {
            if (watch) {
                cids.add(state.path("channel").path("cid").asText());
            }
            if (follow) {
                state.path("members").forEach(m -> members.add(m.path("user_id").asText()));
            }
        }
        return RemoteSubscriptions.forCaller(remote, ctx, false, cids, members);
    }

    /** C4; a {@code message} in the body is posted to the channel after the change (§7.4). */
    private ObjectNode update(RequestContext ctx) {
        ObjectNode body = ctx.body();
        Actor actor = actors.of(ctx, body);
        MessageService.Draft message = null;
        if (body.path("message").isObject()) {
            ObjectNode send = Json.object();
            send.set("message", body.get("message"));
            message = messages.draft(actor, cid(ctx), send);
        }
        ObjectNode out = admin.update(actor, cid(ctx), body);
        if (message != null) {
            out.set("message", messages.commit(message).get("message"));
        }
        return out;
    }

    /** C7: deletes each listed channel; the result names each cid with its outcome. */
    /** A query flag: {@code true} (any case) or {@code 1}. */
    private static boolean flag(@Nullable String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
    }

    private ObjectNode deleteMany(RequestContext ctx) {
        ObjectNode body = ctx.body();
        Actor actor = actors.of(ctx, body);
        if (!body.path("cids").isArray()
                || body.get("cids").isEmpty()
                || body.get("cids").size() > 100) {
            throw ChatException.input("cids must be an array of 1 to 100 channel cids");
        }
        boolean hard = body.path("hard_delete").asBoolean(false);
        ObjectNode out = Json.object();
        ObjectNode result = out.putObject("result");
        for (var n : body.get("cids")) {
            String cid = n.asText();
            ObjectNode r = result.putObject(cid);
            try {
                admin.delete(actor, cid, hard, false);
                r.put("status", "success");
            } catch (ChatException e) {
                r.put("status", "error");
                r.put("error", e.getMessage());
            }
        }
        return out;
    }

    private ObjectNode pinned(RequestContext ctx) {
        ObjectNode p = ctx.payload();
        var ch = channels.require(cid(ctx));
        return edits.pinned(actors.of(ctx, p), ch, p.path("limit").asInt(10));
    }

    private ObjectNode stopWatching(RequestContext ctx) {
        var ch = channels.require(cid(ctx));
        connection(ctx).ifPresent(s -> channels.stopWatching(s, ch));
        return Json.object();
    }

    private ObjectNode event(RequestContext ctx) {
        ObjectNode body = ctx.body();
        ObjectNode out = Json.object();
        out.set("event", channels.sendEvent(actors.of(ctx, body), cid(ctx), body.get("event")));
        return out;
    }

    private ObjectNode messagesByIds(RequestContext ctx) {
        String ids = ctx.param("ids");
        if (ids == null || ids.isBlank()) {
            throw ChatException.input("ids is required: a comma-separated list of message ids");
        }
        List<String> list = Arrays.stream(ids.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .limit(100)
                .toList();
        Actor actor = actors.of(ctx);
        return edits.byIds(actor, channels.require(cid(ctx)), list);
    }

    static String cid(RequestContext ctx) {
        String type = ctx.pathParam("type");
        String id = ctx.pathParam("id");
        if (type.contains(":") || id.contains(":")) {
            throw ChatException.input("channel type and id must not contain ':'");
        }
        return type + ":" + id;
    }

    /** The caller's own open connection named by {@code connection_id}; unknown ids mean no connection (§3.7). */
    private Optional<Session> connection(RequestContext ctx) {
        return ctx.connection(registry);
    }
}
