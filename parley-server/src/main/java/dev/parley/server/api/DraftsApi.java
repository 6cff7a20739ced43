package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.drafts.Drafts;
import org.jspecify.annotations.Nullable;

/** Drafts (PROTOCOL.md §7.22): one per user and channel or thread; {@code POST /drafts/query}. */
final class DraftsApi {
    private final Drafts drafts;
    private final ChatActors actors;

    DraftsApi(Drafts drafts, ChatActors actors) {
        this.drafts = requireNonNull(drafts, "drafts");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("POST", "/channels/{type}/{id}/draft", ctx -> {
            ObjectNode body = ctx.body();
            // A server-side draft names its user in the message, as a send does, or beside it.
            ObjectNode named =
                    body.get("message") instanceof ObjectNode m && (m.has("user_id") || m.has("user")) ? m : body;
            return drafts.create(actors.of(ctx, named), ChannelsApi.cid(ctx), body);
        });
        router.add(
                "GET",
                "/channels/{type}/{id}/draft",
                ctx -> drafts.get(actors.of(ctx), ChannelsApi.cid(ctx), parentId(ctx)));
        router.add(
                "DELETE",
                "/channels/{type}/{id}/draft",
                ctx -> drafts.delete(actors.of(ctx), ChannelsApi.cid(ctx), parentId(ctx)));
        router.add("POST", "/drafts/query", ctx -> drafts.query(actors.of(ctx), ctx.body()));
    }

    private static @Nullable String parentId(RequestContext ctx) {
        String p = ctx.param("parent_id");
        return p == null || p.isEmpty() ? null : p;
    }
}
