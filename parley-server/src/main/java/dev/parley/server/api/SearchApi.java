package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.search.SearchService;

/** Message search, {@code GET /search?payload=} (PROTOCOL.md §7.12 S1). */
final class SearchApi {
    private final SearchService search;
    private final ChatActors actors;

    SearchApi(SearchService search, ChatActors actors) {
        this.search = requireNonNull(search, "search");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("GET", "/search", this::search);
    }

    private ObjectNode search(RequestContext ctx) {
        ObjectNode payload = ctx.payload();
        return search.search(actors.of(ctx, payload), payload);
    }
}
